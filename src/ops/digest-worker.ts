/**
 * A worker thread that fingerprints tables of one endpoint (run/digest-table.ts), so that a verification reads and
 * digests its two sides on two cores. It opens the endpoint once, then answers each request `{ id, table, options }`
 * with `{ id, digest }` (the digest's JSON form) or `{ id, error }`, one at a time; `null` ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DigestJSON } from '../core/digest.js';
import { toThreadError, type ThreadError } from '../core/threads.js';
import type { TableSchema } from '../core/schema.js';
import { digestTable, type DigestOptions } from '../run/digest-table.js';
import { openSource } from './endpoints.js';

export interface DigestRequest {
  id: number;
  table: TableSchema;
  options: Omit<DigestOptions, 'onRows'>;
}

export type DigestReply = { id: number; digest: DigestJSON } | { id: number; error: ThreadError };

const port = parentPort!;
const reader = openSource((workerData as { endpoint: string }).endpoint);
reader.catch(() => {});
let queue: Promise<unknown> = Promise.resolve();

port.on('message', (request: DigestRequest | null) => {
  // null: the work is over; the reader is closed once the last request is answered, and the thread ends.
  if (request === null) {
    void queue.then(async () => {
      await (await reader.catch(() => undefined))?.close();
      port.close();
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      const digest = await digestTable(await reader, request.table, request.options);
      port.postMessage({ id: request.id, digest: digest.toJSON() } satisfies DigestReply);
    } catch (e) {
      port.postMessage({ id: request.id, error: toThreadError(e) } satisfies DigestReply);
    }
  });
});
