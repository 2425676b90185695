import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BulkTextBatch, BulkTextRequest } from '../core/dataset.js';
import { isFerryError } from '../core/errors.js';
import type { Row } from '../core/values.js';
import { TextOut, type LineTranscoder } from './bulk-text.js';
import { lineDecoder } from './decode.js';
import { damaged } from './layout.js';
import type { ManifestTable } from './manifest.js';
import { dataLineRanges } from './table-file.js';

/** Bulk text is handed over in pieces of about this size, and a batch of it ends at this many bytes. */
const TEXT_CHUNK = 256 * 1024;
const TEXT_BATCH_BYTES = 8 * 1024 * 1024;

/** Where a table file is read from; `path` (the backup's) names it in messages. */
export interface TableFileSource {
  readonly path: string;
  open(file: string): Readable;
}

/** A batch of bulk text, with the lines that could not go as text still as they are (and their line numbers). */
export interface TextBatch {
  chunks: Buffer[];
  lines: number;
  valueLines: string[];
  valueLineNumbers: number[];
  /** The lines read so far: the batch's position (resumeKey). */
  position: number;
}

/** The writer of a table's bulk text: the pieces that come back (TextBatch.chunks, once written) are written into again. */
export function textOut(): TextOut {
  return new TextOut(TEXT_CHUNK + 64 * 1024);
}

/**
 * A table's data file as batches of bulk text (bulk-text.ts), after the first `skip` lines, in file order; the lines
 * that cannot go as text are kept for the value path. The checks of a read are made as the file streams: no more
 * lines than the manifest says, and at the end exactly as many and the sha256 it had when the backup was opened.
 */
export async function* transcodeLines(
  source: TableFileSource,
  entry: ManifestTable,
  transcode: LineTranscoder,
  request: BulkTextRequest,
  skip: number,
  out: TextOut,
): AsyncGenerator<TextBatch> {
  const stream = source.open(entry.file);
  const hash = createHash('sha256');
  stream.on('data', (chunk: Buffer) => hash.update(chunk));
  const newBatch = (): TextBatch => ({ chunks: [], lines: 0, valueLines: [], valueLineNumbers: [], position: 0 });
  let batch = newBatch();
  let bytes = 0;
  let index = skip;
  const flush = () => {
    if (out.length === 0) return;
    bytes += out.length;
    batch.chunks.push(out.take());
  };
  try {
    for await (const { src, ranges } of dataLineRanges(stream, skip)) {
      for (let k = 0; k < ranges.length; k += 2) {
        index++;
        if (index > entry.rows) throw damaged(source.path, `${entry.file} holds more rows than the ${entry.rows} its manifest says`);
        const mark = out.length;
        if (transcode(src, ranges[k]!, ranges[k + 1]!, out)) batch.lines++;
        else {
          out.length = mark;
          batch.valueLines.push(src.toString('utf8', ranges[k], ranges[k + 1]));
          batch.valueLineNumbers.push(index);
          // Lines kept for values count towards the batch's size too: a batch of them alone stays bounded.
          bytes += ranges[k + 1]! - ranges[k]!;
        }
        if (out.length >= TEXT_CHUNK) flush();
        if (batch.lines + batch.valueLines.length >= request.batchRows || bytes + out.length >= TEXT_BATCH_BYTES) {
          flush();
          batch.position = index;
          yield batch;
          batch = newBatch();
          bytes = 0;
        }
      }
    }
  } catch (e) {
    if (isFerryError(e)) throw e;
    throw damaged(source.path, `${entry.file} cannot be read: ${(e as Error).message}`, e);
  }
  if (index !== entry.rows) throw damaged(source.path, `${entry.file} holds ${index} rows, but its manifest says ${entry.rows}`);
  if (hash.digest('hex') !== entry.sha256) throw damaged(source.path, `${entry.file} changed while it was read`);
  flush();
  batch.position = index;
  if (batch.lines + batch.valueLines.length > 0) yield batch;
}

/**
 * A transcoded batch as the run takes it: its value lines decoded into rows (a line that does not decode is damage,
 * named by its line number), and `giveBack` called with its pieces once the writer is done with them.
 */
export function withRows(
  source: TableFileSource,
  entry: ManifestTable,
  decode: (line: string) => Row,
  batch: TextBatch,
  giveBack: (chunks: Buffer[]) => void,
): BulkTextBatch {
  const rows = batch.valueLines.map((line, i) => {
    try {
      return decode(line);
    } catch (e) {
      throw damaged(source.path, `${entry.file} line ${batch.valueLineNumbers[i]}: ${(e as Error).message}`, e);
    }
  });
  let released = false;
  return {
    chunks: batch.chunks,
    lines: batch.lines,
    rows,
    resumeKey: [batch.position],
    release: () => {
      if (!released) giveBack(batch.chunks);
      released = true;
    },
  };
}

/** transcodeLines with the value lines decoded, on this thread (transcode-thread.ts does it on another). */
export async function* transcodeTable(
  source: TableFileSource,
  entry: ManifestTable,
  transcode: LineTranscoder,
  request: BulkTextRequest,
  skip: number,
): AsyncGenerator<BulkTextBatch> {
  const decode = lineDecoder(entry.schema.columns);
  const out = textOut();
  for await (const batch of transcodeLines(source, entry, transcode, request, skip, out)) {
    yield withRows(source, entry, decode, batch, (chunks) => out.recycle(chunks));
  }
}
