import { readFileSync } from 'node:fs';

/** ferry's version, from the package.json above this file (whether run compiled from dist/ or from source). */
export const FERRY_VERSION = findVersion();

function findVersion(): string {
  for (let up = '../'; up.length < 20; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'ferry') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
