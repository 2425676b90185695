import type { Value } from '../core/values.js';

/**
 * Resume keys in checkpoints are JSON: values JSON cannot hold exactly (big integers, bytes) are tagged objects.
 */
export type EncodedKey = (string | number | boolean | null | { bigint: string } | { bytes: string })[];

export function encodeKey(key: Value[]): EncodedKey {
  return key.map((v) => {
    if (typeof v === 'bigint') return { bigint: v.toString() };
    if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('base64') };
    if (v !== null && typeof v === 'object') throw new Error('an invalid value cannot be a resume key');
    return v;
  });
}

export function decodeKey(key: EncodedKey): Value[] {
  return key.map((v) => {
    if (v !== null && typeof v === 'object') return 'bigint' in v ? BigInt(v.bigint) : Buffer.from(v.bytes, 'base64');
    return v;
  });
}
