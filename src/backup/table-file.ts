import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FerryError } from '../core/errors.js';

/**
 * Data files: gzip streams of one or more members (a writer appends one per batch), holding lines that each end
 * with `\n`. A line never contains a raw newline (JSON escapes them in strings, and json columns code them), so
 * lines are found on bytes, before decoding UTF-8.
 */

const NEWLINE = 0x0a;

/**
 * The lines of a data file, skipping the first `skip` without decoding them. Memory stays bounded by the longest
 * line. Throws an Error for damaged gzip data and for data that ends inside a line; the caller names the file.
 */
export async function* dataLines(source: Readable, skip = 0): AsyncGenerator<string> {
  let input = 0;
  source.on('data', (chunk: Buffer) => (input += chunk.length));
  const text = pipeline(source, createGunzip(), () => {
    // Errors reach the loop below through the destroyed stream.
  });
  let toSkip = skip;
  let partial: Buffer[] = [];
  try {
    for await (const chunk of text as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        if (toSkip > 0) toSkip--;
        else if (partial.length > 0) {
          partial.push(chunk.subarray(start, nl));
          yield Buffer.concat(partial).toString('utf8');
        } else yield chunk.toString('utf8', start, nl);
        partial = [];
        start = nl + 1;
      }
      if (start < chunk.length) partial.push(chunk.subarray(start));
    }
  } catch (e) {
    // An empty file holds no member at all: no rows (ferry writes one empty member, other writers may not).
    if (input === 0 && (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') return;
    throw e;
  } finally {
    text.destroy();
    source.destroy();
  }
  if (partial.length > 0) throw new Error('the data ends inside a line (the file is truncated)');
}

/** A data file's sha256, size and number of lines, read back in full (which proves its gzip stream whole). */
export async function scanTableFile(path: string): Promise<{ sha256: string; rows: number; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const source = createReadStream(path);
  source.on('data', (chunk: Buffer | string) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  let rows = 0;
  try {
    // dataLines decodes each line; counting newlines in the raw output would be faster, but finishTable runs once.
    for await (const _line of dataLines(source)) rows++;
  } catch (e) {
    throw new FerryError('failed', `${path} cannot be read back: ${(e as Error).message}`, { cause: e });
  }
  return { sha256: hash.digest('hex'), rows, bytes };
}

/** Appends bytes to a file and flushes them to disk; returns the file's new size. */
export async function appendMember(path: string, member: Buffer): Promise<number> {
  const file = await open(path, 'a');
  try {
    await file.write(member);
    await file.datasync();
    return (await file.stat()).size;
  } finally {
    await file.close();
  }
}
