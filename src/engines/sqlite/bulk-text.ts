import type { BulkTextFormat } from '../../core/bulk-text.js';
import type { BulkTextRequest } from '../../core/dataset.js';
import type { ColumnSchema } from '../../core/schema.js';
import { fractionDigitsKept } from '../../core/conform.js';
import { integerRange } from '../../core/types.js';
import type { BulkTextDialect, FieldSql } from '../sql/bulk-text.js';

/**
 * How SQLite formats a field of bulk text (see engines/sql/bulk-text.ts for the rule). SQLite stores any value in
 * any column, so every condition starts with the storage class the portable type expects; the rest mirrors what
 * conform.ts accepts unchanged.
 */
export const sqliteBulkText: BulkTextDialect = {
  literal: (s) => `'${s.replaceAll("'", "''")}'`,
  concat: (parts) => parts.join(' || '),
  replace: (text, from, to) => `replace(${text}, ${from}, ${to})`,
  byteLength: (c) => `octet_length(${c})`,
  // Escapes as JSON.stringify does: \b \f \n \r \t, other control characters as \u00xx.
  jsonQuote: (text) => `json_quote(${text})`,
  field,
};

const NO_NUL = (c: string) => `instr(${c}, char(0)) = 0`;
const HEX = '[0-9a-f]';
const UUID_GLOB = [8, 4, 4, 4, 12].map((n) => HEX.repeat(n)).join('-');

function field(column: ColumnSchema, c: string, format: BulkTextFormat, request: BulkTextRequest): FieldSql | undefined {
  const type = column.type;
  const lit = sqliteBulkText.literal;
  switch (type.kind) {
    case 'integer': {
      const [min, max] = integerRange(type.bits);
      const range = type.bits === 64 ? '' : ` AND ${c} BETWEEN ${min} AND ${max}`;
      return { clean: `typeof(${c}) = 'integer'${range}`, text: c, escape: false };
    }
    case 'boolean':
      return {
        clean: `typeof(${c}) = 'integer' AND ${c} IN (0, 1)`,
        text: `CASE ${c} WHEN 1 THEN ${lit(format.booleans[1])} ELSE ${lit(format.booleans[0])} END`,
        escape: false,
      };
    case 'real':
      // CAST spells a double so that it reads back as the same double (15 digits when they suffice, else 17), which
      // is what the target stores; JavaScript's shortest spelling may differ in the text, never in the value. A
      // 32-bit real would be rounded twice (to the decimal, then to a float): it goes as a value.
      if (type.bits === 32) return undefined;
      // An integer is spelled exactly and read as the nearest double, as conformance reads it. Infinities go as values.
      return {
        clean: `(typeof(${c}) = 'integer' OR (typeof(${c}) = 'real' AND abs(${c}) <= 1.7976931348623157e308))`,
        text: `CAST(${c} AS TEXT)`,
        escape: false,
      };
    case 'decimal': {
      // Without a declared precision, the target's own bounds (if any) are the ones to fit.
      const bounds = type.precision === undefined ? request.load.decimalBounds?.[column.name] : undefined;
      return decimalField(c, type.precision ?? bounds?.precision, type.precision === undefined ? (bounds?.scale ?? 0) : (type.scale ?? 0));
    }
    case 'text':
    case 'enum': {
      const checks = [`typeof(${c}) = 'text'`, NO_NUL(c)];
      if (type.kind === 'text' && type.length !== undefined) checks.push(`length(${c}) <= ${type.length}`);
      if (type.kind === 'enum') checks.push(`${c} IN (${type.values.map(lit).join(', ')})`);
      return { clean: checks.join(' AND '), text: c, escape: true };
    }
    case 'uuid':
      return { clean: `typeof(${c}) = 'text' AND ${c} GLOB '${UUID_GLOB}'`, text: c, escape: false };
    case 'json': {
      const checks = [`typeof(${c}) = 'text'`, NO_NUL(c), ...(request.load.checksJson ? [] : [`json_valid(${c})`])];
      if (!request.limits.textAllowsNul) checks.push(`instr(${c}, '\\u0000') = 0`);
      return { clean: checks.join(' AND '), text: c, escape: true };
    }
    case 'binary': {
      const length = type.length === undefined ? '' : ` AND length(${c}) <= ${type.length}`;
      return { clean: `typeof(${c}) = 'blob'${length}`, text: `${lit(format.binaryPrefix)} || hex(${c})`, escape: false };
    }
    case 'date':
      return { clean: `typeof(${c}) = 'text' AND date(${c}) = ${c} AND ${c} >= '0001-01-01'`, text: c, escape: false };
    case 'time':
      // Only whole seconds: a fraction is kept as written by conformance, and time() would drop it.
      return { clean: `typeof(${c}) = 'text' AND time(${c}) = ${c}`, text: c, escape: false };
    case 'timestamp':
      return timestampField(c, type.tz, format.timestampOffset, fractionDigitsKept(type, request.limits));
  }
}

/**
 * A decimal stored as an integer is exact. One stored as a real is conformed to JavaScript's shortest spelling of
 * the double; CAST spells it alike (less SQLite's `.0` on whole numbers) when its 15-digit form reads back as the
 * same double, which holds for every value of at most 15 significant digits. With a precision, round() says the value
 * has no more fraction digits than the scale (larger magnitudes are refused by the bound, smaller ones would be
 * spelled with an exponent). Text, and anything else, goes as a value.
 */
function decimalField(c: string, precision: number | undefined, scale: number): FieldSql {
  const text = `CASE WHEN typeof(${c}) = 'integer' THEN ${c} WHEN ${c} = CAST(${c} AS INTEGER) THEN CAST(CAST(${c} AS INTEGER) AS TEXT) ELSE CAST(${c} AS TEXT) END`;
  if (precision === undefined || precision > 15) {
    // No bound to reason with: the spelling itself must be short and plain.
    const t = `CAST(${c} AS TEXT)`;
    const bound = precision === undefined ? '' : ` AND ${c} > -1e${precision - scale} AND ${c} < 1e${precision - scale}`;
    const real = `typeof(${c}) = 'real' AND length(${t}) <= 15 AND instr(${t}, 'e') = 0${precision === undefined ? '' : ` AND round(${c}, ${scale}) = ${c}`}`;
    return { clean: `((typeof(${c}) = 'integer'${bound}) OR (${real}${bound}))`, text, escape: false };
  }
  const bound = `1e${precision - scale}`;
  const small = scale > 4 ? ` AND (${c} = 0 OR abs(${c}) >= 1e-4)` : '';
  return {
    clean: `(typeof(${c}) = 'integer' OR (typeof(${c}) = 'real' AND round(${c}, ${scale}) = ${c}${small})) AND ${c} > -${bound} AND ${c} < ${bound}`,
    text,
    escape: false,
  };
}

/** A timestamp's first 19 characters: `YYYY-MM-DD HH:MM:SS`, digits where digits go. */
const DATETIME = '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]';

/**
 * A timestamp as conformance keeps it or trims it: `YYYY-MM-DD HH:MM:SS` and a fraction of 1 to 6 digits (trailing
 * zeros dropped), with `+00:00` for a time-zone-aware one. The date must be a real day (date() is asked only
 * past the 28th); the time's digits are the target's to check, as they are on the value path. The usual lengths
 * (no fraction, or six digits) are matched by one pattern each. A target that rounds past a number of digits gets
 * only values that have no more.
 */
function timestampField(c: string, tz: boolean, keepOffset: boolean, fractionDigits: number): FieldSql {
  const base = tz ? `substr(${c}, 1, length(${c}) - 6)` : c;
  const offset = tz ? '+00:00' : '';
  const day = `substr(${c}, 1, 10)`;
  const shape =
    `CASE length(${c}) WHEN ${26 + offset.length} THEN ${c} GLOB '${DATETIME}.[0-9][0-9][0-9][0-9][0-9][0-9]${offset}' ` +
    `WHEN ${19 + offset.length} THEN ${c} GLOB '${DATETIME}${offset}' ` +
    `ELSE ${c} GLOB '${DATETIME}.[0-9]*${offset}' AND NOT substr(${base}, 21) GLOB '*[^0-9]*' AND length(${base}) BETWEEN 21 AND 26 END`;
  const checks = [
    `typeof(${c}) = 'text'`,
    shape,
    `${c} >= '0001'`,
    `substr(${c}, 6, 5) BETWEEN '01-01' AND '12-31'`,
    `(substr(${c}, 9, 2) BETWEEN '01' AND '28' OR date(${day}) = ${day})`,
    // No more digits (trailing zeros aside) than the target keeps.
    ...(fractionDigits < 6 ? [`length(rtrim(substr(${base}, 21), '0')) <= ${fractionDigits}`] : []),
  ];
  const trimmed = `CASE WHEN length(${base}) = 19 THEN ${base} ELSE rtrim(rtrim(${base}, '0'), '.') END`;
  return { clean: checks.join(' AND '), text: tz && keepOffset ? `${trimmed} || '+00:00'` : trimmed, escape: false };
}
