import type { DatasetReader } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import type { Schema, TableSchema } from '../core/schema.js';
import type { Row, Value } from '../core/values.js';
import type { HopDef } from './define.js';
import type { RowObject } from './parts.js';
import { rowKey, rowReader } from './rows.js';

/**
 * What a hop reads: the dataset before it (a database, a backup, or the hop before), with rows as objects typed
 * by the hop's declared source schema.
 */
export class HopInput {
  private schemaRead?: Promise<Schema>;
  private readonly readers = new Map<string, (row: Row) => RowObject>();

  constructor(
    readonly reader: DatasetReader,
    readonly hop: HopDef,
  ) {}

  schema(): Promise<Schema> {
    this.schemaRead ??= this.reader.readSchema();
    return this.schemaRead;
  }

  /** The source's own description of a table (its keys, its column order). */
  async table(name: string): Promise<TableSchema> {
    const table = (await this.schema()).tables.find((t) => t.name === name);
    if (!table)
      throw new FerryError('refused', `hop ${this.hop.label}: the source has no table ${name}`, {
        hint: 'run ferry check to see what the source lacks',
      });
    return table;
  }

  /** What the source lacks of the hop's declared source schema: `notes`, `notes.tags`. */
  async missing(): Promise<string[]> {
    const tables = (await this.schema()).tables;
    const out: string[] = [];
    for (const [name, def] of this.hop.source) {
      const actual = tables.find((t) => t.name === name);
      if (!actual) out.push(name);
      else for (const c of Object.keys(def.columns)) if (!actual.columns.some((x) => x.name === c)) out.push(`${name}.${c}`);
    }
    return out;
  }

  count(name: string): Promise<number> {
    return this.table(name).then((t) => this.reader.countRows(t));
  }

  /** A function giving a row's key (for findings' ids). */
  async keyOf(name: string): Promise<(row: RowObject) => unknown> {
    return rowKey(await this.table(name));
  }

  /** The rows of a table in key order, batch by batch, as objects; `resumeKey` is the reader's. */
  async *scan(name: string, options: { batchRows: number; after?: Value[] }): AsyncIterable<{ rows: RowObject[]; resumeKey?: Value[] }> {
    const table = await this.table(name);
    let toObject = this.readers.get(name);
    if (!toObject) {
      toObject = rowReader(table, this.hop.source.get(name), name);
      this.readers.set(name, toObject);
    }
    for await (const batch of this.reader.readRows(table, { batchRows: options.batchRows, after: options.after })) {
      yield { rows: batch.rows.map(toObject), resumeKey: batch.resumeKey };
    }
  }
}
