import type { DatasetReader, ReadOptions, RowBatch } from '../core/dataset.js';
import type { Schema, TableSchema } from '../core/schema.js';

/**
 * A source whose application prefixes its table names (Cloudreve's `TablePrefix`, WordPress's `wp_`), seen with
 * the prefix removed, so that a pack's schemas name tables as the application's code does. Tables without the
 * prefix belong to something else in the same database: they are listed as not carried, never read.
 */
export function withTablePrefix(reader: DatasetReader, prefix: string): DatasetReader {
  if (prefix === '') return reader;
  const original = (table: TableSchema): TableSchema => ({ ...table, name: prefix + table.name });
  return {
    description: `${reader.description} (tables ${prefix}*)`,
    engine: reader.engine,
    ...(reader.sqlEngine ? { sqlEngine: reader.sqlEngine } : {}),
    serverVersion: () => reader.serverVersion(),
    async readSchema(): Promise<Schema> {
      const schema = await reader.readSchema();
      const strip = (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
      const own = schema.tables.filter((t) => t.name.startsWith(prefix));
      const others = schema.tables.filter((t) => !t.name.startsWith(prefix));
      return {
        tables: own.map((t) => ({
          ...t,
          name: strip(t.name),
          foreignKeys: t.foreignKeys.map((fk) => ({ ...fk, refTable: strip(fk.refTable) })),
        })),
        notCarried: [
          ...schema.notCarried,
          ...others.map((t) => ({ kind: 'other' as const, name: t.name, reason: `its name lacks the table prefix ${prefix}` })),
        ],
      };
    },
    countRows: (table: TableSchema) => reader.countRows(original(table)),
    readRows: (table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch> => reader.readRows(original(table), options),
    close: () => reader.close(),
  };
}
