import { makeConformer, Refusal } from '../core/conform.js';
import { FerryError } from '../core/errors.js';
import { keyColumns, type TableSchema } from '../core/schema.js';
import type { Row, Value } from '../core/values.js';
import type { RowObject } from './parts.js';
import type { TableDef } from './schema.js';

/** Normalization sees every value as the most permissive target would hold it: it only canonicalizes. */
const SEE_ALL = { textAllowsNul: true, realAllowsSpecials: true };

/**
 * Turns the positional rows a reader gives into the objects a pack sees, each declared column's value in the
 * JavaScript type its declaration promises (SQLite's integers arrive as bigint, its booleans as 0/1). Columns the
 * source has beyond the declaration come as they are; a value that does not fit its declared type also comes as
 * it is, so that conformance at the writer rejects it with a reason instead of the pack guessing.
 */
export function rowReader(actual: TableSchema, declared: TableDef | undefined, where: string): (row: Row) => RowObject {
  const names = actual.columns.map((c) => c.name);
  const normalizers = actual.columns.map((c) => {
    const spec = declared?.columns[c.name]?.spec;
    if (!spec) return undefined;
    const conform = makeConformer({ name: c.name, type: spec.type, nullable: true }, SEE_ALL, new Set());
    return (v: Value): unknown => {
      const r = conform(v);
      if (r instanceof Refusal) return v;
      const value = r;
      if (spec.integers === 'bigint' && typeof value === 'number') return BigInt(value);
      if (spec.integers === 'number' && typeof value === 'bigint') {
        throw new FerryError('failed', `${where}.${c.name} holds ${value}, past what a JavaScript number holds exactly`, {
          hint: `declare the column as col.bigint() in the pack, so that its values arrive as bigint`,
        });
      }
      return value;
    };
  });
  return (row) => {
    const out: RowObject = {};
    for (let i = 0; i < names.length; i++) {
      const v = row[i] ?? null;
      const n = normalizers[i];
      out[names[i]!] = n ? n(v) : v;
    }
    return out;
  };
}

/**
 * Turns a pack's row object into a positional row in the given column order. Conveniences that cannot lose data:
 * `undefined` is NULL, a Date is a timestamp (UTC), an object or array bound for a json column is its JSON text.
 */
export function rowWriter(table: TableSchema): (row: RowObject) => Row {
  const columns = table.columns.map((c) => [c.name, c.type.kind] as const);
  return (obj) =>
    columns.map(([name, kind]) => {
      const v = obj[name];
      if (v === undefined) return null;
      if (v instanceof Date) return kind === 'date' ? v.toISOString().slice(0, 10) : v.toISOString().slice(0, 23).replace('T', ' ');
      if (kind === 'json' && typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) return JSON.stringify(v);
      return v as Value;
    });
}

/** The key of a row object (a scalar for a one-column key), for findings; undefined for a table without a key. */
export function rowKey(table: TableSchema): (row: RowObject) => unknown {
  const key = keyColumns(table);
  if (!key) return () => undefined;
  if (key.length === 1) return (row) => row[key[0]!];
  return (row) => key.map((k) => row[k]);
}
