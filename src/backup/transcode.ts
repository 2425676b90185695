import { createHash } from 'node:crypto';
import type { BulkTextBatch, BulkTextRequest } from '../core/dataset.js';
import { isFerryError } from '../core/errors.js';
import { TextOut, type LineTranscoder } from './bulk-text.js';
import { lineDecoder } from './decode.js';
import { damaged, type BackupStore } from './layout.js';
import type { ManifestTable } from './manifest.js';
import { dataLineRanges } from './table-file.js';

/** Bulk text is handed over in pieces of about this size, and a batch of it ends at this many bytes. */
const TEXT_CHUNK = 256 * 1024;
const TEXT_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * A table's data file as batches of bulk text (bulk-text.ts), each line that cannot go as text decoded into values,
 * after the first `skip` lines, in file order. The checks of a read are made as the file streams: no more lines than
 * the manifest says, and at the end exactly as many and the sha256 it had when the backup was opened.
 */
export async function* transcodeTable(
  store: BackupStore,
  entry: ManifestTable,
  transcode: LineTranscoder,
  request: BulkTextRequest,
  skip: number,
): AsyncGenerator<BulkTextBatch> {
  const decode = lineDecoder(entry.schema.columns);
  const source = store.open(entry.file);
  const hash = createHash('sha256');
  source.on('data', (chunk: Buffer) => hash.update(chunk));
  const out = new TextOut(TEXT_CHUNK + 64 * 1024);
  const newBatch = (): BulkTextBatch => {
    const chunks: Buffer[] = [];
    let released = false;
    return {
      chunks,
      lines: 0,
      rows: [],
      resumeKey: [],
      release: () => {
        if (!released) out.recycle(chunks);
        released = true;
      },
    };
  };
  let batch = newBatch();
  let bytes = 0;
  let index = skip;
  const flush = () => {
    if (out.length === 0) return;
    bytes += out.length;
    batch.chunks.push(out.take());
  };
  try {
    for await (const { src, ranges } of dataLineRanges(source, skip)) {
      for (let k = 0; k < ranges.length; k += 2) {
        index++;
        if (index > entry.rows) throw damaged(store.path, `${entry.file} holds more rows than the ${entry.rows} its manifest says`);
        const mark = out.length;
        if (transcode(src, ranges[k]!, ranges[k + 1]!, out)) batch.lines++;
        else {
          out.length = mark;
          try {
            batch.rows.push(decode(src.toString('utf8', ranges[k], ranges[k + 1])));
          } catch (e) {
            throw damaged(store.path, `${entry.file} line ${index}: ${(e as Error).message}`, e);
          }
        }
        if (out.length >= TEXT_CHUNK) flush();
        if (batch.lines + batch.rows.length >= request.batchRows || bytes + out.length >= TEXT_BATCH_BYTES) {
          flush();
          batch.resumeKey = [index];
          yield batch;
          batch = newBatch();
          bytes = 0;
        }
      }
    }
  } catch (e) {
    if (isFerryError(e)) throw e;
    throw damaged(store.path, `${entry.file} cannot be read: ${(e as Error).message}`, e);
  }
  if (index !== entry.rows) throw damaged(store.path, `${entry.file} holds ${index} rows, but its manifest says ${entry.rows}`);
  if (hash.digest('hex') !== entry.sha256) throw damaged(store.path, `${entry.file} changed while it was read`);
  flush();
  batch.resumeKey = [index];
  if (batch.lines + batch.rows.length > 0) yield batch;
}
