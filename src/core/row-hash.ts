import { hash as oneShotHash } from 'node:crypto';
import type { ValueEncoder } from './canonical.js';
import type { Row } from './values.js';

/**
 * The hash of one row and the bucket it falls in, in each digest format (digest.ts). Both sides of a comparison
 * must use the same format; a digest records which one it was made with.
 *
 * Format 2 (current) hashes the canonical texts themselves, two UTF-16 code units at a time, in two 32-bit lanes
 * with different multipliers and rotations, then spreads them into four output words with the MurmurHash3
 * finalizer. Each step is a bijection of the lane for a fixed input, so two rows whose inputs differ in one word
 * (two code units) never hash the same; every value is preceded by its length (or a NULL mark), so boundaries are
 * unambiguous. It runs in the JavaScript that already holds the texts: no UTF-8 copy, no JSON, no native call per
 * row. Format 1 (SHA-1 of the row's texts as a JSON array) cost several times more, and is kept only to read the
 * checkpoints and backups written with it.
 */
export const LANES = 4;

/** Mark fed in place of a length for NULL: no text is 2^32 − 1 code units long. */
const NULL_MARK = 0xffffffff | 0;
const M_A = 0x9e3779b1 | 0;
const M_B = 0x85ebca77 | 0;

export interface RowHasher {
  /** The row's hash, in `out[0..3]` (overwritten on each call). */
  hash(row: Row): Uint32Array;
  /** The row's bucket of `buckets`: by its key columns, or by its whole content when the table has no key. */
  bucket(row: Row, hash: Uint32Array, buckets: number): number;
}

export function rowHasher(format: 1 | 2, encoders: ValueEncoder[], keyIndexes: number[]): RowHasher {
  return format === 1 ? new Sha1Json(encoders, keyIndexes) : new TwoLane(encoders, keyIndexes);
}

class TwoLane implements RowHasher {
  private readonly out = new Uint32Array(LANES);
  private readonly lanes = new Int32Array(2);

  constructor(
    private readonly encoders: ValueEncoder[],
    private readonly keyIndexes: number[],
  ) {}

  hash(row: Row): Uint32Array {
    const lanes = this.lanes;
    lanes[0] = 0x243f6a88 ^ row.length;
    lanes[1] = 0x13198a2e ^ row.length;
    for (let i = 0; i < row.length; i++) feed(lanes, this.encoders[i]!(row[i] ?? null));
    spread(lanes[0]!, lanes[1]!, this.out);
    return this.out;
  }

  bucket(row: Row, hash: Uint32Array, buckets: number): number {
    if (this.keyIndexes.length === 0) return hash[0]! % buckets;
    const lanes = this.lanes;
    lanes[0] = 0x452821e6 ^ this.keyIndexes.length;
    lanes[1] = 0x38d01377;
    for (const i of this.keyIndexes) feed(lanes, this.encoders[i]!(row[i] ?? null));
    return fmix(lanes[0]!) % buckets;
  }
}

/** Feeds one value's canonical text (or NULL) into both lanes. */
function feed(lanes: Int32Array, text: string | null): void {
  let a = lanes[0]!;
  let b = lanes[1]!;
  let w = text === null ? NULL_MARK : text.length;
  a = Math.imul(a ^ w, M_A);
  a = (a << 13) | (a >>> 19);
  b = Math.imul(b ^ w, M_B);
  b = (b << 17) | (b >>> 15);
  if (text !== null) {
    const n = text.length;
    for (let j = 0; j < n; j += 2) {
      // The last code unit of an odd-length text pairs with 0: the length fed first tells it apart.
      w = text.charCodeAt(j) | ((j + 1 < n ? text.charCodeAt(j + 1) : 0) << 16);
      a = Math.imul(a ^ w, M_A);
      a = (a << 13) | (a >>> 19);
      b = Math.imul(b ^ w, M_B);
      b = (b << 17) | (b >>> 15);
    }
  }
  lanes[0] = a;
  lanes[1] = b;
}

/** Four well-mixed words from the two lanes. */
function spread(a: number, b: number, out: Uint32Array): void {
  out[0] = fmix(a);
  out[1] = fmix(b);
  out[2] = fmix((a + Math.imul(b, 0xc2b2ae35 | 0)) | 0);
  out[3] = fmix(b ^ ((a << 16) | (a >>> 16)) ^ 0x27d4eb2f);
}

/** MurmurHash3's 32-bit finalizer: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35 | 0);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Format 1: SHA-1 of `JSON.stringify` of the row's canonical texts; buckets by FNV-1a of the key's texts as JSON. */
class Sha1Json implements RowHasher {
  constructor(
    private readonly encoders: ValueEncoder[],
    private readonly keyIndexes: number[],
  ) {}

  hash(row: Row): Uint32Array {
    const encoded = new Array<string | null>(row.length);
    for (let i = 0; i < row.length; i++) encoded[i] = this.encoders[i]!(row[i] ?? null);
    const digest = oneShotHash('sha1', JSON.stringify(encoded), 'buffer');
    // The first 16 bytes read as this machine's 32-bit words, as format 1 always did.
    return new Uint32Array(digest.buffer, digest.byteOffset, LANES);
  }

  bucket(row: Row, hash: Uint32Array, buckets: number): number {
    if (this.keyIndexes.length === 0) return hash[0]! % buckets;
    const text = JSON.stringify(this.keyIndexes.map((i) => this.encoders[i]!(row[i] ?? null)));
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0) % buckets;
  }
}
