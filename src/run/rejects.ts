import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { TableSchema } from '../core/schema.js';
import { toJsonValue, type Row } from '../core/values.js';

/**
 * The reject files of a run: one NDJSON file per table, `<dir>/<table>.ndjson`, one line per row that could not be
 * written: `{"reason": "…", "column": "…", "row": {"col": value, …}}`. Files are created only when a table has a
 * reject, so an empty folder means nothing was rejected.
 */
export class RejectLog {
  private readonly streams = new Map<string, WriteStream>();
  readonly counts = new Map<string, number>();

  constructor(readonly dir: string) {}

  add(table: TableSchema, row: Row, reason: string, column?: string): void {
    let stream = this.streams.get(table.name);
    if (!stream) {
      mkdirSync(this.dir, { recursive: true });
      stream = createWriteStream(join(this.dir, `${safeFileName(table.name)}.ndjson`), { flags: 'a' });
      this.streams.set(table.name, stream);
    }
    const record: Record<string, unknown> = {};
    table.columns.forEach((c, i) => (record[c.name] = toJsonValue(row[i] ?? null)));
    stream.write(`${JSON.stringify({ reason, column, row: record })}\n`);
    this.counts.set(table.name, (this.counts.get(table.name) ?? 0) + 1);
  }

  fileFor(table: string): string | undefined {
    return this.streams.has(table) ? join(this.dir, `${safeFileName(table)}.ndjson`) : undefined;
  }

  total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve) => s.end(resolve))));
  }
}

/** A table name as a file name: path separators and control characters replaced, the rest kept. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[/\\\x00-\x1f]/g, '_').replace(/^\.+/, '_');
}
