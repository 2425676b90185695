import type { BulkTextFormat } from '../../core/bulk-text.js';
import type { BulkTextRequest } from '../../core/dataset.js';
import type { ColumnSchema } from '../../core/schema.js';
import { fractionDigitsKept } from '../../core/conform.js';
import { integerRange } from '../../core/types.js';
import type { BulkTextDialect, FieldSql } from '../sql/bulk-text.js';
import { quoteString } from './literals.js';

/**
 * How MySQL/MariaDB format a field of bulk text (see engines/sql/bulk-text.ts for the rule). Columns are typed, so
 * the conditions are about what the type allows beyond the portable one: zero dates, times outside a day (NUL in
 * text is escaped, see BulkTextDialect.nul). Texts are converted to utf8mb4 (columns may have other character sets) and then handled as bytes: the
 * characters escaped are single bytes that UTF-8 never uses inside a longer character, byte-wise REPLACE is much
 * cheaper than the collation-aware one, and binary strings concatenate whatever their collations. Only native types
 * whose text is known are formatted; any other makes the table go by values.
 */
export const mysqlBulkText: BulkTextDialect = {
  literal: quoteString,
  concat: (parts) => `CONCAT(${parts.join(', ')})`,
  replace: (text, from, to) => `REPLACE(${text}, ${from}, ${to})`,
  byteLength: (c) => `OCTET_LENGTH(${c})`,
  nul: "X'00'",
  // The texts are utf8mb4 bytes (field below): JSON_QUOTE needs them as characters, and gives back bytes.
  jsonQuote: (text) => `CAST(JSON_QUOTE(CONVERT(${text} USING utf8mb4)) AS BINARY)`,
  field,
};

const bytes = (c: string) => `CAST(${c} AS BINARY)`;

function field(column: ColumnSchema, c: string, format: BulkTextFormat, request: BulkTextRequest): FieldSql | undefined {
  const type = column.type;
  const native = (column.nativeType ?? '').toLowerCase();
  const base = native.replace(/\(.*$/, '').trim();
  const utf8 = bytes(`CONVERT(${c} USING utf8mb4)`);
  switch (type.kind) {
    case 'integer': {
      const held = nativeRange(native);
      if (!held) return undefined;
      const [min, max] = integerRange(type.bits);
      return { clean: held[0] >= min && held[1] <= max ? '' : `${c} BETWEEN ${min} AND ${max}`, text: c, escape: false };
    }
    case 'boolean':
      if (base !== 'tinyint') return undefined;
      return {
        clean: `${c} IN (0, 1)`,
        text: `CASE ${c} WHEN 1 THEN ${quoteString(format.booleans[1])} ELSE ${quoteString(format.booleans[0])} END`,
        escape: false,
      };
    case 'decimal':
      // The server's own spelling, exact digits, which conformance keeps as it is; a BIGINT UNSIGNED is a decimal(20).
      if (!/^(decimal|numeric|fixed|bigint)\b/.test(native)) return undefined;
      return { clean: '', text: bytes(c), escape: false };
    case 'real':
      // A DOUBLE is spelled with its shortest round-trip digits. A FLOAT would be rounded twice: it goes as a value.
      if (type.bits !== 64 || !/^(double|real)\b/.test(native)) return undefined;
      return { clean: '', text: c, escape: false };
    case 'text': {
      if (!/^(char|varchar|tinytext|text|mediumtext|longtext|set)\b/.test(native)) return undefined;
      // A CHAR(n) or VARCHAR(n) holds n characters at most: only a narrower portable length needs the count.
      const declared = /^(var)?char\((\d+)\)/.exec(native)?.[2];
      const counted = type.length !== undefined && (declared === undefined || Number(declared) > type.length);
      const length = counted ? `CHAR_LENGTH(${c}) <= ${type.length}` : '';
      return { clean: length, text: utf8, escape: true };
    }
    case 'enum':
      return base === 'enum' ? { clean: '', text: utf8, escape: true } : undefined;
    case 'uuid':
      return base === 'uuid' ? { clean: '', text: `CAST(${c} AS CHAR)`, escape: false } : undefined;
    case 'json': {
      // MySQL's JSON type holds only valid JSON, and so does MariaDB's (a LONGTEXT whose json_valid() check made it
      // portable json, introspect.ts); anything else is checked here.
      const checks = ['json', 'longtext'].includes(base) || request.load.checksJson ? [] : [`JSON_VALID(${c})`];
      if (!request.limits.textAllowsNul) checks.push(`INSTR(${bytes(c)}, '\\u0000') = 0`);
      return { clean: checks.join(' AND '), text: utf8, escape: true };
    }
    case 'binary':
      if (!/^(binary|varbinary|tinyblob|blob|mediumblob|longblob)\b/.test(native)) return undefined;
      return { clean: '', text: `CONCAT(${quoteString(format.binaryPrefix)}, HEX(${c}))`, escape: false };
    case 'date':
      return base === 'date' ? { clean: realDay(c), text: bytes(c), escape: false } : undefined;
    case 'time': {
      // Conformance keeps a time of day as the server spells it; negative times and times past a day are refused there.
      if (base !== 'time') return undefined;
      const clean = [`${c} BETWEEN '00:00:00' AND '23:59:59.999999'`, ...fractionFits(c, native, fractionDigitsKept(type, request.limits))];
      return { clean: clean.join(' AND '), text: bytes(c), escape: false };
    }
    case 'timestamp': {
      if (base !== (type.tz ? 'timestamp' : 'datetime')) return undefined;
      // The server pads the fraction to the column's digits; conformance drops trailing zeros (and a bare point).
      const text = (type.precision ?? 0) > 0 ? `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${bytes(c)}))` : bytes(c);
      const clean = [realDay(c), ...fractionFits(c, native, fractionDigitsKept(type, request.limits))];
      return { clean: clean.join(' AND '), text: type.tz && format.timestampOffset ? `CONCAT(${text}, '+00:00')` : text, escape: false };
    }
  }
}

/** The fraction of a second has no more digits than the target keeps (none to check when the column has no more). */
function fractionFits(c: string, native: string, digits: number): string[] {
  const held = Number(/\((\d)\)/.exec(native)?.[1] ?? 0);
  return held <= digits ? [] : [`MICROSECOND(${c}) % ${10 ** (6 - digits)} = 0`];
}

/** The values a MySQL integer type holds, or undefined for a type that is not one. */
function nativeRange(native: string): [bigint, bigint] | undefined {
  const bits = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, integer: 32, bigint: 64 }[/^[a-z]+/.exec(native)?.[0] ?? ''];
  if (native.startsWith('year')) return [0n, 2155n];
  if (bits === undefined) return undefined;
  const span = 1n << BigInt(bits);
  return native.includes('unsigned') ? [0n, span - 1n] : [-span / 2n, span / 2n - 1n];
}

/** Not in year 0, nor a zero date, nor one with a zero month or day, nor an invalid one (TO_DAYS is NULL for those). */
function realDay(c: string): string {
  return `${c} >= '0001-01-01' AND TO_DAYS(${c}) IS NOT NULL`;
}
