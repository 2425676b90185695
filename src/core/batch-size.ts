import type { Row } from './values.js';

/**
 * Rows per batch for a reader, bounded by a row count and by bytes: a batch of wide rows holds fewer of them, so
 * that memory stays bounded whatever a row holds. The size of the rows read so far sets the size of the next batch.
 */
export class BatchSizer {
  private rows: number;

  constructor(
    private readonly maxRows: number,
    private readonly maxBytes = DEFAULT_BATCH_BYTES,
  ) {
    // The first batch is small until the rows' size is known.
    this.rows = Math.max(1, Math.min(maxRows, 1000));
  }

  /** How many rows to read next. */
  next(): number {
    return this.rows;
  }

  /** Sizes the next batch after the one just read. */
  observe(batch: Row[]): void {
    if (batch.length === 0) return;
    let bytes = 0;
    for (const row of batch) bytes += rowBytes(row);
    const perRow = Math.max(1, bytes / batch.length);
    this.rows = Math.max(1, Math.min(this.maxRows, Math.floor(this.maxBytes / perRow)));
  }
}

/** Bytes of values a batch may hold (an estimate: text counted by UTF-16 units, other values by a fixed size). */
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;

/** A row's rough size in memory: its text and bytes, and a few dozen bytes for every other value. */
export function rowBytes(row: Row): number {
  let n = 16 * row.length;
  for (const v of row) {
    if (typeof v === 'string') n += v.length * 2;
    else if (v instanceof Uint8Array) n += v.length;
  }
  return n;
}
