import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FerryError } from '../core/errors.js';
import { isPack } from './define.js';
import type { Pack } from './types.js';

/**
 * The packs shipped with ferry: `packs/<name>/index.ts`, compiled to `dist/packs/<name>/index.js`. From this
 * file (src/upgrade or dist/src/upgrade) both are two levels up; under tsx (the tests) the .ts is found.
 */
const SHIPPED = fileURLToPath(new URL('../../packs/', import.meta.url));
const ENTRIES = ['index.js', 'index.mjs', 'index.ts'];

/**
 * Loads an app pack by name (one shipped in `packs/`) or by the path of a user's module (a `.js` file, or a folder
 * with an `index.js`). The module exports the pack as its default export (or as `pack`).
 *
 * Plain node cannot load TypeScript: compile a `.ts` pack first (`npx tsc`), or run ferry under tsx.
 */
export async function loadPack(nameOrPath: string, options: { cwd?: string } = {}): Promise<Pack> {
  const file = locate(nameOrPath, options.cwd ?? process.cwd());
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_UNKNOWN_FILE_EXTENSION' && file.endsWith('.ts')) {
      throw new FerryError('usage', `${file} is TypeScript, which plain node cannot load`, {
        hint: 'compile the pack (npx tsc) and give the .js file, or run ferry under tsx (node --import tsx …)',
        cause: e,
      });
    }
    throw new FerryError('usage', `cannot load the app pack ${file}: ${(e as Error).message}`, { cause: e });
  }
  const pack = mod.default ?? mod.pack;
  if (!isPack(pack)) {
    throw new FerryError('usage', `${file} does not export an app pack`, { hint: 'export default definePack({ … }) from the module' });
  }
  return pack;
}

/** The names of the packs shipped with ferry. */
export function shippedPacks(): string[] {
  if (!existsSync(SHIPPED)) return [];
  return readdirSync(SHIPPED)
    .filter((n) => ENTRIES.some((e) => existsSync(join(SHIPPED, n, e))))
    .sort();
}

function locate(nameOrPath: string, cwd: string): string {
  const looksLikePath = isAbsolute(nameOrPath) || /[\\/]/.test(nameOrPath) || /\.(m?js|ts)$/.test(nameOrPath) || nameOrPath.startsWith('.');
  if (!looksLikePath) {
    const dir = join(SHIPPED, nameOrPath);
    const entry = ENTRIES.map((e) => join(dir, e)).find((p) => existsSync(p));
    if (entry) return entry;
    const shipped = shippedPacks();
    throw new FerryError('usage', `ferry ships no app pack named ${nameOrPath}`, {
      hint: `${shipped.length ? `shipped packs: ${shipped.join(', ')}; ` : ''}or give the path of your pack's module (./my-pack/index.js)`,
    });
  }
  const path = resolve(cwd, nameOrPath);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const entry = ENTRIES.map((e) => join(path, e)).find((p) => existsSync(p));
    if (entry) return entry;
    throw new FerryError('usage', `${path} has no ${ENTRIES.join(' or ')}`, { hint: 'give the path of the pack module itself' });
  }
  if (!existsSync(path)) throw new FerryError('usage', `no app pack at ${path}`, { hint: 'check the path given to --app' });
  return path;
}
