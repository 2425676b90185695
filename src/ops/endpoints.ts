import { existsSync, statSync } from 'node:fs';
import { openBackupReader } from '../backup/reader.js';
import { isBackupPath } from '../backup/index.js';
import type { DatasetReader, DatasetWriter } from '../core/dataset.js';
import { FerryError, redactUrl } from '../core/errors.js';
import { engineFor } from '../engines/registry.js';

/**
 * Opens endpoints by what they name: a backup folder or `.ferry` archive, or a database URL (engines/registry.ts).
 * Every operation that reads accepts every kind of endpoint.
 */
export async function openSource(endpoint: string, tables?: (name: string) => boolean): Promise<DatasetReader> {
  if (isBackupPath(endpoint)) return openBackupReader(endpoint);
  if (looksLikeFolder(endpoint)) {
    throw new FerryError('endpoint', `${endpoint} is a folder but not a ferry backup (it has no manifest.json)`, {
      hint: 'name a backup folder, a .ferry archive or a database',
    });
  }
  return engineFor(endpoint).openReader(endpoint, { tables });
}

/** Opens a database to write into; backups are written by `ferry backup`. */
export async function openTarget(endpoint: string): Promise<DatasetWriter> {
  if (isBackupPath(endpoint) || endpoint.endsWith('.ferry') || looksLikeFolder(endpoint)) {
    throw new FerryError('usage', `${endpoint} is a backup, not a database`, { hint: 'write backups with ferry backup SOURCE DEST' });
  }
  return engineFor(endpoint).openWriter(endpoint, { create: true });
}

/** Refuses to use one database as both source and target: the run would read what it writes. */
export function checkDistinct(source: DatasetReader, targetEndpoint: string): void {
  const engine = engineFor(targetEndpoint);
  const target = engine.describe?.(targetEndpoint) ?? redactUrl(targetEndpoint);
  if (source.description === target) {
    throw new FerryError('usage', `the source and the target are the same database (${target})`, {
      hint: 'name a new target database',
    });
  }
}

function looksLikeFolder(endpoint: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(endpoint) && existsSync(endpoint) && statSync(endpoint).isDirectory();
}
