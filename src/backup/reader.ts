import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { BatchSizer } from '../core/batch-size.js';
import type { BulkTextBatch, BulkTextRequest, DatasetReader, ReadOptions, RowBatch } from '../core/dataset.js';
import { FerryError, isFerryError } from '../core/errors.js';
import type { Schema, TableSchema } from '../core/schema.js';
import type { Row } from '../core/values.js';
import { lineTranscoder } from './bulk-text.js';
import { lineDecoder } from './decode.js';
import { extractFiles } from './files.js';
import { hashFileRange } from './fs-util.js';
import { damaged, FILES_DIR, MANIFEST_FILE, openStore, RUN_FILE, TABLES_DIR, type BackupStore } from './layout.js';
import { FORMAT_VERSION, readManifest, type Manifest, type ManifestTable } from './manifest.js';
import { dataLines } from './table-file.js';
import { stopThread, THREAD_FILE_BYTES, transcodeInThread } from './transcode-thread.js';
import { transcodeTable } from './transcode.js';

export interface BackupReaderExtras {
  /** The parsed, validated manifest. */
  readonly manifest: Manifest;
  /**
   * Copies the files section into `dest` (created if needed), checking every sha256 again. Refuses to overwrite
   * an existing file, and never writes outside `dest`.
   */
  extractFiles(dest: string): Promise<{ count: number; bytes: number }>;
}

/**
 * Opens a backup folder or `.ferry` archive for reading. Before it returns, the manifest is validated and the
 * sha256 of every table file and every file of the files section is checked, and a file in `tables/` or `files/`
 * that the manifest does not list is refused: nothing read afterwards comes from an unchecked byte. Every problem
 * is a FerryError('endpoint') naming the file.
 */
export async function openBackupReader(path: string): Promise<DatasetReader & BackupReaderExtras> {
  const where = resolve(path);
  const store = await openStore(where);
  if (!store.entries.has(MANIFEST_FILE)) {
    if (store.kind === 'folder' && existsSync(join(where, RUN_FILE))) {
      throw new FerryError('endpoint', `${where} is an unfinished backup (its run was interrupted)`, {
        hint: 'run the same backup command again to finish it',
      });
    }
    throw new FerryError('endpoint', `${where} is not a ferry backup: it has no manifest.json`);
  }
  const manifest = readManifest(await store.readText(MANIFEST_FILE), where);
  await checkIntegrity(store, manifest);
  return new BackupReader(store, manifest);
}

/** Every listed file present with its sha256 (and size), and nothing unlisted in tables/ or files/. */
async function checkIntegrity(store: BackupStore, manifest: Manifest): Promise<void> {
  const listed = new Map<string, { sha256: string; size?: number }>();
  for (const t of manifest.tables) listed.set(t.file, { sha256: t.sha256 });
  for (const f of manifest.files) listed.set(`${FILES_DIR}/${f.path}`, { sha256: f.sha256, size: f.size });
  for (const entry of store.entries.values()) {
    if (entry.type === 'directory' || entry.path === MANIFEST_FILE) continue;
    if (!listed.has(entry.path)) {
      const section = entry.path.startsWith(`${TABLES_DIR}/`) ? 'table' : 'files';
      throw damaged(store.path, `${entry.path} is not listed in the manifest's ${section} section (an extra file)`);
    }
  }
  for (const [path, want] of listed) {
    const entry = store.entries.get(path);
    if (!entry || entry.type !== 'file') throw damaged(store.path, `${path} is missing`);
    if (want.size !== undefined && entry.size !== want.size) {
      throw damaged(store.path, `${path} has ${entry.size} bytes, but the manifest says ${want.size}`);
    }
    let sha256: string;
    try {
      const { file, start, size } = store.locate(path);
      sha256 = await hashFileRange(file, start, size);
    } catch (e) {
      throw isFerryError(e) ? e : damaged(store.path, `${path} cannot be read: ${(e as Error).message}`, e);
    }
    if (sha256 !== want.sha256) throw damaged(store.path, `${path} does not match its sha256 in the manifest (it was changed or damaged)`);
  }
}

/** The reading side of a checked backup. Rows come back in file order; a position is a row count. */
class BackupReader implements DatasetReader, BackupReaderExtras {
  readonly engine = 'backup';
  readonly description: string;
  /** The checks and raw defaults of the schemas are spelled in the SQL of the engine the backup was made from. */
  readonly sqlEngine: string;
  /** The transcoding threads reading now (transcode-thread.ts), stopped by close() if a read was left unfinished. */
  private readonly threads = new Set<Worker>();

  constructor(
    private readonly store: BackupStore,
    readonly manifest: Manifest,
  ) {
    this.description = store.path;
    this.sqlEngine = manifest.origin.engine;
  }

  async serverVersion(): Promise<string> {
    const { origin, createdAt } = this.manifest;
    return `ferry backup v${FORMAT_VERSION} (from ${origin.version || origin.engine}, created ${createdAt})`;
  }

  async readSchema(): Promise<Schema> {
    return {
      tables: this.manifest.tables.map((t) => structuredClone(t.schema)),
      notCarried: structuredClone(this.manifest.notCarried),
    };
  }

  async countRows(table: TableSchema): Promise<number> {
    return this.table(table.name).rows;
  }

  /**
   * The rows in file order, `batchRows` at a time, each batch's resumeKey being `[rows read so far]`; `after: [n]`
   * skips the first n rows. A table that holds another number of rows than its manifest says is an error, thrown
   * once that is known (at the end of the file, or as soon as it goes past the count), and so is a file that no
   * longer matches its sha256 (changed since the backup was opened); both before the last batch is given.
   */
  async *readRows(table: TableSchema, options: ReadOptions): AsyncGenerator<RowBatch> {
    const entry = this.table(table.name);
    const skip = this.position(entry, options.after);
    // Rows up to `until` only (a batch read again): the file is not read to its end, so its checks are not made.
    const stop = options.until === undefined ? undefined : this.position(entry, options.until);
    const decode = lineDecoder(entry.schema.columns);
    const sizer = new BatchSizer(Math.max(1, options.batchRows));
    // The file was checked when the backup was opened; hashing it again as it streams catches a change since.
    const source = this.store.open(entry.file);
    const hash = createHash('sha256');
    source.on('data', (chunk: Buffer) => hash.update(chunk));
    let index = skip;
    let rows: Row[] = [];
    try {
      for await (const lines of dataLines(source, skip)) {
        for (const line of lines) {
          index++;
          if (index > entry.rows) throw damaged(this.store.path, `${entry.file} holds more rows than the ${entry.rows} its manifest says`);
          try {
            rows.push(decode(line));
          } catch (e) {
            throw damaged(this.store.path, `${entry.file} line ${index}: ${(e as Error).message}`, e);
          }
          if (index === stop) {
            yield { rows, resumeKey: [index] };
            return;
          }
          if (rows.length >= sizer.next()) {
            sizer.observe(rows);
            yield { rows, resumeKey: [index] };
            rows = [];
          }
        }
      }
    } catch (e) {
      if (isFerryError(e)) throw e;
      throw damaged(this.store.path, `${entry.file} cannot be read: ${(e as Error).message}`, e);
    }
    if (index !== entry.rows) throw damaged(this.store.path, `${entry.file} holds ${index} rows, but its manifest says ${entry.rows}`);
    if (hash.digest('hex') !== entry.sha256) throw damaged(this.store.path, `${entry.file} changed while it was read`);
    if (rows.length > 0) yield { rows, resumeKey: [index] };
  }

  /**
   * The rows as bulk text transcoded from the data file's lines (bulk-text.ts), each line that cannot be read as
   * values, in file order and batches as readRows gives them, with the same checks.
   */
  readBulkText(table: TableSchema, request: BulkTextRequest): AsyncIterable<BulkTextBatch> | undefined {
    const entry = this.table(table.name);
    const transcode = lineTranscoder(entry.schema.columns, request);
    if (!transcode) return undefined;
    const skip = this.position(entry, request.after);
    if (request.load.textOffThread && this.fileSize(entry) >= threadFileBytes()) {
      return transcodeInThread(this.store, entry, request, skip, this.threads);
    }
    return transcodeTable(this.store, entry, transcode, request, skip);
  }

  async extractFiles(dest: string): Promise<{ count: number; bytes: number }> {
    return extractFiles(this.store, this.manifest.files, dest);
  }

  async close(): Promise<void> {
    // Every read opens and closes its own stream; a thread still reading (a read left unfinished) is stopped.
    await Promise.all([...this.threads].map((worker) => stopThread(worker)));
    this.threads.clear();
  }

  /** A table file's size; a file gone since the backup was opened is damage, named. */
  private fileSize(entry: ManifestTable): number {
    try {
      return this.store.locate(entry.file).size;
    } catch (e) {
      throw isFerryError(e) ? e : damaged(this.store.path, `${entry.file} cannot be read: ${(e as Error).message}`, e);
    }
  }

  private table(name: string): ManifestTable {
    const entry = this.manifest.tables.find((t) => t.name === name);
    if (!entry) throw new FerryError('usage', `the backup ${this.store.path} has no table ${name}`);
    return entry;
  }

  private position(entry: ManifestTable, after: ReadOptions['after']): number {
    if (after === undefined) return 0;
    const n = after.length === 1 ? after[0] : undefined;
    const skip = typeof n === 'bigint' ? Number(n) : n;
    if (typeof skip !== 'number' || !Number.isSafeInteger(skip) || skip < 0 || skip > entry.rows) {
      throw new FerryError(
        'refused',
        `${JSON.stringify(after.map(String))} is not a position in ${entry.file} of the backup ${this.store.path}`,
        {
          hint: 'the run being resumed did not read this backup: start it over (--force-reset)',
        },
      );
    }
    return skip;
  }
}

/** The thread's threshold; FERRY_THREAD_FILE_BYTES (internal, for the tests) sends small tables through it too. */
function threadFileBytes(): number {
  const setting = Number(process.env.FERRY_THREAD_FILE_BYTES || NaN);
  return Number.isSafeInteger(setting) && setting >= 0 ? setting : THREAD_FILE_BYTES;
}
