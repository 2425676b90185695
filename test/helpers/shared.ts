import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * The workplace's shared folder (sample datasets, reference documents): FERRY_SHARED when set; else `../shared`
 * beside the repository; else, for a clone of a local checkout (`git clone . /tmp/ferry-ci`), `../shared` beside the
 * checkout it was cloned from. FERRY_DATASETS still names the datasets alone.
 */
export const SHARED =
  process.env.FERRY_SHARED ?? besideRepository(REPO) ?? besideRepository(localOrigin(REPO)) ?? resolve(REPO, '../shared');
export const DATASETS = process.env.FERRY_DATASETS ?? resolve(SHARED, 'datasets');

function besideRepository(repo: string | undefined): string | undefined {
  const shared = repo && resolve(repo, '../shared');
  return shared && existsSync(shared) ? shared : undefined;
}

/** The checkout this repository was cloned from, when that is a folder on this machine. */
function localOrigin(repo: string): string | undefined {
  try {
    const url = execFileSync('git', ['-C', repo, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    return url.startsWith('/') && existsSync(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A path inside the shared folder, which must exist: a clone elsewhere is told how to point at it. */
export function inShared(path: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: these tests read the workplace's shared folder; clone ferry beside ../shared, or set FERRY_SHARED`,
    );
  }
  return path;
}
