/**
 * A worker thread that reads one table file of a backup as bulk text (transcode.ts), so that gunzip, the sha256 and
 * the transcoding keep off the thread that feeds the target: there, each millisecond of transcoding was one in which
 * the target's socket could run dry between two batches (see transcode-thread.ts).
 *
 * It answers each `{ next: true }` with the next batch, its pieces transferred, not copied: `{ batch }`, then
 * `{ done: true }` or `{ error }`. `{ giveBack }` returns pieces once written, whose memory it writes into again.
 * `{ stop: true }` closes the file and ends the thread, whether or not the table was read to its end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BulkTextRequest } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import { toThreadError, type ThreadError } from '../core/threads.js';
import { lineTranscoder } from './bulk-text.js';
import { openRange, type FileRange } from './layout.js';
import type { ManifestTable } from './manifest.js';
import { textOut, transcodeLines, type TextBatch } from './transcode.js';

/** What the worker reads: a table file of the backup at `path`, by its byte range, for a target's `request`. */
export interface TranscodeJob {
  path: string;
  range: FileRange;
  entry: ManifestTable;
  request: BulkTextRequest;
  skip: number;
}

/** A batch as it crosses threads: each piece as the whole ArrayBuffer it was written in, with its offset and length. */
export type ThreadBatch = Omit<TextBatch, 'chunks'> & { pieces: { buffer: ArrayBuffer; offset: number; length: number }[] };

/** The worker's answer to `{ next: true }`. */
export type TranscodeReply = { batch: ThreadBatch } | { done: true } | { error: ThreadError };

/** What the reading thread asks: the next batch, to take pieces back, or to stop. */
export type TranscodeRequest = { next: true } | { giveBack: ArrayBuffer[] } | { stop: true };

const port = parentPort!;
const job = workerData as TranscodeJob;
const out = textOut();
const transcode = lineTranscoder(job.entry.schema.columns, job.request);
const batches = transcode
  ? transcodeLines({ path: job.path, open: () => openRange(job.range) }, job.entry, transcode, job.request, job.skip, out)
  : undefined;
let queue: Promise<unknown> = Promise.resolve();

port.on('message', (request: TranscodeRequest) => {
  if ('giveBack' in request) {
    out.recycle(request.giveBack.map((b) => new Uint8Array(b)));
    return;
  }
  if ('stop' in request) {
    // After the batch in progress, if any: the generator's return closes the file; with the port closed, the thread ends.
    void queue.then(async () => {
      await batches?.return(undefined).catch(() => undefined);
      port.close();
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      if (!batches) throw new FerryError('failed', `${job.entry.file}: its columns have no bulk text`);
      const next = await batches.next();
      if (next.done) return port.postMessage({ done: true } satisfies TranscodeReply);
      const { chunks, ...rest } = next.value;
      const pieces = chunks.map((c) => ({ buffer: c.buffer as ArrayBuffer, offset: c.byteOffset, length: c.length }));
      port.postMessage(
        { batch: { ...rest, pieces } } satisfies TranscodeReply,
        pieces.map((p) => p.buffer),
      );
    } catch (e) {
      port.postMessage({ error: toThreadError(e) } satisfies TranscodeReply);
    }
  });
});
