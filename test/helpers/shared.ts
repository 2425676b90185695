import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The workplace's shared folder (sample datasets, reference documents): `../shared` beside the repository, or
 * FERRY_SHARED for a clone elsewhere. FERRY_DATASETS still names the datasets alone.
 */
export const SHARED = process.env.FERRY_SHARED ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared');
export const DATASETS = process.env.FERRY_DATASETS ?? resolve(SHARED, 'datasets');

/** A path inside the shared folder, which must exist: a clone elsewhere is told how to point at it. */
export function inShared(path: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: these tests read the workplace's shared folder; clone ferry beside ../shared, or set FERRY_SHARED`,
    );
  }
  return path;
}
