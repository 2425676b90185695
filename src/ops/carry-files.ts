import { copyFileSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { FerryError } from '../core/errors.js';
import type { UpgradedReader } from '../upgrade/index.js';

/** What became of an application's file tree in an upgrade. */
export interface FilesCarried {
  copied: number;
  /** Already at their destination with the same size (a resumed run). */
  present: number;
  /** Left behind by the pack, by reason. */
  dropped: Record<string, number>;
}

/**
 * Copies an application's file tree (`--files`) into the new version's folder (`--files-to`), each file renamed
 * by the pack's hops; the files a hop leaves behind are counted, not copied. The source tree is only read. A file
 * already at its destination with the same size is skipped, so a resumed run does not copy it again.
 */
export async function carryFiles(upgraded: UpgradedReader, from: string, to: string): Promise<FilesCarried> {
  if (!existsSync(from) || !statSync(from).isDirectory()) {
    throw new FerryError('usage', `--files ${from} is not a directory`, { hint: 'give the folder the application ran in' });
  }
  const result: FilesCarried = { copied: 0, present: 0, dropped: {} };
  for await (const move of upgraded.mapFiles(walk(from))) {
    if ('dropped' in move) {
      result.dropped[move.dropped] = (result.dropped[move.dropped] ?? 0) + 1;
      continue;
    }
    const source = join(from, ...move.from.split('/'));
    const target = join(to, ...move.to.split('/'));
    if (existsSync(target) && statSync(target).size === statSync(source).size) {
      result.present++;
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    // A copy-on-write clone where the file system offers one (a large upload tree costs no space), else a copy.
    copyFileSync(source, target, constants.COPYFILE_FICLONE);
    result.copied++;
  }
  return result;
}

/** Every file under a folder, as relative `/`-separated paths, in a stable order; links are not followed. */
function* walk(root: string, dir = root): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile()) yield relative(root, path).split(sep).join('/');
  }
}
