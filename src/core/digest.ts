import { createHash, hash as oneShotHash } from 'node:crypto';
import type { PortableType } from './types.js';
import { InvalidValue, type Row, type Value } from './values.js';

/**
 * The order-independent content fingerprint of a table (DESIGN.md "digest").
 *
 * Every row is encoded from its portable values (so the same data read from SQLite, PostgreSQL or MySQL encodes
 * the same), hashed, and the hashes are added lane by lane into one of {@link BUCKETS} buckets chosen by the
 * row's key. Addition makes the result independent of row order and, unlike XOR, sensitive to duplicate rows.
 * The buckets let `verify` find which keys differ with a second pass that looks only at differing buckets.
 */
export const BUCKETS = 64;
const LANES = 4;

export class TableDigest {
  rows = 0;
  readonly sums = new Uint32Array(BUCKETS * LANES);

  /** Adds one row; `keyIndexes` are the positions of the key columns (empty: the whole row is the key). */
  add(row: Row, encoders: ValueEncoder[], keyIndexes: number[]): void {
    const hash = rowHash(row, encoders);
    const bucket = bucketOf(row, encoders, keyIndexes, hash);
    const base = bucket * LANES;
    for (let i = 0; i < LANES; i++) this.sums[base + i] = (this.sums[base + i]! + hash[i]!) >>> 0;
    this.rows++;
  }

  /** Adds another digest's rows to this one (digests of disjoint row sets combine by addition). */
  merge(other: TableDigest): this {
    for (let i = 0; i < this.sums.length; i++) this.sums[i] = (this.sums[i]! + other.sums[i]!) >>> 0;
    this.rows += other.rows;
    return this;
  }

  clone(): TableDigest {
    return TableDigest.fromJSON(this.toJSON());
  }

  /** The digest as a short hex string: equal digests mean equal multisets of rows. */
  hex(): string {
    return createHash('sha256').update(Buffer.from(this.sums.buffer)).update(String(this.rows)).digest('hex').slice(0, 32);
  }

  differingBuckets(other: TableDigest): Set<number> {
    const out = new Set<number>();
    for (let b = 0; b < BUCKETS; b++) {
      for (let i = 0; i < LANES; i++) {
        if (this.sums[b * LANES + i] !== other.sums[b * LANES + i]) out.add(b);
      }
    }
    return out;
  }

  /** A compact form for checkpoints: the row count and the lanes as base64. */
  toJSON(): { rows: number; sums: string } {
    return { rows: this.rows, sums: Buffer.from(this.sums.buffer).toString('base64') };
  }

  static fromJSON(data: { rows: number; sums: string }): TableDigest {
    const d = new TableDigest();
    d.rows = data.rows;
    const bytes = Buffer.from(data.sums, 'base64');
    d.sums.set(new Uint32Array(bytes.buffer, bytes.byteOffset, BUCKETS * LANES));
    return d;
  }
}

export type ValueEncoder = (value: Value) => string | null;

/** The canonical text of each value, by the family of its portable type. */
export function valueEncoder(type: PortableType): ValueEncoder {
  const wrap =
    (f: (v: Exclude<Value, null>) => string): ValueEncoder =>
    (v) =>
      v === null ? null : v instanceof InvalidValue ? `\u0000invalid:${v.detail}` : f(v);
  switch (type.kind) {
    case 'decimal':
      return wrap((v) => normalizeDecimal(String(v)));
    case 'real':
      return wrap((v) => (typeof v === 'number' ? String(type.bits === 32 ? Math.fround(v) : v) : String(v)));
    case 'binary':
      return wrap((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : `\u0000text:${String(v)}`));
    case 'json':
      return wrap((v) => canonicalJson(String(v)));
    case 'time':
      return wrap((v) => trimFraction(String(v)));
    case 'timestamp':
      // tz-aware instants compare in UTC, so a value carried into an engine without time zones (stored as UTC)
      // still matches.
      return wrap((v) => trimFraction(String(v).replace(/\+00:00$/, '')));
    case 'uuid':
      return wrap((v) => String(v).toLowerCase());
    case 'boolean':
      return wrap((v) => (v === true || v === 1 || v === 1n ? 'true' : v === false || v === 0 || v === 0n ? 'false' : String(v)));
    default:
      return wrap((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : String(v)));
  }
}

/**
 * The hash of one row's canonical encoding. SHA-1 is used for speed (it runs on the CPU's SHA instructions, and
 * one-shot hashing avoids an object per row); the digest detects accidental differences, it is not a signature.
 */
export function rowHash(row: Row, encoders: ValueEncoder[]): Uint32Array {
  const encoded = new Array<string | null>(row.length);
  for (let i = 0; i < row.length; i++) encoded[i] = encoders[i]!(row[i] ?? null);
  const digest = oneShotHash('sha1', JSON.stringify(encoded), 'buffer');
  return new Uint32Array(digest.buffer, digest.byteOffset, LANES);
}

export function keyText(row: Row, encoders: ValueEncoder[], keyIndexes: number[]): string {
  return JSON.stringify(keyIndexes.map((i) => encoders[i]!(row[i] ?? null)));
}

/** The bucket of a row: by its key, or by its whole content when the table has no key. */
export function bucketOf(row: Row, encoders: ValueEncoder[], keyIndexes: number[], hash = rowHash(row, encoders)): number {
  if (keyIndexes.length === 0) return hash[0]! % BUCKETS;
  return fnv1a(keyText(row, encoders, keyIndexes)) % BUCKETS;
}

/** A fast 32-bit string hash (FNV-1a): buckets only need an even spread of keys, the same on both sides. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function normalizeDecimal(s: string): string {
  let t = s.trim();
  const negative = t.startsWith('-');
  t = t.replace(/^[+-]/, '');
  let [whole = '', frac = ''] = t.split('.');
  whole = whole.replace(/^0+/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${whole}.${frac}` : whole;
  return negative && out !== '0' ? `-${out}` : out;
}

function trimFraction(s: string): string {
  return s.replace(/\.(\d*?)0+$/, (_m, d: string) => (d ? `.${d}` : ''));
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return `\u0000badjson:${text}`;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
