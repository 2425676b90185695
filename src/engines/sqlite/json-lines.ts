import { BINARY_MARK } from '../../core/bulk-text.js';
import { fractionDigitsKept } from '../../core/conform.js';
import type { BulkTextRequest } from '../../core/dataset.js';
import type { ColumnSchema } from '../../core/schema.js';
import type { BulkTextDialect, FieldSql } from '../sql/bulk-text.js';
import { clean, decimalOf, sqliteBulkText, timestampField } from './bulk-text.js';

/** Past this magnitude an integer is a JSON string in a backup line (docs/backup-format.md, "Values"). */
const SAFE = Number.MAX_SAFE_INTEGER;

/** A string element: the text between quotes, for values whose condition allows no character JSON escapes. */
const quoted = (text: string) => `'"' || ${text} || '"'`;

/**
 * How SQLite spells a backup line's element (core/bulk-text.ts, JsonLinesFormat), under the same conditions as its
 * bulk text (bulk-text.ts): the element is the one the backup writer's encoder would write for the conformed value
 * (backup/encode.ts), but for reals, whose digits may differ (CAST gives 15 digits when they read back as the same
 * double, else 17) while the double they read back as is the same.
 */
export function sqliteJsonField(column: ColumnSchema, c: string, request: BulkTextRequest): Omit<FieldSql, 'escape'> | undefined {
  const type = column.type;
  switch (type.kind) {
    case 'integer':
      return { clean: clean.integer(c, type.bits), text: `CASE WHEN ${c} BETWEEN -${SAFE} AND ${SAFE} THEN ${c} ELSE ${quoted(c)} END` };
    case 'boolean':
      return { clean: clean.boolean(c), text: `CASE ${c} WHEN 1 THEN 'true' ELSE 'false' END` };
    case 'real':
      // As for bulk text (a 32-bit real would be rounded twice), and an integer only where it is exactly a double.
      // A real zero goes as a value: SQL cannot tell -0 (JSON `-0`) from 0.
      if (type.bits === 32) return undefined;
      return {
        clean:
          `((typeof(${c}) = 'integer' AND ${c} BETWEEN -${SAFE} AND ${SAFE}) OR ` +
          `(typeof(${c}) = 'real' AND ${c} <> 0 AND abs(${c}) <= 1.7976931348623157e308))`,
        text: `CAST(${c} AS TEXT)`,
      };
    case 'decimal': {
      const f = decimalOf(column, c, request);
      return { clean: f.clean, text: quoted(f.text) };
    }
    case 'text':
    case 'enum':
      // json_quote escapes as JSON.stringify does (\b \f \n \r \t, other control characters as \u00xx).
      return { clean: clean.text(c, type), text: `json_quote(${c})` };
    case 'uuid':
      return { clean: clean.uuid(c), text: quoted(c) };
    case 'json':
      // The document's own text: whitespace outside strings coded (inside them JSON allows none but spaces), and
      // the document `null` as TAB null (backup/encode.ts, encodeJsonText).
      return {
        clean: clean.json(c, request),
        text:
          `CASE ${c} WHEN 'null' THEN char(9) || 'null' ELSE ` +
          `replace(replace(replace(${c}, char(9), char(9, 9, 9)), char(10), char(9, 32)), char(13), char(9, 9, 32)) END`,
      };
    case 'binary':
      return { clean: clean.binary(c, type), text: `char(${BINARY_MARK}) || hex(${c}) || char(${BINARY_MARK})` };
    case 'date':
      return { clean: clean.date(c), text: quoted(c) };
    case 'time':
      return { clean: clean.time(c), text: quoted(c) };
    case 'timestamp': {
      // Instants keep their +00:00, as the backup format writes them.
      const f = timestampField(c, type.tz, true, fractionDigitsKept(type, request.limits));
      return { clean: f.clean, text: quoted(f.text) };
    }
  }
}

/** SQLite's dialect with backup lines. */
export const sqliteLines: BulkTextDialect = { ...sqliteBulkText, jsonField: sqliteJsonField };
