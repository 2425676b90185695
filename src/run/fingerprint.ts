import { createHash } from 'node:crypto';
import type { TableSchema } from '../core/schema.js';

/**
 * A fingerprint of what a run will write: the planned tables (names, columns, types, keys, constraints) and the
 * options that change what lands in the target. A resumed run must have the same.
 */
export function planFingerprint(tables: TableSchema[], options: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify({ tables, options })).digest('hex').slice(0, 16);
}
