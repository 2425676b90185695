import { appendFileSync, existsSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { TableSchema } from '../core/schema.js';
import { toJsonValue, type Row } from '../core/values.js';

/**
 * The reject files of a run: one NDJSON file per table, `<dir>/<table>.ndjson`, one line per row that could not be
 * written: `{"reason": "…", "column": "…", "row": {"col": value, …}}`. Files are created only when a table has a
 * reject, so an empty folder means nothing was rejected.
 *
 * Lines are appended synchronously, before the batch they belong to commits, and each checkpoint records the
 * file's size: a resumed run cuts the file back to that size, so a row is never listed twice nor lost.
 */
export class RejectLog {
  readonly counts = new Map<string, number>();

  constructor(readonly dir: string) {}

  add(table: TableSchema, row: Row, reason: string, column?: string): void {
    mkdirSync(this.dir, { recursive: true });
    const record: Record<string, unknown> = {};
    table.columns.forEach((c, i) => (record[c.name] = toJsonValue(row[i] ?? null)));
    appendFileSync(this.pathOf(table.name), `${JSON.stringify({ reason, column, row: record })}\n`);
    this.counts.set(table.name, (this.counts.get(table.name) ?? 0) + 1);
  }

  /** The size in bytes of a table's reject file (0 when it has none). */
  size(table: string): number {
    const path = this.pathOf(table);
    return existsSync(path) ? statSync(path).size : 0;
  }

  /** Cuts a table's reject file back to what a checkpoint recorded. */
  truncate(table: string, bytes: number): void {
    const path = this.pathOf(table);
    if (existsSync(path)) truncateSync(path, bytes);
  }

  fileFor(table: string): string | undefined {
    const path = this.pathOf(table);
    return existsSync(path) && statSync(path).size > 0 ? path : undefined;
  }

  private pathOf(table: string): string {
    return join(this.dir, `${safeFileName(table)}.ndjson`);
  }
}

/** A table name as a file name: path separators and control characters replaced, the rest kept. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[/\\\x00-\x1f]/g, '_').replace(/^\.+/, '_');
}
