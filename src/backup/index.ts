/**
 * The backup format (docs/backup-format.md): a folder, or the same folder as one `.ferry` tar file, holding a
 * manifest, one gzip NDJSON file per table and the dataset's file tree. Read with {@link openBackupReader}, written
 * with {@link openBackupWriter}; both are dataset endpoints like the database engines.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isArchivePath, MANIFEST_FILE, RUN_FILE } from './layout.js';

/**
 * True when the endpoint names a backup: a path ending in `.ferry`, or an existing folder holding a manifest.json
 * (a finished backup) or a `.ferry-run.json` (an unfinished one). A folder that does not exist yet is not
 * recognized: a command that writes a backup knows its target is one.
 */
export function isBackupPath(path: string): boolean {
  if (isArchivePath(path)) return true;
  try {
    return statSync(path).isDirectory() && (existsSync(join(path, MANIFEST_FILE)) || existsSync(join(path, RUN_FILE)));
  } catch {
    return false;
  }
}

export { isArchivePath } from './layout.js';
export { FORMAT_NAME, FORMAT_VERSION, readManifest, manifestText } from './manifest.js';
export type { BackupApp, BackupOrigin, Manifest, ManifestFile, ManifestTable } from './manifest.js';
export { openBackupReader, type BackupReaderExtras } from './reader.js';
export { openBackupWriter, type BackupWriterExtras, type BackupWriterOptions, type FinalizeOptions } from './writer.js';
