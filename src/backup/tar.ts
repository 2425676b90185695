import { closeSync, createReadStream, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { FerryError } from '../core/errors.js';

/**
 * The `.ferry` archive is an uncompressed POSIX tar file (ustar headers, with PAX extended headers for names that
 * are long or not ASCII and for sizes past 8 GiB). ferry writes regular files and folders only, with
 * deterministic headers; it reads an index of the entries without extracting anything, and refuses what could
 * write outside a destination or hide a file: links, devices, `..`, absolute paths, duplicates, truncation.
 *
 * Reference: POSIX.1-2017 `pax`, "ustar Interchange Format" and "pax Extended Header".
 */
const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

/** One entry to pack: a folder, a file on disk, or bytes in memory. */
export type TarSource =
  | { name: string; type: 'directory' }
  | { name: string; type: 'file'; size: number; path: string }
  | { name: string; type: 'file'; data: Buffer };

/**
 * Writes a tar file holding `entries` in the given order, every header with `mtime`, uid/gid 0, no owner names,
 * mode 0644 (files) or 0755 (folders), and flushes it to disk. A file whose size differs from the declared one (it
 * changed while packing) is an error.
 */
export async function writeTar(out: string, entries: TarSource[], mtime: Date): Promise<void> {
  const fd = openSync(out, 'w');
  try {
    const seconds = Math.floor(mtime.getTime() / 1000);
    for (const entry of entries) {
      const size = entry.type === 'directory' ? 0 : 'data' in entry ? entry.data.length : entry.size;
      for (const block of headerBlocks(entry.name, entry.type, size, seconds)) writeSync(fd, block);
      if (entry.type === 'file') {
        let written = 0;
        if ('data' in entry) written = writeSync(fd, entry.data);
        else {
          for await (const chunk of createReadStream(entry.path) as AsyncIterable<Buffer>) written += writeSync(fd, chunk);
        }
        if (written !== size)
          throw new FerryError('failed', `${entry.name} changed while it was packed (${written} bytes, ${size} expected)`);
        writeSync(fd, Buffer.alloc(padding(size)));
      }
    }
    writeSync(fd, Buffer.alloc(2 * BLOCK));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The header of one entry: a PAX extended header first when the name or the size does not fit ustar. */
function headerBlocks(name: string, type: 'file' | 'directory', size: number, mtime: number): Buffer[] {
  const full = type === 'directory' ? `${name}/` : name;
  const records: string[] = [];
  const plainName = /^[\x20-\x7e]*$/.test(full) && full.length <= 100;
  if (!plainName) records.push(paxRecord('path', full));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(size)));
  const blocks: Buffer[] = [];
  const fallback = plainName ? full : asciiFallback(full, type);
  if (records.length > 0) {
    const data = Buffer.from(records.join(''));
    blocks.push(
      ustarHeader(asciiFallback(`PaxHeaders/${name}`, 'file'), 'x', data.length, mtime),
      data,
      Buffer.alloc(padding(data.length)),
    );
  }
  blocks.push(ustarHeader(fallback, type === 'directory' ? '5' : '0', size, mtime));
  return blocks;
}

/** `"<length> <key>=<value>\n"`, where the length counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let length = bodyBytes + String(bodyBytes).length;
  // Adding the length's digits can add a digit to the length (98 bytes + "99" = 100, which has three digits).
  if (String(length).length > String(bodyBytes).length) length++;
  return `${length}${body}`;
}

/** An ASCII name of at most 100 bytes, for tools that ignore PAX headers; the PAX `path` is the real name. */
function asciiFallback(name: string, type: 'file' | 'directory'): string {
  const ascii = name.replace(/\/+$/, '').replace(/[^\x20-\x7e]/g, '_');
  const cut = ascii.length > 99 ? ascii.slice(0, 99) : ascii;
  return type === 'directory' ? `${cut}/` : cut;
}

function ustarHeader(name: string, typeflag: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'ascii');
  writeOctal(h, 100, 8, typeflag === '5' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  if (size > MAX_OCTAL_SIZE) writeBase256(h, 124, 12, size);
  else writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.write(typeflag, 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'ascii');
  writeOctal(h, 329, 8, 0);
  writeOctal(h, 337, 8, 0);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

/** A number in octal digits, zero-padded, NUL-terminated, filling the field. */
function writeOctal(h: Buffer, offset: number, length: number, value: number): void {
  h.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

/** GNU base-256: the field's first byte 0x80, the number big-endian in the rest (for sizes past 8 GiB). */
function writeBase256(h: Buffer, offset: number, length: number, value: number): void {
  let v = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    h[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  h[offset] = 0x80;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** One entry of an archive's index: where its bytes are, without reading them. */
export interface TarEntry {
  /** The path, normalized: no leading `./`, no trailing `/`. */
  name: string;
  type: 'file' | 'directory';
  /** The byte offset of the entry's data in the archive. */
  offset: number;
  size: number;
}

const REFUSED_TYPES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a named pipe',
  K: 'a link (GNU long link name)',
};

/**
 * Reads the headers of a tar file into an index of its files and folders, refusing (FerryError 'endpoint', naming
 * the entry) links and devices, names that are absolute, climb out with `..` or repeat, bad header checksums,
 * and an archive that ends before its last entry or without its end-of-archive blocks.
 */
export async function indexTar(path: string): Promise<TarEntry[]> {
  const fail = (message: string) =>
    new FerryError('endpoint', `${path}: ${message}`, {
      hint: 'the archive is damaged, incomplete or unsafe: use another copy of it, or make the backup again',
    });
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    const entries: TarEntry[] = [];
    const seen = new Set<string>();
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    let pending: { path?: string; size?: number } = {};
    let last = 'the start of the archive';
    for (;;) {
      if (offset + BLOCK > total) throw fail(`truncated archive: it ends after ${last}, without the end-of-archive marker`);
      readSync(fd, header, 0, BLOCK, offset);
      if (header.every((b) => b === 0)) return entries;
      if (!checksumOk(header)) throw fail(`damaged archive: the header at byte ${offset} (after ${last}) fails its checksum`);
      const typeflag = String.fromCharCode(header[156]!);
      const extension = typeflag === 'x' || typeflag === 'g' || typeflag === 'L';
      const rawName = !extension && pending.path !== undefined ? pending.path : headerName(header);
      const size = !extension && pending.size !== undefined ? pending.size : readNumber(header, 124, 12);
      if (size === undefined) throw fail(`damaged archive: the header of ${rawName} has an unreadable size`);
      const dataOffset = offset + BLOCK;
      if (dataOffset + size > total) {
        throw fail(`truncated archive: ${rawName} needs ${size} bytes, but the archive ends ${total - dataOffset} bytes into it`);
      }
      offset = dataOffset + size + padding(size);
      if (extension) {
        const data = Buffer.alloc(size);
        readSync(fd, data, 0, size, dataOffset);
        const malformed = () => fail(`damaged archive: the extended header at byte ${dataOffset - BLOCK} is malformed`);
        if (typeflag === 'x') pending = { ...pending, ...parsePax(data, malformed) };
        else if (typeflag === 'L') pending = { ...pending, path: data.toString('utf8').replace(/\0.*$/s, '') };
        continue;
      }
      pending = {};
      last = rawName;
      const refused = REFUSED_TYPES[typeflag];
      if (refused) throw fail(`the entry ${rawName} is ${refused}: a backup holds regular files and folders only`);
      let type: 'file' | 'directory';
      if (typeflag === '5' || (typeflag === '0' && rawName.endsWith('/'))) type = 'directory';
      else if (typeflag === '0' || typeflag === '\0' || typeflag === '7') type = 'file';
      else throw fail(`the entry ${rawName} has an unsupported type ${JSON.stringify(typeflag)}`);
      const name = rawName.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
      if (name === '' || name === '.') {
        if (type === 'directory') continue;
        throw fail(`an entry has no name (at byte ${dataOffset - BLOCK})`);
      }
      const problem = rawName.startsWith('/') ? 'an absolute path' : unsafeName(name);
      if (problem) throw fail(`the entry ${rawName} is ${problem}: refusing an archive that could write outside its destination`);
      if (seen.has(name)) throw fail(`the entry ${name} appears twice`);
      seen.add(name);
      entries.push({ name, type, offset: dataOffset, size: type === 'directory' ? 0 : size });
    }
  } finally {
    closeSync(fd);
  }
}

function unsafeName(name: string): string | undefined {
  if (name.includes('\\')) return 'a path with a backslash';
  for (const segment of name.split('/')) {
    if (segment === '..') return 'a path that climbs out with ".."';
    if (segment === '' || segment === '.') return 'a path with an empty or "." segment';
  }
  return undefined;
}

function headerName(h: Buffer): string {
  const name = cString(h, 0, 100);
  const ustar = h.toString('ascii', 257, 262) === 'ustar';
  const prefix = ustar ? cString(h, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(h: Buffer, offset: number, length: number): string {
  const end = h.indexOf(0, offset);
  return h.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

/** An octal field (NUL/space padded), or GNU base-256 when the first byte has its high bit set. */
function readNumber(h: Buffer, offset: number, length: number): number | undefined {
  if (h[offset]! & 0x80) {
    if (h[offset] !== 0x80) return undefined;
    let v = 0n;
    for (let i = offset + 1; i < offset + length; i++) v = (v << 8n) | BigInt(h[i]!);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  }
  const text = h
    .toString('ascii', offset, offset + length)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

function checksumOk(h: Buffer): boolean {
  const stored = readNumber(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** The `path` and `size` records of a PAX extended header (other keys do not matter to ferry). */
function parsePax(data: Buffer, fail: () => Error): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break;
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? NaN : Number(data.toString('ascii', at, space));
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length || data[at + length - 1] !== 0x0a) throw fail();
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq === -1) throw fail();
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    else if (key === 'size') {
      if (!/^\d+$/.test(value)) throw fail();
      out.size = Number(value);
    }
    at += length;
  }
  return out;
}
