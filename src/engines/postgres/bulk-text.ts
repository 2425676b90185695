import { fractionDigitsKept } from '../../core/conform.js';
import type { BulkTextFormat } from '../../core/bulk-text.js';
import type { BulkTextRequest } from '../../core/dataset.js';
import type { ColumnSchema } from '../../core/schema.js';
import type { BulkTextDialect, FieldSql } from '../sql/bulk-text.js';

/**
 * How PostgreSQL formats a field of bulk text (see engines/sql/bulk-text.ts for the rule). Columns are typed and
 * text never holds NUL, so the conditions are about the ranges a portable value has and PostgreSQL's exceed:
 * infinities, years before 1 or after 9999, numeric NaN, a time of 24:00. The session is in UTC with ISO dates and
 * shortest exact reals (connect.ts), so each type's text is what the value path reads.
 */
export function pgBulkText(asText: ReadonlySet<string>): BulkTextDialect {
  return {
    literal: (s) => `'${s.replaceAll("'", "''")}'`,
    // concat() takes any type and reads NULL as empty (no field is NULL here: NULL is spelled \N before).
    concat: (parts) => `concat(${parts.join(', ')})`,
    replace: (text, from, to) => `replace(${text}, ${from}, ${to})`,
    // As text, the size a field's value comes to (a bytea's hex form is what travels).
    byteLength: (c) => `octet_length(${c}::text)`,
    jsonQuote: (text) => `to_json(${text})::text`,
    realSpecials: true,
    field: (column, c, format, request) =>
      asText.has(column.name) ? { clean: '', text: `${c}::text`, escape: true } : field(column, c, format, request),
  };
}

const TIMESTAMP_RANGE = (c: string) => `${c} BETWEEN '0001-01-01' AND '9999-12-31 23:59:59.999999'`;

function field(column: ColumnSchema, c: string, format: BulkTextFormat, request: BulkTextRequest): FieldSql | undefined {
  const type = column.type;
  const native = (column.nativeType ?? '').toLowerCase();
  const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
  switch (type.kind) {
    case 'integer':
      return ['smallint', 'integer', 'bigint'].includes(native) ? { clean: '', text: `${c}::text`, escape: false } : undefined;
    case 'decimal':
      // NaN and the infinities have no portable decimal; every other numeric is spelled with its exact digits.
      return native.startsWith('numeric')
        ? { clean: `${c}::text NOT IN ('NaN', 'Infinity', '-Infinity')`, text: `${c}::text`, escape: false }
        : undefined;
    case 'real': {
      // A real is spelled with the shortest digits that read back as the same double. A 32-bit one goes as a value.
      if (native !== 'double precision') return undefined;
      const finite = request.limits.realAllowsSpecials ? '' : `${c} NOT IN ('NaN', 'Infinity', '-Infinity')`;
      return { clean: finite, text: `${c}::text`, escape: false };
    }
    case 'boolean':
      return native === 'boolean'
        ? { clean: '', text: `CASE WHEN ${c} THEN ${literal(format.booleans[1])} ELSE ${literal(format.booleans[0])} END`, escape: false }
        : undefined;
    case 'text':
      // character(n) is read padded, and its text cast would drop the padding: it goes as values.
      return /^(text|character varying|name)\b/.test(native) ? { clean: '', text: `${c}::text`, escape: true } : undefined;
    case 'enum':
      return { clean: '', text: `${c}::text`, escape: true };
    case 'uuid':
      return native === 'uuid' ? { clean: '', text: `${c}::text`, escape: false } : undefined;
    case 'json': {
      if (native !== 'json' && native !== 'jsonb') return undefined;
      const noNul = request.limits.textAllowsNul ? '' : `strpos(${c}::text, '\\u0000') = 0`;
      return { clean: noNul, text: `${c}::text`, escape: true };
    }
    case 'binary':
      return native === 'bytea' ? { clean: '', text: `${literal(format.binaryPrefix)} || encode(${c}, 'hex')`, escape: false } : undefined;
    case 'date':
      return native === 'date' ? { clean: `${c} BETWEEN '0001-01-01' AND '9999-12-31'`, text: `${c}::text`, escape: false } : undefined;
    case 'time': {
      if (!/^time\b.*without time zone$|^time$/.test(native)) return undefined;
      const clean = [`${c} < '24:00:00'`, ...fractionFits(c, type.precision, fractionDigitsKept(type, request.limits))];
      return { clean: clean.join(' AND '), text: `${c}::text`, escape: false };
    }
    case 'timestamp': {
      if (!native.startsWith('timestamp')) return undefined;
      const clean = [TIMESTAMP_RANGE(c), ...fractionFits(c, type.precision, fractionDigitsKept(type, request.limits))].join(' AND ');
      if (!type.tz) return { clean, text: `${c}::text`, escape: false };
      // Read in UTC as `… +00`: the portable spelling is `+00:00`, or none for a target that holds UTC without one.
      const text = format.timestampOffset ? `${c}::text || ':00'` : `(${c} AT TIME ZONE 'UTC')::text`;
      return { clean, text, escape: false };
    }
  }
}

/** The fraction of a second has no more digits than the target keeps (none to check when the column holds no more). */
function fractionFits(c: string, held: number | undefined, digits: number): string[] {
  return (held ?? 6) <= digits ? [] : [`extract(microseconds FROM ${c})::bigint % ${10 ** (6 - digits)} = 0`];
}
