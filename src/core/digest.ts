import { createHash } from 'node:crypto';
import type { ValueEncoder } from './canonical.js';
import { FerryError } from './errors.js';
import { LANES, rowHasher, type RowHasher } from './row-hash.js';
import type { Row } from './values.js';

/**
 * The order-independent content fingerprint of a table (DESIGN.md "digest").
 *
 * Every row is encoded from its portable values (canonical.ts: the same data read from SQLite, PostgreSQL or MySQL
 * encodes the same), hashed (row-hash.ts), and the hashes are added lane by lane into one of {@link BUCKETS}
 * buckets chosen by the row's key. Addition makes the result independent of row order and, unlike XOR, sensitive to
 * duplicate rows. The buckets let `verify` find which keys differ with a second pass that looks only at differing
 * buckets.
 */
export const BUCKETS = 64;

/**
 * How rows are hashed. A digest keeps its format, in its checkpoint form and in its text, so that a run resumed from
 * an older checkpoint goes on in that format, and a backup's recorded digests are only compared with digests of the
 * same format.
 */
export type DigestFormat = 1 | 2;
export const CURRENT_DIGEST_FORMAT: DigestFormat = 2;

export class TableDigest {
  rows = 0;
  readonly sums = new Uint32Array(BUCKETS * LANES);
  private hasher?: { encoders: ValueEncoder[]; keyIndexes: number[]; of: RowHasher };

  constructor(readonly format: DigestFormat = CURRENT_DIGEST_FORMAT) {}

  /** Adds one row; `keyIndexes` are the positions of the key columns (empty: the whole row is the key). */
  add(row: Row, encoders: ValueEncoder[], keyIndexes: number[]): void {
    const hasher = this.hasherFor(encoders, keyIndexes);
    const hash = hasher.hash(row);
    const base = hasher.bucket(row, hash, BUCKETS) * LANES;
    for (let i = 0; i < LANES; i++) this.sums[base + i] = (this.sums[base + i]! + hash[i]!) >>> 0;
    this.rows++;
  }

  /** Adds another digest's rows to this one (digests of disjoint row sets combine by addition). */
  merge(other: TableDigest): this {
    if (other.format !== this.format) throw new Error(`cannot merge a format ${other.format} digest into a format ${this.format} one`);
    for (let i = 0; i < this.sums.length; i++) this.sums[i] = (this.sums[i]! + other.sums[i]!) >>> 0;
    this.rows += other.rows;
    return this;
  }

  /** Takes away another digest's rows, which this one holds (the inverse of merge). */
  subtract(other: TableDigest): this {
    if (other.format !== this.format) throw new Error(`cannot subtract a format ${other.format} digest from a format ${this.format} one`);
    for (let i = 0; i < this.sums.length; i++) this.sums[i] = (this.sums[i]! - other.sums[i]!) >>> 0;
    this.rows -= other.rows;
    return this;
  }

  /** An empty digest of the same format. */
  empty(): TableDigest {
    return new TableDigest(this.format);
  }

  clone(): TableDigest {
    return TableDigest.fromJSON(this.toJSON());
  }

  /** The digest as a short hex string: equal digests (of one format) mean equal multisets of rows. */
  hex(): string {
    const bytes = Buffer.alloc(this.sums.length * 4);
    for (let i = 0; i < this.sums.length; i++) bytes.writeUInt32LE(this.sums[i]!, i * 4);
    return createHash('sha256').update(bytes).update(String(this.rows)).digest('hex').slice(0, 32);
  }

  /** The digest as a backup records it: the hex, prefixed `2:` in format 2 (format 1's texts have no prefix). */
  text(): string {
    return this.format === 1 ? this.hex() : `${this.format}:${this.hex()}`;
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

  /** A compact form for checkpoints: the row count, the lanes as base64, and the format (absent for format 1). */
  toJSON(): DigestJSON {
    const sums = Buffer.from(this.sums.buffer).toString('base64');
    return this.format === 1 ? { rows: this.rows, sums } : { rows: this.rows, sums, format: this.format };
  }

  static fromJSON(data: DigestJSON): TableDigest {
    const format = data.format ?? 1;
    if (!isDigestFormat(format)) {
      throw new FerryError('refused', `a checkpoint holds a digest of format ${String(format)}, which this ferry does not know`, {
        hint: 'finish the run with the ferry that started it, or pass --force-reset to start over',
      });
    }
    const d = new TableDigest(format);
    d.rows = data.rows;
    const bytes = Buffer.from(data.sums, 'base64');
    d.sums.set(new Uint32Array(bytes.buffer, bytes.byteOffset, BUCKETS * LANES));
    return d;
  }

  /** The row hasher for these encoders and key positions (built once: a table's digest sees the same ones). */
  private hasherFor(encoders: ValueEncoder[], keyIndexes: number[]): RowHasher {
    const h = this.hasher;
    if (h && h.encoders === encoders && h.keyIndexes === keyIndexes) return h.of;
    this.hasher = { encoders, keyIndexes, of: rowHasher(this.format, encoders, keyIndexes) };
    return this.hasher.of;
  }
}

export interface DigestJSON {
  rows: number;
  sums: string;
  /** Absent in checkpoints written before format 2: those are format 1. */
  format?: DigestFormat;
}

export function isDigestFormat(n: unknown): n is DigestFormat {
  return n === 1 || n === 2;
}

/** The format of a digest text as {@link TableDigest.text} wrote it. */
export function digestFormatOf(text: string): number {
  const m = /^(\d+):/.exec(text);
  return m ? Number(m[1]) : 1;
}
