import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, mkdirSync, readdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { FerryError } from '../core/errors.js';
import { byUtf8 } from './fs-util.js';
import { damaged, FILES_DIR, pathProblem, type BackupStore } from './layout.js';
import type { ManifestFile } from './manifest.js';

/**
 * The files section of a backup: the dataset's file tree (avatars, uploads…), copied in by the writer and out by
 * `extractFiles`, every file with its size and sha256. Regular files and folders only: a link could point
 * anywhere, so it is an error, never followed.
 */

/** Copies the tree at `source` into `dest` (emptied first), returning the manifest's list, sorted by path. */
export async function copyFileTree(source: string, dest: string): Promise<ManifestFile[]> {
  let stats: Stats;
  try {
    stats = statSync(source);
  } catch (e) {
    throw new FerryError('usage', `the files folder ${source} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (!stats.isDirectory()) throw new FerryError('usage', `the files folder ${source} is not a folder`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const out: ManifestFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of readdirSync(join(source, rel)).sort(byUtf8)) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(source, path);
      const problem = pathProblem(path);
      if (problem) throw refused(`${full} cannot be carried: its name makes ${problem}`, 'rename it');
      const st = lstatSync(full);
      if (st.isSymbolicLink()) {
        throw refused(
          `${full} is a symbolic link: a backup holds regular files only`,
          'replace it with a copy of its target, or remove it',
        );
      }
      if (st.isDirectory()) {
        mkdirSync(join(dest, path));
        await walk(path);
      } else if (st.isFile()) {
        const { sha256, size } = await copyHashed(createReadStream(full), join(dest, path));
        out.push({ path, size, sha256 });
      } else throw refused(`${full} is not a regular file (a device, socket or pipe)`, 'remove it from the files folder');
    }
  };
  await walk('');
  return out.sort((a, b) => byUtf8(a.path, b.path));
}

/**
 * Writes every file of the files section into `dest` (created if needed), checking each sha256 as it goes.
 * Refuses, before writing anything, a file that already exists and a path that would pass through a link; no path
 * can leave `dest` (the manifest's paths are checked when it is read, and each is checked again here).
 */
export async function extractFiles(store: BackupStore, files: ManifestFile[], dest: string): Promise<{ count: number; bytes: number }> {
  const root = resolve(dest);
  mkdirSync(root, { recursive: true });
  const targets = files.map((f) => {
    const target = resolve(root, ...f.path.split('/'));
    if (pathProblem(f.path) || !target.startsWith(root + sep)) {
      throw new FerryError('refused', `${f.path} would be written outside ${root}`, { hint: 'the backup is unsafe: do not use it' });
    }
    checkExtractTarget(root, target);
    return target;
  });
  let bytes = 0;
  for (const [i, f] of files.entries()) {
    const target = targets[i]!;
    mkdirSync(resolve(target, '..'), { recursive: true });
    let got: { sha256: string; size: number };
    try {
      got = await copyHashed(store.open(`${FILES_DIR}/${f.path}`), target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw refused(`${target} already exists: ferry does not overwrite files`, 'extract into an empty folder');
      }
      rmSync(target, { force: true });
      throw e;
    }
    if (got.sha256 !== f.sha256 || got.size !== f.size) {
      rmSync(target, { force: true });
      throw damaged(store.path, `${FILES_DIR}/${f.path} does not match its sha256 in the manifest (it was changed or damaged)`);
    }
    bytes += got.size;
  }
  return { count: files.length, bytes };
}

/** Refuses an existing file at `target`, and any existing part of its path inside `root` that is not a folder. */
function checkExtractTarget(root: string, target: string): void {
  const parts = relative(root, target).split(sep);
  let at = root;
  for (const [i, part] of parts.entries()) {
    at = join(at, part);
    let st: Stats;
    try {
      st = lstatSync(at);
    } catch {
      return;
    }
    if (i === parts.length - 1) {
      throw new FerryError('refused', `${at} already exists: ferry does not overwrite files`, { hint: 'extract into an empty folder' });
    }
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw new FerryError(
        'refused',
        `${at} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: refusing to extract through it`,
        {
          hint: 'extract into an empty folder',
        },
      );
    }
  }
}

/** Copies a stream into a new file (never an existing one), flushed to disk, returning its sha256 and size. */
async function copyHashed(source: Readable, target: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const file = await open(target, 'wx');
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      await file.write(chunk);
    }
    await file.datasync();
  } finally {
    await file.close();
    source.destroy();
  }
  return { sha256: hash.digest('hex'), size };
}

function refused(message: string, hint: string): FerryError {
  return new FerryError('refused', message, { hint });
}
