import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../core/errors.js';
import type { TableSchema } from '../core/schema.js';
import { atomicWriteFile, syncDir } from './fs-util.js';
import { CHECKPOINT_FILE, FILES_DIR, LOCK_FILE, MANIFEST_FILE, RUN_FILE, TABLES_DIR } from './layout.js';

/**
 * The in-progress files of a backup being written, beside its data in the work folder; a finished backup holds
 * neither. Both are rewritten atomically (temporary file + rename), which is how a file target commits: a batch's
 * bytes are flushed first, then the checkpoint that counts them is renamed into place.
 *
 * - `.ferry-run.json`: the tables created (schema, file name), and per finished table its sha256 and row count.
 * - `.ferry-checkpoint.json`: per table, the run's checkpoint text and the data file's size it covers.
 */
export interface RunRecord {
  format: 'ferry-backup-run';
  version: 1;
  /** When the run started: the manifest's createdAt. */
  createdAt: string;
  tables: RunTable[];
}

export interface RunTable {
  name: string;
  ordinal: number;
  file: string;
  schema: TableSchema;
  /** Set by finishTable: the data file as it will stand in the manifest. */
  finished?: { sha256: string; rows: number; bytes: number };
}

export interface TableCheckpoint {
  runId: string;
  state: string;
  /** The data file's size when the checkpoint was committed: later bytes were never committed. */
  bytes: number;
}

interface CheckpointFile {
  format: 'ferry-backup-checkpoints';
  tables: ({ table: string } & TableCheckpoint)[];
}

export function readRunRecord(dir: string): RunRecord | undefined {
  const record = readJson<RunRecord>(join(dir, RUN_FILE));
  if (record && (record.format !== 'ferry-backup-run' || record.version !== 1 || !Array.isArray(record.tables))) {
    throw unreadable(join(dir, RUN_FILE), 'it was written by another ferry version');
  }
  return record;
}

export async function writeRunRecord(dir: string, record: RunRecord): Promise<void> {
  await atomicWriteFile(join(dir, RUN_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export function readCheckpoints(dir: string): Map<string, TableCheckpoint> {
  const file = readJson<CheckpointFile>(join(dir, CHECKPOINT_FILE));
  if (!file) return new Map();
  if (file.format !== 'ferry-backup-checkpoints' || !Array.isArray(file.tables)) {
    throw unreadable(join(dir, CHECKPOINT_FILE), 'it was written by another ferry version');
  }
  return new Map(file.tables.map(({ table, runId, state, bytes }) => [table, { runId, state, bytes }]));
}

/** Writes the checkpoints, or removes the file when there are none left. */
export async function writeCheckpoints(dir: string, checkpoints: Map<string, TableCheckpoint>): Promise<void> {
  const path = join(dir, CHECKPOINT_FILE);
  if (checkpoints.size === 0) {
    rmSync(path, { force: true });
    syncDir(dir);
    return;
  }
  const file: CheckpointFile = { format: 'ferry-backup-checkpoints', tables: [...checkpoints].map(([table, c]) => ({ table, ...c })) };
  await atomicWriteFile(path, JSON.stringify(file));
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw unreadable(path, (e as Error).message);
  }
}

function unreadable(path: string, why: string): FerryError {
  return new FerryError('refused', `${path} cannot be read (${why}), so the unfinished backup cannot be continued`, {
    hint: 'remove the unfinished backup and make it again',
  });
}

/** Entries of a work folder that belong to an unfinished run of this writer. */
const OWN = new Set([RUN_FILE, CHECKPOINT_FILE, LOCK_FILE, TABLES_DIR, FILES_DIR]);
export const isTemp = (name: string) => /^\.ferry-.*\.tmp$/.test(name) || name === `${MANIFEST_FILE}.tmp`;

/**
 * A target is new, an unfinished run of this writer, or a backup this writer finished whose run has not cleared
 * its checkpoints yet (it was interrupted during verification); anything else is refused.
 */
export function checkTarget(target: string, workDir: string, archive: boolean): void {
  const finished = archive ? existsSync(target) : existsSync(join(workDir, MANIFEST_FILE));
  if (finished) {
    if (existsSync(join(workDir, CHECKPOINT_FILE))) return;
    throw new FerryError('refused', `${target} already holds a backup`, { hint: 'name a new target: ferry never overwrites a backup' });
  }
  if (!existsSync(workDir)) return;
  if (!lstatSync(workDir).isDirectory()) {
    throw new FerryError('refused', `${workDir} exists and is not a folder`, { hint: 'name a new folder for the backup' });
  }
  const entries = readdirSync(workDir);
  const ours =
    entries.every((e) => OWN.has(e) || isTemp(e)) && (entries.includes(RUN_FILE) || entries.every((e) => e === LOCK_FILE || isTemp(e)));
  if (!ours) {
    throw new FerryError('refused', `${workDir} is not empty`, {
      hint: 'name a new or empty folder: a backup is written only where nothing else is',
    });
  }
}
