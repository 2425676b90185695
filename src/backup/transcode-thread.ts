import type { Worker } from 'node:worker_threads';
import type { BulkTextBatch, BulkTextRequest } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import { fromThreadError, siblingModule, startWorker } from '../core/threads.js';
import { lineDecoder } from './decode.js';
import type { BackupStore } from './layout.js';
import type { ManifestTable } from './manifest.js';
import { withRows } from './transcode.js';
import type { TranscodeJob, TranscodeReply, TranscodeRequest } from './transcode-worker.js';

/**
 * From a table file of this many bytes on, a restore transcodes it on another thread: below, starting the thread
 * costs more than it saves.
 */
export const THREAD_FILE_BYTES = 4 * 1024 * 1024;

/**
 * transcodeTable on a worker thread (transcode-worker.ts): the same batches, the same checks and errors. This thread
 * only decodes the few lines that go as values and feeds the target. Fed from the same thread as the transcoding,
 * a PostgreSQL backend sat idle about 10 ms before each batch's COPY (the thread was busy when the previous batch's
 * commit came back), and its socket ran dry within a batch whenever a piece of transcoding took longer than the
 * socket's buffer lasts.
 *
 * The thread makes a batch when the run asks for one, which the run does while it writes the one before: as many
 * batches are in memory as on one thread.
 */
export async function* transcodeInThread(
  store: BackupStore,
  entry: ManifestTable,
  request: BulkTextRequest,
  skip: number,
  running: Set<Worker>,
): AsyncGenerator<BulkTextBatch> {
  const decode = lineDecoder(entry.schema.columns);
  const job: TranscodeJob = { path: store.path, range: store.locate(entry.file), entry, request: { ...request, after: undefined }, skip };
  const worker = startWorker(siblingModule(import.meta.url, 'transcode-worker'), job);
  running.add(worker);
  worker.once('exit', () => running.delete(worker));
  const replies = new Replies(worker);
  const send = (message: TranscodeRequest, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  try {
    for (;;) {
      send({ next: true });
      const reply = await replies.next();
      if ('error' in reply) throw fromThreadError(reply.error);
      if ('done' in reply) return;
      const { pieces, ...rest } = reply.batch;
      const chunks = pieces.map((p) => Buffer.from(p.buffer, p.offset, p.length));
      yield withRows(store, entry, decode, { ...rest, chunks }, () =>
        send(
          { giveBack: pieces.map((p) => p.buffer) },
          pieces.map((p) => p.buffer),
        ),
      );
    }
  } finally {
    if (running.delete(worker)) await stopThread(worker);
  }
}

/**
 * Asks the thread to close its file and end; one that has not ended within a few seconds is stopped. (A thread that
 * has already ended sends no exit event: it is taken out of `running` when it ends, and is not waited for.)
 */
export function stopThread(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().finally(resolve), 5000);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.postMessage({ stop: true } satisfies TranscodeRequest);
  });
}

/** The worker's replies in order, and its failure (an error, or an exit before it was done) as a FerryError. */
class Replies {
  private readonly ready: TranscodeReply[] = [];
  private waiting?: { resolve: (r: TranscodeReply) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(worker: Worker) {
    worker.on('message', (reply: TranscodeReply) => {
      if (this.waiting) this.settle().resolve(reply);
      else this.ready.push(reply);
    });
    const fail = (e: Error) => {
      this.failure ??= new FerryError('failed', `the thread that reads the backup stopped: ${e.message}`, { cause: e });
      if (this.waiting) this.settle().reject(this.failure);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
  }

  next(): Promise<TranscodeReply> {
    const reply = this.ready.shift();
    if (reply) return Promise.resolve(reply);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private settle() {
    const waiting = this.waiting!;
    this.waiting = undefined;
    return waiting;
  }
}
