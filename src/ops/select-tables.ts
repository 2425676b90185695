import { FerryError } from '../core/errors.js';
import type { TableSchema } from '../core/schema.js';

/** Tables ferry keeps for itself in a target (its checkpoints); never part of a dataset. */
export const isFerryTable = (name: string): boolean => name.startsWith('_ferry_');

export interface TableSelection {
  /** Only these tables (names, `*` matches any run of characters). */
  tables?: string[];
  /** Never these tables. */
  excludeTables?: string[];
}

/** The tables a run works on, in the source's order; a name in `tables` that matches nothing is a usage error. */
export function selectTables(all: TableSchema[], selection: TableSelection): TableSchema[] {
  const candidates = all.filter((t) => !isFerryTable(t.name));
  const include = selection.tables?.map(matcher);
  const exclude = selection.excludeTables?.map(matcher) ?? [];
  if (include) {
    const missing = selection.tables!.filter((_, i) => !candidates.some((t) => include[i]!(t.name)));
    if (missing.length > 0) {
      throw new FerryError('usage', `no table named ${missing.map((m) => `"${m}"`).join(', ')} in the source`, {
        hint: `the source has: ${candidates
          .map((t) => t.name)
          .slice(0, 20)
          .join(', ')}${candidates.length > 20 ? ', …' : ''}`,
      });
    }
  }
  return candidates.filter((t) => (!include || include.some((m) => m(t.name))) && !exclude.some((m) => m(t.name)));
}

function matcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return (name) => re.test(name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
