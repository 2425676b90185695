/**
 * ferry as a library: the same operations the command line runs, as functions that take typed options and return
 * typed results. Progress arrives through `events` (see RunEvent); errors are FerryError with a `kind`.
 *
 * ```ts
 * import { migrate } from 'ferry';
 * const result = await migrate({ source: 'sqlite:./app.db', target: 'postgres://postgres@127.0.0.1/app' });
 * if (!result.verified) throw new Error('not equal');
 * ```
 */
export { migrate, type MigrateOptions, type MigrateResult, type WriteOptions } from './ops/migrate.js';
export { backup, type BackupOptions } from './ops/backup.js';
export { restore, type RestoreOptions, type RestoreResult } from './ops/restore.js';
export { verify, type VerifyOptions, type VerifyResult, type TableComparison, type KeyDifference } from './ops/verify.js';
export { inspect, type InspectOptions, type InspectResult } from './ops/inspect.js';
export type { RunResult, TableSummary } from './run/pipeline.js';
export type { RunEvent, EventListener } from './run/events.js';
export { FerryError, type ErrorKind } from './core/errors.js';
export type { Schema, TableSchema, ColumnSchema } from './core/schema.js';
export type { PortableType } from './core/types.js';
