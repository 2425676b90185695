import type { ColumnDefault } from '../../core/schema.js';
import type { PortableType } from '../../core/types.js';
import { parseDefaultSql } from '../sql/defaults.js';
import { quoteString } from './literals.js';
import { atLeast, type ServerInfo } from './server.js';

/**
 * Reads information_schema.COLUMNS.COLUMN_DEFAULT into the portable form. MariaDB 10.2.7+ reports SQL (`'abc'`,
 * `NULL`, `current_timestamp()`, with backslashes escaped inside quotes); MySQL reports the bare value (`abc`) and
 * flags expressions with EXTRA = DEFAULT_GENERATED (`(curdate())`, `(_utf8mb4\'abc\')`).
 */
export function parseMysqlDefault(raw: string | null, extra: string, type: PortableType, server: ServerInfo): ColumnDefault | undefined {
  if (raw === null) return undefined;
  let def: ColumnDefault | undefined;
  if (server.flavor === 'mariadb' && atLeast(server, 10, 2, 7)) def = parseSqlForm(raw);
  else if (/DEFAULT_GENERATED/i.test(extra)) def = parseSqlForm(raw.replaceAll("\\'", "'").replaceAll('\\\\', '\\'));
  else if (/^current_timestamp/i.test(raw)) def = parseDefaultSql(raw, 'mysql');
  else if (['integer', 'decimal', 'real', 'boolean'].includes(type.kind)) def = parseDefaultSql(raw, 'mysql');
  else def = { kind: 'literal', value: raw };
  return fitType(def, type);
}

function parseSqlForm(sql: string): ColumnDefault | undefined {
  let s = sql.trim();
  while (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1).trim();
  s = s.replace(/^_[a-z0-9]+(?=')/i, '');
  const quoted = /^'((?:[^'\\]|''|\\.)*)'$/s.exec(s);
  if (quoted) return { kind: 'literal', value: unescapeMysql(quoted[1]!) };
  if (/^(curdate|current_date)\s*\(\s*\)$/i.test(s)) return { kind: 'expression', name: 'current_date' };
  if (/^(curtime|current_time)\s*\(\s*\d*\s*\)$/i.test(s)) return { kind: 'expression', name: 'current_time' };
  const def = parseDefaultSql(s, 'mysql');
  // A function default must be parenthesized to be accepted by MySQL 8 (MariaDB takes both spellings).
  if (def?.kind === 'raw' && /^[a-z_][a-z0-9_]*\s*\(/i.test(def.sql)) return { ...def, sql: `(${def.sql})` };
  return def;
}

/** Booleans read as 0/1 become true/false; a zero date is MySQL-only, so it stays raw (carried only to MySQL). */
function fitType(def: ColumnDefault | undefined, type: PortableType): ColumnDefault | undefined {
  if (def?.kind !== 'literal') return def;
  const v = def.value;
  if (type.kind === 'boolean' && (v === 0 || v === 1 || v === '0' || v === '1')) return { kind: 'literal', value: v === 1 || v === '1' };
  if ((type.kind === 'date' || type.kind === 'timestamp') && typeof v === 'string' && /^0000-|-00(\s|-|$)/.test(v)) {
    return { kind: 'raw', engine: 'mysql', sql: `'${v}'` };
  }
  if (['text', 'enum', 'uuid', 'json'].includes(type.kind) && typeof v !== 'string' && v !== null)
    return { kind: 'literal', value: String(v) };
  return def;
}

const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

/** The body of a quoted literal as MySQL prints it (COLUMN_TYPE, COLUMN_DEFAULT, CHECK_CLAUSE): '' and backslash escapes. */
export function unescapeMysql(body: string): string {
  return body.replace(/''|\\(.)/gs, (m, c: string | undefined) =>
    m === "''" ? "'" : c === '%' || c === '_' ? `\\${c}` : (ESCAPES[c!] ?? c!),
  );
}

/**
 * A CHECK clause as information_schema prints it, rewritten in standard SQL for other engines: backtick identifiers
 * become "double-quoted", string literals are re-spelled with '' as the only escape, and charset introducers
 * (`_utf8mb4'a'`) are dropped. MySQL 8 prints the whole clause with its quotes escaped (\'), undone first.
 */
export function portableCheckText(clause: string, server: ServerInfo): string {
  const escapedForm = server.flavor === 'mysql' && clause.includes("\\'") && !/(^|[^\\])'/.test(clause);
  const s = escapedForm ? clause.replace(/\\(.)/g, '$1') : clause;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === "'") {
      let j = i + 1;
      while (j < s.length && !(s[j] === "'" && s[j + 1] !== "'")) j += s[j] === "'" || s[j] === '\\' ? 2 : 1;
      out += quoteString(unescapeMysql(s.slice(i + 1, j)));
      i = j + 1;
    } else if (ch === '`') {
      let j = i + 1;
      let name = '';
      while (j < s.length && !(s[j] === '`' && s[j + 1] !== '`')) {
        name += s[j];
        j += s[j] === '`' ? 2 : 1;
      }
      out += `"${name.replaceAll('"', '""')}"`;
      i = j + 1;
    } else {
      const introducer = /^_[a-z0-9]+(?=')/i.exec(s.slice(i));
      if (introducer && !/[\w$]/.test(s[i - 1] ?? '')) i += introducer[0].length;
      else {
        out += ch;
        i++;
      }
    }
  }
  return out;
}
