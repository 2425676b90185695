import { Worker } from 'node:worker_threads';
import { FerryError } from './errors.js';

/**
 * Starts a worker thread on one of ferry's modules. Built (dist/), the module is JavaScript and runs as it is; from
 * the TypeScript sources (the test suite, through tsx), the thread first registers tsx, which a worker does not
 * inherit from the thread that starts it.
 */
/**
 * A worker's heap: a small young generation (its batches die young, and each megabyte of it is memory the process
 * holds), and an old generation large enough for a batch of big values (batches are bounded to 16 MiB of values).
 */
const LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData, resourceLimits: LIMITS });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(module.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData, resourceLimits: LIMITS });
}

/** The module `name` next to the calling module (its import.meta.url), with the calling module's extension. */
export function siblingModule(here: string, name: string): URL {
  return new URL(`./${name}${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}

/** An error as it crosses from a worker thread: a FerryError keeps its kind, message and hint; any other is `failed`. */
export interface ThreadError {
  kind: FerryError['kind'];
  message: string;
  hint?: string;
}

export function toThreadError(e: unknown): ThreadError {
  return e instanceof FerryError ? { kind: e.kind, message: e.message, hint: e.hint } : { kind: 'failed', message: (e as Error).message };
}

/** The FerryError a worker's ThreadError stands for, thrown on the thread that started it. */
export function fromThreadError(error: ThreadError): FerryError {
  return new FerryError(error.kind, error.message, { hint: error.hint });
}
