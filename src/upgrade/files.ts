import { FerryError } from '../core/errors.js';
import type { HopReader } from './hop-reader.js';

/** Where one file of the dataset's file tree goes: a new relative path, or nowhere (a loss, with why). */
export type FileMove = { from: string; to: string } | { from: string; dropped: string; hop: string };

/**
 * Maps the paths of a file tree (relative, `/`-separated) through every hop's `files` function, in order. A hop
 * without one keeps paths as they are. The hops' lookups are built first, since file names often follow ids.
 */
export async function* mapFiles(readers: HopReader[], paths: Iterable<string> | AsyncIterable<string>): AsyncIterable<FileMove> {
  for (const r of readers) if (r.hop.files) await r.ready();
  for await (const from of paths) {
    let path: string = from;
    let move: FileMove | undefined;
    for (const r of readers) {
      const files = r.hop.files as ((p: string, ctx: unknown) => string | null | { drop: string }) | undefined;
      if (!files) continue;
      let next: string | null | { drop: string };
      try {
        next = files(path, r.rt.ctx);
      } catch (e) {
        throw new FerryError('failed', `hop ${r.hop.label}: files failed on ${path}: ${(e as Error).message}`, { cause: e });
      }
      if (next === null || typeof next === 'object') {
        move = { from, dropped: next?.drop ?? 'left behind by the pack', hop: r.hop.label };
        break;
      }
      if (next.startsWith('/') || next.split('/').includes('..')) {
        throw new FerryError('failed', `hop ${r.hop.label}: files maps ${path} outside the file tree (${next})`);
      }
      path = next;
    }
    yield move ?? { from, to: path };
  }
}
