import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { FerryError } from '../core/errors.js';

/**
 * Data files: gzip streams of one or more members (a writer appends one per batch), holding lines that each end
 * with `\n`. A line never contains a raw newline (JSON escapes them in strings, and json columns code them), so
 * lines are found on bytes, before decoding UTF-8.
 */

const NEWLINE = 0x0a;

/**
 * zlib's output chunk (Node's default is 16 KiB). Each chunk is one job on libuv's thread pool and one callback on
 * the main thread, so small chunks keep decompression waiting on a busy main thread and cost a callback per 16 KiB;
 * with 256 KiB, gunzip of a wide table's file takes about half the time, and runs beside the decoding of rows.
 */
const GUNZIP_CHUNK = 256 * 1024;

/**
 * The lines of a data file, in groups (the lines that each decompressed chunk completes: one await per group, not
 * per line), skipping the first `skip` without decoding them. Memory stays bounded by the longest line and one
 * chunk. Throws an Error for damaged gzip data and for data that ends inside a line; the caller names the file.
 */
export async function* dataLines(source: Readable, skip = 0): AsyncGenerator<string[]> {
  for await (const { src, ranges } of dataLineRanges(source, skip)) {
    const lines = new Array<string>(ranges.length / 2);
    for (let k = 0; k < ranges.length; k += 2) lines[k / 2] = src.toString('utf8', ranges[k], ranges[k + 1]);
    yield lines;
  }
}

/**
 * The lines of a data file as byte ranges, in groups: each decompressed chunk with the [start, end) of the lines it
 * completes (newline excluded); a line split across chunks comes as a group of its own. Skips the first `skip`.
 * Lines are found on bytes, before any decoding; the same memory bound and errors as dataLines.
 */
export async function* dataLineRanges(source: Readable, skip = 0): AsyncGenerator<{ src: Buffer; ranges: number[] }> {
  let toSkip = skip;
  let partial: Buffer[] = [];
  for await (const chunk of decompressed(source)) {
    const ranges: number[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (toSkip > 0) toSkip--;
      else if (partial.length > 0) {
        partial.push(chunk.subarray(start, nl));
        const line = Buffer.concat(partial);
        yield { src: line, ranges: [0, line.length] };
      } else ranges.push(start, nl);
      partial = [];
      start = nl + 1;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
    if (ranges.length > 0) yield { src: chunk, ranges };
  }
  if (partial.length > 0) throw new Error('the data ends inside a line (the file is truncated)');
}

/** The decompressed bytes of a data file, through all its gzip members. */
async function* decompressed(source: Readable): AsyncGenerator<Buffer> {
  let input = 0;
  source.on('data', (chunk: Buffer) => (input += chunk.length));
  // The stream may hold a few chunks ahead of the reader, so that decompression (on the thread pool) goes on while
  // the main thread works through the previous chunk.
  // (zlib hands its options to the stream, though its type does not say so.)
  const options = { chunkSize: GUNZIP_CHUNK, highWaterMark: 4 * GUNZIP_CHUNK } as ZlibOptions;
  const text = pipeline(source, createGunzip(options), () => {
    // Errors reach the loop below through the destroyed stream.
  });
  try {
    for await (const chunk of text as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    // An empty file holds no member at all: no rows (ferry writes one empty member, other writers may not).
    if (input === 0 && (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') return;
    throw e;
  } finally {
    text.destroy();
    source.destroy();
  }
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
  let last = NEWLINE;
  try {
    // Lines are counted on the bytes: each ends with a newline, which UTF-8 never uses inside a character.
    for await (const chunk of decompressed(source)) {
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, nl + 1)) rows++;
      if (chunk.length > 0) last = chunk[chunk.length - 1]!;
    }
    if (last !== NEWLINE) throw new Error('the data ends inside a line (the file is truncated)');
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
