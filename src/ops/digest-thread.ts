import type { Worker } from 'node:worker_threads';
import { TableDigest } from '../core/digest.js';
import { FerryError } from '../core/errors.js';
import type { TableSchema } from '../core/schema.js';
import { fromThreadError, siblingModule, startWorker } from '../core/threads.js';
import type { DigestOptions } from '../run/digest-table.js';
import type { DigestReply, DigestRequest } from './digest-worker.js';

/**
 * From this many rows on, `ferry verify` digests a table's second side on another thread: below, starting the thread
 * costs more than it saves. (The verification at the end of a migrate or restore stays on one thread: on top of the
 * memory the copy leaves behind, a second V8 heap takes the run past its 200 MB budget.)
 */
export const THREAD_ROWS = 50_000;

/**
 * Tables of one endpoint fingerprinted on another thread (digest-worker.ts), while `ferry verify` digests the other
 * side on this one. The thread starts with the first table it is given and opens its own reader of the endpoint.
 */
export class DigestThread {
  private worker?: Worker;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (d: TableDigest) => void; reject: (e: Error) => void }>();

  constructor(private readonly endpoint: string) {}

  digest(table: TableSchema, options: DigestOptions): Promise<TableDigest> {
    const worker = (this.worker ??= this.start());
    const id = ++this.next;
    const { onRows: _progress, ...plain } = options;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, table, options: plain } satisfies DigestRequest);
    });
  }

  /** Asks the thread to close its reader and end; one that does not within a few seconds is stopped. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const ended = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage(null);
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await ended;
    clearTimeout(timer);
  }

  private start(): Worker {
    const worker = startWorker(siblingModule(import.meta.url, 'digest-worker'), { endpoint: this.endpoint });
    worker.on('message', (reply: DigestReply) => {
      const caller = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('error' in reply) caller?.reject(fromThreadError(reply.error));
      else caller?.resolve(TableDigest.fromJSON(reply.digest));
    });
    const fail = (e: Error) => {
      for (const caller of this.waiting.values())
        caller.reject(new FerryError('failed', `the verification thread stopped: ${e.message}`, { cause: e }));
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
    return worker;
  }
}

/** Runs `work` with a DigestThread on `endpoint`, ended afterwards whatever happens. */
export async function withDigestThread<T>(
  endpoint: string,
  work: (digest: (table: TableSchema, options: DigestOptions) => Promise<TableDigest>) => Promise<T>,
): Promise<T> {
  const thread = new DigestThread(endpoint);
  try {
    return await work((table, options) => thread.digest(table, options));
  } finally {
    await thread.close();
  }
}
