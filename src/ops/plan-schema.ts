import type { DatasetReader } from '../core/dataset.js';
import { isPortableCheck } from '../core/portable-check.js';
import type { NotCarried, TableSchema } from '../core/schema.js';

/**
 * The target's version of the source tables: what can be carried from this source engine to that target engine.
 * CHECK expressions go across engines only when they read the same everywhere; raw defaults only to the same
 * engine (engines/sql/ddl.ts reports those). Everything left behind is listed.
 */
export function planTargetTables(
  source: DatasetReader | string,
  targetEngine: string,
  tables: TableSchema[],
): { tables: TableSchema[]; notCarried: NotCarried[] } {
  const notCarried: NotCarried[] = [];
  // A backup carries its origin's engine: its checks are spelled in that engine's SQL.
  const sourceEngine = typeof source === 'string' ? source : (source.sqlEngine ?? source.engine);
  const sameEngine = sourceEngine === targetEngine;
  const planned = tables.map((t) => ({
    ...t,
    checks: t.checks.filter((c) => {
      if (sameEngine || isPortableCheck(c.expression)) return true;
      notCarried.push({ kind: 'check', table: t.name, name: c.name, reason: `CHECK (${c.expression}) is ${sourceEngine}-specific` });
      return false;
    }),
  }));
  return { tables: planned, notCarried };
}
