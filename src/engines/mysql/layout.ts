import type { ColumnSchema, TableSchema } from '../../core/schema.js';
import type { PortableType } from '../../core/types.js';

/** How one portable column is created on MySQL/MariaDB, and what the writer must check that the server would not. */
export interface NativeColumn {
  sql: string;
  /** Fractional-second digits of a time/datetime column: MySQL rounds longer fractions silently. */
  fsp?: number;
  /** The bounds of a decimal column created wider than its (unbounded) portable type. */
  decimal?: { precision: number; scale: number };
  /** Why the column is not created exactly as declared (reported as not carried). */
  note?: string;
}

/** InnoDB's limit on one index key (DYNAMIC row format): 3072 bytes, 768 utf8mb4 characters. */
const KEY_BYTES = 3072;
/** The server's limit on the declared size of a row (BLOB/TEXT count 12 bytes), less a margin for overhead. */
const ROW_BYTES = 65_535 - 1_024;
/** InnoDB's limit on the part of a row kept in the page (strict mode checks it at CREATE), less a margin. */
const INLINE_BYTES = 8_126 - 800;
/** Longer VARCHAR values can live off-page, so InnoDB counts such a column as a 20-byte pointer. */
const OFF_PAGE_MIN = 256;
const MAX_VARCHAR_BYTES = 65_532;

/**
 * The native type of every column of a table. Text and binary columns depend on the whole table: a column used in
 * a key (primary, unique, index, foreign key) must be a VARCHAR/VARBINARY that fits InnoDB's key limit, shared
 * between the key's columns; and the table's rows must fit MySQL's row-size limits, so bounded text that would not
 * fit becomes LONGTEXT (or a VARCHAR long enough to be stored off-page).
 */
export function tableLayout(table: TableSchema): Map<string, NativeColumn> {
  const out = new Map<string, NativeColumn>();
  const caps = keyCaps(table);
  const flexible: { column: ColumnSchema; unit: number; length: number }[] = [];
  for (const c of table.columns) {
    const t = c.type;
    if (t.kind !== 'text' && t.kind !== 'binary') {
      out.set(c.name, fixedColumn(t));
      continue;
    }
    const unit = t.kind === 'text' ? 4 : 1;
    const cap = caps.get(c.name);
    if (cap !== undefined) {
      const length = Math.min(t.length ?? Infinity, cap);
      const note =
        length < (t.length ?? Infinity)
          ? `${describe(t)} is part of a key, so it is created as ${varSql(t.kind, length)}: longer values are refused`
          : undefined;
      out.set(c.name, { sql: varSql(t.kind, Math.max(length, 1)), note });
    } else if (t.length !== undefined && t.length * unit <= MAX_VARCHAR_BYTES) {
      flexible.push({ column: c, unit, length: t.length });
      out.set(c.name, { sql: varSql(t.kind, t.length) });
    } else {
      out.set(c.name, { sql: longSql(t.kind) });
    }
  }
  fitRow(table, out, flexible);
  return out;
}

/** Shrinks the declared size of the row below MySQL's two limits by changing the fewest bounded text columns. */
function fitRow(
  table: TableSchema,
  out: Map<string, NativeColumn>,
  flexible: { column: ColumnSchema; unit: number; length: number }[],
): void {
  const sizes = () => table.columns.map((c) => sizeOf(out.get(c.name)!.sql));
  for (;;) {
    const s = sizes();
    const row = s.reduce((a, b) => a + b.row, 0);
    const inline = s.reduce((a, b) => a + b.inline, 0);
    if (row <= ROW_BYTES && inline <= INLINE_BYTES) return;
    const candidates = flexible.filter((f) => !out.get(f.column.name)!.sql.startsWith('long'));
    if (candidates.length === 0) return; // nothing left to change: the server's error will say why
    const measure = (f: (typeof candidates)[number]) =>
      row > ROW_BYTES ? sizeOf(out.get(f.column.name)!.sql).row : sizeOf(out.get(f.column.name)!.sql).inline;
    const pick = candidates.reduce((a, b) => (measure(b) > measure(a) ? b : a));
    const kind = pick.column.type.kind as 'text' | 'binary';
    const current = sizeOf(out.get(pick.column.name)!.sql);
    // A short column kept in the page can be made just long enough to go off-page; a long one becomes LONGTEXT.
    const sql = row <= ROW_BYTES && current.bytes < OFF_PAGE_MIN ? varSql(kind, Math.ceil(OFF_PAGE_MIN / pick.unit)) : longSql(kind);
    const why = row > ROW_BYTES ? "MySQL's 65,535-byte row size limit" : "InnoDB's in-page row size limit";
    out.set(pick.column.name, { sql, note: `${describe(pick.column.type)} is created as ${sql} to fit ${why}` });
  }
}

function sizeOf(sql: string): { bytes: number; row: number; inline: number } {
  const m = /^var(char|binary)\((\d+)\)/.exec(sql);
  if (m) {
    const bytes = Number(m[2]) * (m[1] === 'char' ? 4 : 1);
    return { bytes, row: bytes + 2, inline: bytes < OFF_PAGE_MIN ? bytes + 1 : 22 };
  }
  if (/^(long|json)/.test(sql)) return { bytes: 0, row: 12, inline: 22 };
  const bytes = fixedBytes(sql);
  return { bytes, row: bytes, inline: bytes };
}

function fixedBytes(sql: string): number {
  if (sql.startsWith('bigint') || sql.startsWith('double')) return 8;
  if (sql.startsWith('int') || sql.startsWith('float')) return 4;
  if (sql.startsWith('smallint') || sql.startsWith('enum')) return 2;
  if (sql.startsWith('tinyint')) return 1;
  if (sql.startsWith('char(36)')) return 36;
  if (sql.startsWith('decimal')) return Math.ceil(Number(/\((\d+)/.exec(sql)?.[1] ?? 65) / 2) + 1;
  if (sql.startsWith('datetime')) return 8;
  if (sql.startsWith('time')) return 6;
  if (sql.startsWith('date')) return 3;
  return 8;
}

/**
 * The longest text (characters) or binary (bytes) each key column may have: every key's 3072 bytes are shared
 * between its text and binary columns by water-filling, so a short column keeps its length and the long ones share
 * the rest equally. A column in several keys gets the smallest of its shares.
 */
function keyCaps(table: TableSchema): Map<string, number> {
  const keys = [
    table.primaryKey?.columns ?? [],
    ...table.uniques.map((u) => u.columns),
    ...table.indexes.map((i) => i.columns),
    ...table.foreignKeys.map((f) => f.columns),
  ];
  const caps = new Map<string, number>();
  for (const key of keys) {
    const cols = key.map((n) => table.columns.find((c) => c.name === n)).filter((c): c is ColumnSchema => c !== undefined);
    let budget = KEY_BYTES;
    const adjustable: { name: string; unit: number; demand: number }[] = [];
    for (const c of cols) {
      if (c.type.kind === 'text' || c.type.kind === 'binary') {
        const unit = c.type.kind === 'text' ? 4 : 1;
        adjustable.push({ name: c.name, unit, demand: (c.type.length ?? Infinity) * unit });
      } else budget -= fixedBytes(fixedColumn(c.type).sql);
    }
    adjustable.sort((a, b) => a.demand - b.demand);
    adjustable.forEach((a, i) => {
      const share = Math.floor(budget / (adjustable.length - i));
      const given = Math.min(a.demand, share);
      budget -= given;
      const units = Math.floor(given / a.unit);
      caps.set(a.name, Math.min(caps.get(a.name) ?? Infinity, units));
    });
  }
  return caps;
}

/** Columns whose native type does not depend on the rest of the table. */
function fixedColumn(t: PortableType): NativeColumn {
  switch (t.kind) {
    case 'integer':
      return { sql: t.bits === 16 ? 'smallint' : t.bits === 32 ? 'int' : 'bigint' };
    case 'decimal':
      // The widest MySQL decimal. Values outside it are rejected one by one by the writer, never rounded.
      if (t.precision === undefined) {
        return {
          sql: 'decimal(65,30)',
          decimal: { precision: 65, scale: 30 },
          note: 'decimal without precision is created as decimal(65,30): values with more than 35 integer or 30 fractional digits are rejected',
        };
      }
      return { sql: `decimal(${t.precision},${t.scale ?? 0})` };
    case 'real':
      return { sql: t.bits === 32 ? 'float' : 'double' };
    case 'boolean':
      return { sql: 'tinyint(1)' };
    case 'date':
      return { sql: 'date' };
    case 'time': {
      const fsp = Math.min(t.precision ?? 6, 6);
      return { sql: fsp ? `time(${fsp})` : 'time', fsp };
    }
    case 'timestamp': {
      // Never MySQL's TIMESTAMP: its range ends in 2038. A tz-aware instant is stored as its UTC date and time.
      const fsp = Math.min(t.precision ?? 6, 6);
      const note = t.tz ? 'timestamp with time zone is created as datetime holding UTC (MySQL TIMESTAMP ends in 2038)' : undefined;
      return { sql: fsp ? `datetime(${fsp})` : 'datetime', fsp, note };
    }
    case 'json':
      return { sql: 'json' };
    case 'uuid':
      return { sql: 'char(36) CHARACTER SET ascii COLLATE ascii_bin' };
    case 'enum':
      return { sql: `enum(${t.values.map((v) => `'${v.replaceAll("'", "''")}'`).join(',')})` };
    case 'text':
    case 'binary':
      return { sql: longSql(t.kind) };
  }
}

function varSql(kind: 'text' | 'binary', length: number): string {
  return kind === 'text' ? `varchar(${length})` : `varbinary(${length})`;
}

function longSql(kind: 'text' | 'binary'): string {
  return kind === 'text' ? 'longtext' : 'longblob';
}

function describe(t: PortableType): string {
  return 'length' in t && t.length !== undefined ? `${t.kind}(${t.length})` : t.kind;
}
