import type { Key } from './types.js';

/**
 * Lookup keys and stored values as text, for the scratch store. Integers are spelled the same whether they come
 * as number or bigint, so a key built from one table's `id` finds the same key read from another table's column.
 */
export function encodeKey(key: Key): string {
  return JSON.stringify(key, replacer);
}

/** A value (lookup value, kept remap value, aggregate) as JSON text that keeps bigints and bytes. */
export function encodeStored(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, replacer) ?? 'null';
}

export function decodeStored(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$bigint === 'string' && Object.keys(o).length === 1) return BigInt(o.$bigint);
      if (typeof o.$bytes === 'string' && Object.keys(o).length === 1) return Buffer.from(o.$bytes, 'base64');
    }
    return v;
  });
}

/** A row key as JSON for findings and messages: big integers as strings, bytes as base64. */
export function jsonKey(key: unknown): unknown {
  return JSON.parse(
    JSON.stringify(key, (_k, v: unknown) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      return v;
    }) ?? 'null',
  );
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify hands a Buffer's toJSON() to the replacer: read the original from the holder instead.
  const original = key === '' ? value : (this as Record<string, unknown>)[key];
  if (typeof original === 'bigint') return Number.isSafeInteger(Number(original)) ? Number(original) : { $bigint: original.toString() };
  if (original instanceof Uint8Array) return { $bytes: Buffer.from(original).toString('base64') };
  return value;
}
