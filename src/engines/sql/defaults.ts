import type { ColumnDefault } from '../../core/schema.js';

/**
 * Reads a column default as an engine reports it (`'abc'::character varying`, `current_timestamp()`, `12.5`,
 * `NULL`) into the portable form. What is not one of the portable shapes stays `raw`, carried only to the same
 * engine and otherwise reported as not carried.
 */
export function parseDefaultSql(sql: string | null | undefined, engine: string): ColumnDefault | undefined {
  if (sql === null || sql === undefined) return undefined;
  let s = sql.trim();
  // Strip one level of wrapping parentheses ((0)) and a trailing PostgreSQL cast ('x'::text).
  while (/^\(.*\)$/s.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  s = s.replace(/::[a-z_ ]+(\[\])?(\([0-9, ]*\))?$/i, '').trim();
  if (/^null$/i.test(s)) return undefined;
  if (/^(current_timestamp|now|localtimestamp)(\s*\(\s*\d*\s*\))?$/i.test(s)) return { kind: 'expression', name: 'current_timestamp' };
  if (/^current_date(\s*\(\s*\))?$/i.test(s)) return { kind: 'expression', name: 'current_date' };
  if (/^current_time(\s*\(\s*\d*\s*\))?$/i.test(s)) return { kind: 'expression', name: 'current_time' };
  if (/^true$/i.test(s)) return { kind: 'literal', value: true };
  if (/^false$/i.test(s)) return { kind: 'literal', value: false };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const n = Number(s);
    return { kind: 'literal', value: Number.isSafeInteger(n) || !/^[+-]?\d+$/.test(s) ? n : s };
  }
  const quoted = /^'((?:[^']|'')*)'$/s.exec(s);
  if (quoted) return { kind: 'literal', value: quoted[1]!.replaceAll("''", "'") };
  return { kind: 'raw', engine, sql: sql.trim() };
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
