/**
 * In-memory portable values. A row is an array of values in its table's column order.
 *
 * | portable type            | value                                              |
 * |--------------------------|----------------------------------------------------|
 * | integer                  | number when within ±2^53, bigint past that          |
 * | decimal                  | string (`-12.50`)                                   |
 * | real                     | number (NaN and ±Infinity included)                 |
 * | boolean                  | boolean                                             |
 * | text, enum, uuid         | string                                              |
 * | binary                   | Uint8Array (a Buffer)                               |
 * | date, time, timestamp    | string in the backup format's spelling              |
 * | json                     | string: the JSON text                               |
 *
 * Readers may hand over a value their engine held but could not decode faithfully (invalid UTF-8, say) as an
 * {@link InvalidValue}, so that the one conformance step (conform.ts) decides what becomes of the row.
 */
export type Value = null | number | bigint | string | boolean | Uint8Array | InvalidValue;
export type Row = Value[];

/** A source value that cannot be represented faithfully; `detail` goes into the reject file. */
export class InvalidValue {
  constructor(
    readonly reason: string,
    readonly detail: string,
    /** The closest faithful-as-possible value, used only when the user chose a conversion for this case. */
    readonly replacement?: Value,
    /** The conversion rule that allows the replacement (see conform.ts). */
    readonly rule?: string,
  ) {}
}

/** A short, safe rendering of a value for messages and reject files. */
export function describeValue(value: Value): string {
  if (value === null) return 'NULL';
  if (value instanceof InvalidValue) return value.detail;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex').slice(0, 64)}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return String(value);
}

/** Encodes a value for JSON output (reject files, key lists): binary as base64, bigints as strings. */
export function toJsonValue(value: Value): unknown {
  if (value instanceof InvalidValue) return { invalid: value.reason, detail: value.detail };
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
