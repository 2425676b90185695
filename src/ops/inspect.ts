import type { NotCarried, TableSchema } from '../core/schema.js';
import { openSource } from './endpoints.js';
import { selectTables, type TableSelection } from './select-tables.js';

export interface InspectOptions extends TableSelection {
  endpoint: string;
}

export interface InspectResult {
  endpoint: string;
  engine: string;
  version: string;
  tables: (TableSchema & { rows: number })[];
  notCarried: NotCarried[];
}

/** What an endpoint holds: its engine and version, each table with its row count and portable schema. */
export async function inspect(options: InspectOptions): Promise<InspectResult> {
  const reader = await openSource(options.endpoint);
  try {
    const schema = await reader.readSchema();
    const tables = [];
    for (const table of selectTables(schema.tables, options)) tables.push({ ...table, rows: await reader.countRows(table) });
    return {
      endpoint: reader.description,
      engine: reader.engine,
      version: await reader.serverVersion(),
      tables,
      notCarried: schema.notCarried,
    };
  } finally {
    await reader.close();
  }
}
