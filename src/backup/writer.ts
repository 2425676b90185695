import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { ValueLimits } from '../core/conform.js';
import type { BulkTextBatch, BulkTextLoad, CheckpointWrite, DatasetWriter, RejectedRow, WriterCapabilities } from '../core/dataset.js';
import { FerryError, redactUrl } from '../core/errors.js';
import type { NotCarried, TableSchema } from '../core/schema.js';
import type { Row } from '../core/values.js';
import { rowEncoder, Unencodable } from './encode.js';
import { copyFileTree } from './files.js';
import { BACKUP_LINES, finishLines } from './json-lines.js';
import { atomicWriteFile, syncDir } from './fs-util.js';
import {
  archiveEntries,
  CHECKPOINT_FILE,
  FILES_DIR,
  isArchivePath,
  LOCK_FILE,
  MANIFEST_FILE,
  openStore,
  RUN_FILE,
  TABLES_DIR,
  tableFileName,
} from './layout.js';
import { FileLock } from '../core/file-lock.js';
import { FORMAT_NAME, FORMAT_VERSION, manifestText, readManifest, type BackupApp, type BackupOrigin, type Manifest } from './manifest.js';
import {
  checkTarget,
  isTemp,
  readCheckpoints,
  readRunRecord,
  writeCheckpoints,
  writeRunRecord,
  type RunRecord,
  type RunTable,
  type TableCheckpoint,
} from './progress.js';
import { appendMember, scanTableFile } from './table-file.js';
import { writeTar } from './tar.js';

const gzip = promisify(gzipCallback);

export interface BackupWriterOptions {
  /** Where the data comes from; the endpoint's password is removed before it is stored. */
  origin: BackupOrigin;
  app?: BackupApp | null;
  /** The dataset's file tree, copied into `files/` by finalize(). */
  filesDir?: string;
  /** The manifest's ferryVersion (the caller knows it: ops/version.ts). */
  ferryVersion?: string;
}

export interface FinalizeOptions {
  /** Each table's digest (TableDigest.text(), which names its format) of what was written. */
  digests: Map<string, string>;
  notCarried: NotCarried[];
}

export interface BackupWriterExtras {
  /** The backup's absolute path: the folder, or the `.ferry` file. */
  readonly path: string;
  readonly archive: boolean;
  /**
   * Completes the backup once every table is finished: copies the files section, writes manifest.json (for a
   * `.ferry` target: packs the archive and renames it into place) and removes the in-progress files, all but the
   * run's checkpoints, which a resumed verification still reads; clearCheckpoints() removes them. Until this
   * returns, the target is not a backup (readers refuse it) but an unfinished run that can be continued; after,
   * the writer changes nothing more (and a second call does nothing).
   */
  finalize(options: FinalizeOptions): Promise<void>;
}

/**
 * Opens a backup folder (any path not ending in `.ferry`) or archive (`*.ferry`) for writing. Refuses
 * (FerryError 'refused') an existing archive, and a folder that holds anything but this writer's own unfinished
 * run, which it continues. Nothing is written before lock() (which every writing method takes first).
 */
export async function openBackupWriter(path: string, options: BackupWriterOptions): Promise<DatasetWriter & BackupWriterExtras> {
  const target = resolve(path);
  const archive = isArchivePath(target);
  const workDir = archive ? `${target}.partial` : target;
  checkTarget(target, workDir, archive);
  return new BackupWriter(target, workDir, archive, options);
}

/**
 * The writing side of a backup folder or archive (docs/backup-format.md). It is in one of two modes: writing (an
 * unfinished run, in the work folder) or finished (finalize() has run; only the run's checkpoints are left, read by
 * a resumed verification and removed by clearCheckpoints).
 */
class BackupWriter implements DatasetWriter, BackupWriterExtras {
  readonly engine = 'backup';
  readonly description: string;
  // The format holds every portable value.
  readonly limits: ValueLimits = { textAllowsNul: true, realAllowsSpecials: true };
  readonly capabilities: WriterCapabilities = { transactionalDdl: true, maxIdentifierLength: 1e6 };
  private readonly runLock: FileLock;
  private run: RunRecord = { format: 'ferry-backup-run', version: 1, createdAt: '', tables: [] };
  private checkpoints = new Map<string, TableCheckpoint>();
  private readonly encoders = new Map<string, (row: Row) => string>();
  private locking?: Promise<void>;
  /** Set once lock() has succeeded, until close(): writeBatch then need not await it (see there). */
  private held = false;
  /** The table names of the finished backup, once finalize() has run (or the target was found finished). */
  private finishedTables?: string[];
  /** Rewrites of the in-progress files happen one at a time, whatever tables are written at once. */
  private saving: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly workDir: string,
    readonly archive: boolean,
    private readonly options: BackupWriterOptions,
  ) {
    this.description = path;
    this.runLock = new FileLock(join(workDir, LOCK_FILE), `the backup ${path}`);
  }

  async serverVersion(): Promise<string> {
    return `ferry backup v${FORMAT_VERSION}`;
  }

  /**
   * Takes the run lock (a `.ferry-lock` file in the work folder), then brings an unfinished run back to its last
   * commit: every data file is cut back to the size its last checkpoint (or finishTable) recorded, and emptied
   * when it has none, because bytes written after that were never committed. Every other method takes it first.
   */
  async lock(): Promise<void> {
    // Concurrent first calls (tables written at once) share one acquisition.
    this.locking ??= this.acquire().catch((e: unknown) => {
      this.locking = undefined;
      throw e;
    });
    return this.locking;
  }

  private async acquire(): Promise<void> {
    const created = !existsSync(this.workDir);
    mkdirSync(this.workDir, { recursive: true });
    this.runLock.acquire();
    try {
      checkTarget(this.path, this.workDir, this.archive);
      this.checkpoints = readCheckpoints(this.workDir);
      if (this.archive ? existsSync(this.path) : existsSync(join(this.workDir, MANIFEST_FILE))) {
        this.finishedTables = (await readFinishedManifest(this.path)).tables.map((t) => t.name);
        this.removeWork();
      } else {
        const recorded = readRunRecord(this.workDir);
        if (recorded) this.run = recorded;
        else {
          this.run.createdAt = new Date().toISOString();
          await writeRunRecord(this.workDir, this.run);
        }
        this.recover();
      }
      this.held = true;
    } catch (e) {
      this.runLock.release();
      if (created && readdirSync(this.workDir).length === 0) rmSync(this.workDir, { recursive: true });
      throw e;
    }
  }

  private recover(): void {
    mkdirSync(join(this.workDir, TABLES_DIR), { recursive: true });
    for (const name of readdirSync(this.workDir)) if (isTemp(name)) rmSync(join(this.workDir, name), { force: true });
    // A file no table claims was left by a dropTables that was interrupted.
    const claimed = new Set(this.run.tables.map((t) => t.file));
    for (const name of readdirSync(join(this.workDir, TABLES_DIR))) {
      if (!claimed.has(`${TABLES_DIR}/${name}`)) rmSync(join(this.workDir, TABLES_DIR, name), { recursive: true, force: true });
    }
    for (const t of this.run.tables) {
      const file = join(this.workDir, t.file);
      const committed = t.finished?.bytes ?? this.checkpoints.get(t.name)?.bytes ?? 0;
      const size = existsSync(file) ? statSync(file).size : -1;
      if (size === -1 && committed === 0) writeFileSync(file, '');
      else if (size < committed) {
        throw new FerryError('refused', `${file} is shorter than its last checkpoint: the unfinished backup ${this.path} is damaged`, {
          hint: `remove ${this.workDir} and make the backup again`,
        });
      } else if (size > committed) truncateSync(file, committed);
    }
  }

  /** Once the backup is committed, the work folder keeps only the checkpoints and the lock. */
  private removeWork(): void {
    for (const name of readdirSync(this.workDir)) {
      if (name === RUN_FILE || isTemp(name) || (this.archive && name !== CHECKPOINT_FILE && name !== LOCK_FILE)) {
        rmSync(join(this.workDir, name), { recursive: true, force: true });
      }
    }
  }

  async readCheckpoints(runId: string): Promise<Map<string, string>> {
    await this.lock();
    return new Map([...this.checkpoints].filter(([, c]) => c.runId === runId).map(([table, c]) => [table, c.state]));
  }

  async clearCheckpoints(runId: string): Promise<void> {
    await this.lock();
    for (const [table, c] of this.checkpoints) if (c.runId === runId) this.checkpoints.delete(table);
    await this.saveCheckpoints();
  }

  async existingTables(names: string[]): Promise<string[]> {
    await this.lock();
    const present = this.finishedTables ?? this.run.tables.map((t) => t.name);
    return names.filter((n) => present.includes(n));
  }

  async dropTables(names: string[]): Promise<void> {
    await this.lock();
    const dropped = this.run.tables.filter((t) => names.includes(t.name));
    if (this.finishedTables?.some((n) => names.includes(n))) this.refuseFinished();
    if (dropped.length === 0) return;
    // The checkpoints go first, then the record: a crash in between leaves files that recovery removes.
    for (const t of dropped) this.checkpoints.delete(t.name);
    await this.saveCheckpoints();
    this.run.tables = this.run.tables.filter((t) => !names.includes(t.name));
    await this.saveRun();
    for (const t of dropped) rmSync(join(this.workDir, t.file), { force: true });
  }

  /** Records the tables (schema and data file) and creates their files empty; a table recorded before starts anew. */
  async createTables(tables: TableSchema[]): Promise<void> {
    await this.lock();
    if (this.finishedTables) this.refuseFinished();
    const names = new Set<string>();
    for (const t of tables) {
      if (names.has(t.name)) throw new FerryError('usage', `the table ${t.name} is listed twice`);
      names.add(t.name);
    }
    for (const t of tables) this.checkpoints.delete(t.name);
    await this.saveCheckpoints();
    let ordinal = Math.max(0, ...this.run.tables.map((t) => t.ordinal));
    for (const schema of tables) {
      const known = this.run.tables.find((t) => t.name === schema.name);
      if (known) {
        known.schema = structuredClone(schema);
        delete known.finished;
      } else {
        ordinal++;
        this.run.tables.push({ name: schema.name, ordinal, file: tableFileName(ordinal, schema.name), schema: structuredClone(schema) });
      }
      this.encoders.delete(schema.name);
    }
    await this.saveRun();
    for (const schema of tables) writeFileSync(join(this.workDir, this.entry(schema.name).file), '');
    syncDir(join(this.workDir, TABLES_DIR));
  }

  /** The rows as one gzip member (see append). */
  async writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    return this.append(table, undefined, rows, checkpoint);
  }

  /**
   * A backup's own lines, which a source may format itself (engines/sql/bulk-text.ts). No value of them is seen, so
   * they are sent only when the run computes no digest (the manifest records each table's): without verification.
   */
  bulkTextLoad(): BulkTextLoad {
    // A batch is held three times (as read, as finished lines, compressed): half the usual batch keeps 2.5M rows
    // under 165 MB instead of 195 MB, at the same speed.
    return { format: BACKUP_LINES, recordsDigest: true, batchBytes: 4 * 1024 * 1024 };
  }

  /**
   * The lines, then the other rows, as one gzip member (so a batch's rows are in key order but for those that went
   * as values, which follow its lines). Undefined, with nothing written, when a chunk is not UTF-8: the caller
   * writes the batch as rows.
   */
  async writeBulkText(
    table: TableSchema,
    text: BulkTextBatch,
    rows: Row[],
    checkpoint?: CheckpointWrite,
  ): Promise<RejectedRow[] | undefined> {
    const lines = finishLines(text.chunks);
    return lines && this.append(table, lines, rows, checkpoint);
  }

  /**
   * Appends the lines, then the rows, as one gzip member to the table's file and flushes it; then, when given,
   * commits the checkpoint (its text and the file's new size) by renaming `.ferry-checkpoint.json` into place. A
   * crash before the rename leaves bytes that the next lock() cuts off. A value that is not of its column's type
   * comes back as a rejected row; conformed rows never do. One batch at a time per table (tables may be written
   * concurrently).
   */
  private async append(table: TableSchema, lines: Buffer | undefined, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    // With the lock held, nothing is awaited before the batch is encoded and its compression handed to the thread
    // pool: the caller reads and prepares the next batch meanwhile (an await here would run that first, and leave
    // the compression alone on the critical path).
    if (!this.held) await this.lock();
    const entry = this.entry(table.name);
    checkColumns(entry, table);
    if (entry.finished) {
      delete entry.finished;
      await this.saveRun();
    }
    const encode = this.encoderFor(entry);
    const encoded: string[] = [];
    const rejected: RejectedRow[] = [];
    for (const row of rows) {
      try {
        encoded.push(encode(row));
      } catch (e) {
        if (!(e instanceof Unencodable)) throw e;
        rejected.push({ row, reason: e.message, column: e.column });
      }
    }
    const values = encoded.length > 0 ? Buffer.from(encoded.join('')) : undefined;
    const file = join(this.workDir, entry.file);
    const text = lines && values ? Buffer.concat([lines, values]) : (lines ?? values ?? Buffer.alloc(0));
    const size = text.length > 0 ? await appendMember(file, await compress(text)) : statSync(file).size;
    if (checkpoint) {
      const state = checkpoint.state(rejected);
      this.checkpoints.set(table.name, { runId: checkpoint.runId, state, bytes: size });
      await this.saveCheckpoints();
    }
    return rejected;
  }

  async truncateTable(table: TableSchema): Promise<void> {
    await this.lock();
    const entry = this.entry(table.name);
    if (this.checkpoints.delete(table.name)) await this.saveCheckpoints();
    await truncate(join(this.workDir, entry.file), 0);
    if (entry.finished) {
      delete entry.finished;
      await this.saveRun();
    }
  }

  /** Records the data file's sha256 and row count (reading it back, which also proves it whole). Idempotent. */
  async finishTable(table: TableSchema): Promise<void> {
    await this.lock();
    if (this.finishedTables) return;
    const entry = this.entry(table.name);
    const file = join(this.workDir, entry.file);
    let size = statSync(file).size;
    if (entry.finished && entry.finished.bytes === size) return;
    // Every data file is a gzip stream: a table without rows holds one empty member.
    if (size === 0) size = await appendMember(file, await gzip(Buffer.alloc(0)));
    const scan = await scanTableFile(file);
    entry.finished = { sha256: scan.sha256, rows: scan.rows, bytes: size };
    await this.saveRun();
  }

  notCarried(): NotCarried[] {
    return [];
  }

  async finishSchema(): Promise<void> {
    await this.lock();
  }

  async finalize(options: FinalizeOptions): Promise<void> {
    await this.lock();
    if (this.finishedTables) return;
    const tables = [...this.run.tables].sort((a, b) => a.ordinal - b.ordinal);
    for (const t of tables) {
      if (!t.finished || statSync(join(this.workDir, t.file)).size !== t.finished.bytes) {
        throw new FerryError('failed', `the table ${t.name} is not finished: finishTable() comes before finalize()`);
      }
    }
    const filesDir = join(this.workDir, FILES_DIR);
    let files: Manifest['files'] = [];
    if (this.options.filesDir) files = await copyFileTree(resolve(this.options.filesDir), filesDir);
    else {
      rmSync(filesDir, { recursive: true, force: true });
      mkdirSync(filesDir);
    }
    const { origin } = this.options;
    const manifest: Manifest = {
      format: FORMAT_NAME,
      version: FORMAT_VERSION,
      createdAt: this.run.createdAt,
      ferryVersion: this.options.ferryVersion ?? 'unknown',
      origin: { engine: origin.engine, version: origin.version, endpoint: redactUrl(origin.endpoint) },
      app: this.options.app ? { name: this.options.app.name, version: this.options.app.version } : null,
      tables: tables.map((t) => ({
        name: t.name,
        schema: t.schema,
        rows: t.finished!.rows,
        file: t.file,
        sha256: t.finished!.sha256,
        digest: options.digests.get(t.name) ?? null,
      })),
      notCarried: options.notCarried,
      files,
    };
    const text = manifestText(manifest);
    // Writing manifest.json (or renaming the archive into place) is the commit; what follows is cleanup.
    if (this.archive) {
      const temp = `${this.path}.tmp`;
      await writeTar(temp, archiveEntries(this.workDir, manifest, text), new Date(manifest.createdAt));
      if (existsSync(this.path))
        throw new FerryError('refused', `${this.path} appeared while the backup was written`, { hint: 'name a new archive' });
      renameSync(temp, this.path);
      syncDir(dirname(this.path));
    } else {
      await this.exclusive(() => atomicWriteFile(join(this.workDir, MANIFEST_FILE), text));
    }
    this.finishedTables = tables.map((t) => t.name);
    this.removeWork();
  }

  /** Releases the lock. An unfinished run keeps its files, to be continued by the same command. */
  async close(): Promise<void> {
    await this.saving;
    this.runLock.release();
    this.locking = undefined;
    this.held = false;
    // A finished archive's work folder goes once its checkpoints are cleared.
    if (this.archive && existsSync(this.path) && existsSync(this.workDir) && readdirSync(this.workDir).length === 0) {
      rmSync(this.workDir, { recursive: true, force: true });
    }
  }

  private refuseFinished(): never {
    throw new FerryError('refused', `${this.path} is a finished backup: ferry does not change it`, {
      hint: 'remove it to make the backup again, or name a new target',
    });
  }

  private entry(name: string): RunTable {
    if (this.finishedTables) this.refuseFinished();
    const entry = this.run.tables.find((t) => t.name === name);
    if (!entry) throw new FerryError('failed', `the table ${name} was not created in the backup ${this.path}`);
    return entry;
  }

  private encoderFor(entry: RunTable): (row: Row) => string {
    let encode = this.encoders.get(entry.name);
    if (!encode) {
      encode = rowEncoder(entry.schema.columns);
      this.encoders.set(entry.name, encode);
    }
    return encode;
  }

  private saveRun(): Promise<void> {
    return this.exclusive(() => writeRunRecord(this.workDir, this.run));
  }

  private saveCheckpoints(): Promise<void> {
    return this.exclusive(() => writeCheckpoints(this.workDir, this.checkpoints));
  }

  private exclusive(write: () => Promise<void>): Promise<void> {
    const next = this.saving.then(write);
    this.saving = next.catch(() => undefined);
    return next;
  }
}

/**
 * zlib's level for the data files. Compression is most of a backup's work besides reading the source, and the
 * levels above 5 buy little on rows: on the bench dataset, level 5 compresses 1.4 times as fast as the default 6
 * for files 2 % larger, the size of the engines' own dumps of the same data through `gzip -6` (0.96 to 1.02 times).
 */
const GZIP_LEVEL = 5;

/**
 * One batch's lines as one gzip member. zlib's output chunk is sized to the text (Node's default is 16 KiB): each
 * chunk is a separate job on the thread pool that waits for the main thread to start the next, so with small chunks
 * a batch compresses only while the main thread is idle; with one chunk it compresses beside the reading of the
 * next batch.
 */
function compress(text: Buffer): Promise<Buffer> {
  return gzip(text, { level: GZIP_LEVEL, chunkSize: Math.min(Math.max(text.length, 64 * 1024), 64 * 1024 * 1024) });
}

/** The manifest of a backup this writer finished (its names only matter; the reader checks the rest). */
async function readFinishedManifest(path: string): Promise<Manifest> {
  const store = await openStore(path);
  return readManifest(await store.readText(MANIFEST_FILE), path);
}

/** Rows are written in the column order the table was created with; another order would scramble them. */
function checkColumns(entry: RunTable, table: TableSchema): void {
  const want = entry.schema.columns.map((c) => c.name);
  const got = table.columns.map((c) => c.name);
  if (want.length !== got.length || want.some((n, i) => n !== got[i])) {
    throw new FerryError('failed', `the table ${table.name} was created with the columns (${want.join(', ')}), not (${got.join(', ')})`);
  }
}
