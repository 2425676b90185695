import { createReadStream, lstatSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FerryError } from '../core/errors.js';
import type { Manifest } from './manifest.js';
import { indexTar, type TarEntry, type TarSource } from './tar.js';

/** A backup's files are read in pieces of this size: each read and each piece through gunzip has a cost of its own. */
const READ_CHUNK = 1024 * 1024;

/**
 * Where each part of a backup lives (docs/backup-format.md), and the {@link BackupStore} that reads those parts
 * alike from a folder or from a `.ferry` archive.
 */
export const MANIFEST_FILE = 'manifest.json';
export const TABLES_DIR = 'tables';
export const FILES_DIR = 'files';
/** A writer's in-progress files, in the folder (or the archive's work folder) it writes; gone once its run is over. */
export const RUN_FILE = '.ferry-run.json';
export const CHECKPOINT_FILE = '.ferry-checkpoint.json';
export const LOCK_FILE = '.ferry-lock';
export const ARCHIVE_EXTENSION = '.ferry';

/** A backup endpoint named as an archive (`*.ferry`) rather than a folder. */
export function isArchivePath(path: string): boolean {
  return path.toLowerCase().endsWith(ARCHIVE_EXTENSION);
}

/**
 * The entries of a `.ferry` archive, in their order: manifest.json first (so that a reader streaming the archive
 * learns what follows), then `tables/` and the data files in the manifest's order, then `files/` and the file tree
 * by path, each folder before what it holds.
 */
export function archiveEntries(workDir: string, manifest: Manifest, manifestText: string): TarSource[] {
  const entries: TarSource[] = [
    { name: MANIFEST_FILE, type: 'file', data: Buffer.from(manifestText) },
    { name: TABLES_DIR, type: 'directory' },
  ];
  for (const t of manifest.tables) {
    const path = join(workDir, t.file);
    entries.push({ name: t.file, type: 'file', path, size: statSync(path).size });
  }
  entries.push({ name: FILES_DIR, type: 'directory' });
  const folders = new Set<string>();
  for (const f of manifest.files) {
    const parts = f.path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const folder = parts.slice(0, n).join('/');
      if (!folders.has(folder)) entries.push({ name: `${FILES_DIR}/${folder}`, type: 'directory' });
      folders.add(folder);
    }
    entries.push({ name: `${FILES_DIR}/${f.path}`, type: 'file', path: join(workDir, FILES_DIR, ...parts), size: f.size });
  }
  return entries;
}

/** Longest file-name part taken from a table name, in UTF-8 bytes (the manifest holds the real name). */
const NAME_BYTES = 64;

/**
 * The data file of the table at `ordinal` (1-based): `tables/0001-users.ndjson.gz`. The name keeps its letters in
 * any script; path separators, control characters and characters Windows refuses become `_`, as do leading dots
 * and trailing dots or spaces, and it is cut to {@link NAME_BYTES} bytes. The ordinal keeps names unique.
 */
export function tableFileName(ordinal: number, name: string): string {
  // eslint-disable-next-line no-control-regex
  let safe = name.replace(/[/\\<>:"|?*\x00-\x1f\x7f]/g, '_').replace(/^\.+/, (m) => '_'.repeat(m.length));
  let cut = '';
  for (const ch of safe) {
    if (Buffer.byteLength(cut + ch) > NAME_BYTES) break;
    cut += ch;
  }
  safe = cut.replace(/[. ]+$/, (m) => '_'.repeat(m.length)) || '_';
  return `${TABLES_DIR}/${String(ordinal).padStart(4, '0')}-${safe}.ndjson.gz`;
}

/**
 * Why a relative path (of the manifest, or of an archive entry) is unsafe to use, or undefined when it is safe:
 * `/` separators only, no empty, `.` or `..` segment, not absolute, no backslash and no control character.
 */
export function pathProblem(path: string): string | undefined {
  if (path === '') return 'an empty path';
  if (path.startsWith('/')) return 'an absolute path';
  if (path.includes('\\')) return 'a path with a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) return 'a path with a control character';
  for (const segment of path.split('/')) {
    if (segment === '..') return 'a path that climbs out with ".."';
    if (segment === '' || segment === '.') return 'a path with an empty or "." segment';
  }
  return undefined;
}

/** The error of a backup that cannot be read as it should: damaged, incomplete or unsafe (exit 6). */
export function damaged(where: string, message: string, cause?: unknown): FerryError {
  return new FerryError('endpoint', `${where}: ${message}`, {
    hint: 'the backup is damaged or incomplete: use another copy of it, or make the backup again',
    cause,
  });
}

/** One file or folder of a backup, by its path relative to the backup's root (`tables/0001-users.ndjson.gz`). */
export interface StoreEntry {
  path: string;
  type: 'file' | 'directory';
  size: number;
}

/** Bytes of a file on disk: `size` bytes from `start`. */
export interface FileRange {
  file: string;
  start: number;
  size: number;
}

/** A file range as a stream, in pieces of the size a backup's files are read in. */
export function openRange({ file, start, size }: FileRange): Readable {
  // createReadStream's end is inclusive, and reads to the file's end when start > end: an empty range is no read.
  if (size === 0) return Readable.from([]);
  return createReadStream(file, { start, end: start + size - 1, highWaterMark: READ_CHUNK });
}

/** The parts of a backup, read alike from a folder or from an archive. */
export interface BackupStore {
  /** The backup's absolute path. */
  readonly path: string;
  readonly kind: 'folder' | 'archive';
  /** `manifest.json`, and every file and folder under `tables/` and `files/`. Anything else is not part of the backup. */
  readonly entries: ReadonlyMap<string, StoreEntry>;
  /** A file's bytes, as a stream (the archive reads only that entry's byte range). */
  open(path: string): Readable;
  /** Where a file's bytes are: the file on disk (the folder's own, or the archive) and their range in it. */
  locate(path: string): FileRange;
  readText(path: string): Promise<string>;
}

/** Opens a backup folder or archive and lists its parts, refusing links and unsafe names. */
export async function openStore(path: string): Promise<BackupStore> {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (e) {
    throw new FerryError('endpoint', `cannot open the backup ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (stats.isDirectory()) return new FolderStore(path);
  if (stats.isFile()) return new ArchiveStore(path, await indexTar(path));
  throw new FerryError('endpoint', `${path} is neither a backup folder nor a .ferry archive`);
}

class FolderStore implements BackupStore {
  readonly kind = 'folder';
  readonly entries = new Map<string, StoreEntry>();

  constructor(readonly path: string) {
    this.add(MANIFEST_FILE);
    this.add(TABLES_DIR);
    this.add(FILES_DIR);
  }

  open(path: string): Readable {
    return createReadStream(join(this.path, path), { highWaterMark: READ_CHUNK });
  }

  locate(path: string): FileRange {
    const file = join(this.path, path);
    return { file, start: 0, size: statSync(file).size };
  }

  async readText(path: string): Promise<string> {
    return readFileSync(join(this.path, path), 'utf8');
  }

  private add(path: string): void {
    let stats: Stats;
    try {
      stats = lstatSync(join(this.path, path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (stats.isFile()) this.entries.set(path, { path, type: 'file', size: stats.size });
    else if (stats.isDirectory()) {
      this.entries.set(path, { path, type: 'directory', size: 0 });
      for (const name of readdirSync(join(this.path, path)).sort()) {
        const problem = pathProblem(name);
        if (problem) throw damaged(this.path, `${path}/${name} is ${problem}`);
        this.add(`${path}/${name}`);
      }
    } else {
      const what = stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
      throw damaged(this.path, `${path} is ${what}: a backup holds regular files and folders only`);
    }
  }
}

class ArchiveStore implements BackupStore {
  readonly kind = 'archive';
  readonly entries = new Map<string, StoreEntry>();
  private readonly ranges = new Map<string, TarEntry>();

  constructor(
    readonly path: string,
    index: TarEntry[],
  ) {
    for (const e of index) {
      const top = e.name.split('/')[0];
      if (e.name !== MANIFEST_FILE && top !== TABLES_DIR && top !== FILES_DIR) continue;
      this.entries.set(e.name, { path: e.name, type: e.type, size: e.size });
      this.ranges.set(e.name, e);
    }
  }

  open(path: string): Readable {
    return openRange(this.locate(path));
  }

  locate(path: string): FileRange {
    const e = this.ranges.get(path);
    if (!e || e.type !== 'file') throw damaged(this.path, `${path} is missing from the archive`);
    return { file: this.path, start: e.offset, size: e.size };
  }

  async readText(path: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.open(path) as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
}
