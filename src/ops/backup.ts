import { resolve } from 'node:path';
import { openBackupReader } from '../backup/reader.js';
import { openBackupWriter } from '../backup/writer.js';
import { orderByDependencies } from '../core/schema.js';
import { runPipeline, type RunResult } from '../run/pipeline.js';
import { openSource } from './endpoints.js';
import { checkRules, type WriteOptions } from './migrate.js';
import { selectTables } from './select-tables.js';
import { FERRY_VERSION } from './version.js';

export interface BackupOptions extends WriteOptions {
  /** The database (or backup) to back up. */
  source: string;
  /** A folder, or a file ending in .ferry for a single-file archive. */
  dest: string;
  /** A directory tree (uploads, avatars…) to add to the backup, each file with its size and sha256. */
  files?: string;
}

/**
 * Writes a consistent snapshot of a database into the portable backup format (docs/backup-format.md): every
 * table's schema and rows, each data file's sha256 and each table's digest in the manifest. The backup is then read
 * back and verified against what was sent. Resumable like every run.
 */
export async function backup(options: BackupOptions): Promise<RunResult> {
  const rules = checkRules(options.convert ?? []);
  const source = await openSource(options.source);
  try {
    const schema = await source.readSchema();
    const tables = orderByDependencies(selectTables(schema.tables, options));
    const writer = await openBackupWriter(options.dest, {
      origin: { engine: source.engine, version: await source.serverVersion(), endpoint: source.description },
      app: null,
      ferryVersion: FERRY_VERSION,
      filesDir: options.files ? resolve(options.files) : undefined,
    });
    try {
      return await runPipeline(source, writer, {
        ...options,
        command: 'backup',
        ferryVersion: FERRY_VERSION,
        tables,
        notCarried: schema.notCarried.filter((n) => !n.table || tables.some((t) => t.name === n.table)),
        rules,
        // A table that was not fingerprinted (no verification) gets no digest (null), never an empty one.
        beforeVerify: (digests, notCarried) =>
          writer.finalize({ digests: new Map([...digests].map(([name, d]) => [name, d.text()])), notCarried }),
        reopenTarget: () => openBackupReader(options.dest),
      });
    } finally {
      await writer.close();
    }
  } finally {
    await source.close();
  }
}
