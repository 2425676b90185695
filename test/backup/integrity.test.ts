/**
 * A backup is trusted only once every byte is checked: each kind of damage to a folder or an archive is a
 * FerryError ('endpoint', exit 6) whose message names the file, raised when the backup is opened — or, for what only
 * reading can reveal (a row count that lies, a truncated gzip with a matching checksum), when it is read. Extracting
 * the file tree never overwrites and never writes outside its destination.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { extractFiles } from '../../src/backup/files.js';
import { openStore } from '../../src/backup/layout.js';
import { openBackupReader } from '../../src/backup/reader.js';
import { indexTar, writeTar, type TarSource } from '../../src/backup/tar.js';
import { FerryError } from '../../src/core/errors.js';
import type { Row } from '../../src/core/values.js';
import { tempDir } from '../helpers/servers.js';
import { readAll, table, writeBackup } from './helpers.js';

const work = tempDir();
after(() => work.remove());

const T = table('items', [
  { name: 'id', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'doc', type: { kind: 'json' }, nullable: true },
]);
const rows: Row[] = Array.from({ length: 50 }, (_, i) => [i, `{"n": ${i}}`]);
const TABLE_FILE = 'tables/0001-items.ndjson.gz';

let n = 0;
/** A fresh, valid backup folder (one table of 50 rows, one file) to damage. */
async function backupFolder(): Promise<string> {
  const path = join(work.path, `b${++n}`);
  const files = join(work.path, `f${n}`);
  mkdirSync(join(files, 'docs'), { recursive: true });
  writeFileSync(join(files, 'docs', 'a.txt'), 'alpha');
  await writeBackup(path, [{ table: T, rows }], { filesDir: files, batchRows: 7 });
  return path;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function editManifest(
  path: string,
  edit: (m: Record<string, unknown> & { tables: Record<string, unknown>[]; files: Record<string, unknown>[] }) => void,
): void {
  const file = join(path, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m));
}

/** Asserts a FerryError of kind 'endpoint' whose message matches (and so names the file). */
function damaged(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof FerryError, String(e));
    assert.equal(e.kind, 'endpoint', e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

describe('a damaged backup folder is refused on open, naming the file', () => {
  test('a flipped byte in a table file', async () => {
    const path = await backupFolder();
    const file = join(path, TABLE_FILE);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0x01;
    writeFileSync(file, bytes);
    await assert.rejects(openBackupReader(path), damaged(/tables\/0001-items\.ndjson\.gz does not match its sha256/));
  });

  test('a truncated table file', async () => {
    const path = await backupFolder();
    truncateSync(join(path, TABLE_FILE), 40);
    await assert.rejects(openBackupReader(path), damaged(/0001-items\.ndjson\.gz does not match its sha256/));
  });

  test('a flipped byte in a file of the files section', async () => {
    const path = await backupFolder();
    writeFileSync(join(path, 'files', 'docs', 'a.txt'), 'alphA');
    await assert.rejects(openBackupReader(path), damaged(/files\/docs\/a\.txt does not match its sha256/));
    writeFileSync(join(path, 'files', 'docs', 'a.txt'), 'alpha!');
    await assert.rejects(openBackupReader(path), damaged(/files\/docs\/a\.txt has 6 bytes, but the manifest says 5/));
  });

  test('a missing table file, a missing file', async () => {
    const path = await backupFolder();
    rmSync(join(path, 'files', 'docs', 'a.txt'));
    await assert.rejects(openBackupReader(path), damaged(/files\/docs\/a\.txt is missing/));
    rmSync(join(path, TABLE_FILE));
    await assert.rejects(openBackupReader(path), damaged(/tables\/0001-items\.ndjson\.gz is missing/));
  });

  test('an extra file in tables/ or in files/', async () => {
    const path = await backupFolder();
    writeFileSync(join(path, 'tables', '0002-ghost.ndjson.gz'), '');
    await assert.rejects(openBackupReader(path), damaged(/tables\/0002-ghost\.ndjson\.gz is not listed in the manifest/));
    rmSync(join(path, 'tables', '0002-ghost.ndjson.gz'));
    writeFileSync(join(path, 'files', 'docs', 'b.txt'), 'beta');
    await assert.rejects(openBackupReader(path), damaged(/files\/docs\/b\.txt is not listed in the manifest/));
    rmSync(join(path, 'files', 'docs', 'b.txt'));
    symlinkSync('/etc/passwd', join(path, 'files', 'docs', 'link'));
    await assert.rejects(openBackupReader(path), damaged(/files\/docs\/link is a symbolic link/));
  });

  test("an edited manifest: another table file's sha256", async () => {
    const path = await backupFolder();
    editManifest(path, (m) => (m.tables[0]!.sha256 = '0'.repeat(64)));
    await assert.rejects(openBackupReader(path), damaged(/0001-items\.ndjson\.gz does not match its sha256/));
  });

  test('an unknown format version, another format, a manifest that is not JSON', async () => {
    const path = await backupFolder();
    editManifest(path, (m) => (m.version = 2));
    await assert.rejects(openBackupReader(path), damaged(/unknown backup format version 2: this ferry reads version 1/));
    editManifest(path, (m) => Object.assign(m, { version: 1, format: 'other' }));
    await assert.rejects(openBackupReader(path), damaged(/is not a ferry backup/));
    writeFileSync(join(path, 'manifest.json'), '{"format": "ferry-backup", ');
    await assert.rejects(openBackupReader(path), damaged(/manifest\.json is not valid JSON/));
  });

  test('a manifest naming unsafe paths or missing fields', async () => {
    const path = await backupFolder();
    editManifest(path, (m) => (m.tables[0]!.file = 'tables/../../etc/x.ndjson.gz'));
    await assert.rejects(openBackupReader(path), damaged(/tables\[0\]\.file .* is not a file name in tables\//));
    editManifest(path, (m) => {
      m.tables[0]!.file = TABLE_FILE;
      m.files[0]!.path = '../outside.txt';
    });
    await assert.rejects(openBackupReader(path), damaged(/files\[0\]\.path "\.\.\/outside\.txt" is a path that climbs out/));
    editManifest(path, (m) => {
      m.files[0]!.path = 'docs/a.txt';
      delete m.tables[0]!.rows;
    });
    await assert.rejects(openBackupReader(path), damaged(/tables\[0\]\.rows must be a whole number/));
    editManifest(path, (m) => {
      m.tables[0]!.rows = 50;
      (m.tables[0]!.schema as { columns: { type: unknown }[] }).columns[1]!.type = { kind: 'geometry' };
    });
    await assert.rejects(openBackupReader(path), damaged(/portable type "geometry"/));
  });

  test('an unfinished backup', async () => {
    const path = join(work.path, 'unfinished');
    mkdirSync(path);
    writeFileSync(join(path, '.ferry-run.json'), '{}');
    await assert.rejects(openBackupReader(path), damaged(/is an unfinished backup/));
  });
});

describe('damage only reading reveals is an error when read', () => {
  test('a row count the data file does not hold', async () => {
    for (const count of [49, 51]) {
      const path = await backupFolder();
      editManifest(path, (m) => (m.tables[0]!.rows = count));
      const reader = await openBackupReader(path);
      await assert.rejects(
        readAll(reader, T),
        damaged(new RegExp(`0001-items\\.ndjson\\.gz holds (more rows than the 49|50 rows, but its manifest says 51)`)),
      );
    }
  });

  test('a truncated gzip whose sha256 was recorded to match', async () => {
    const path = await backupFolder();
    const file = join(path, TABLE_FILE);
    truncateSync(file, readFileSync(file).length - 10);
    editManifest(path, (m) => (m.tables[0]!.sha256 = sha256(readFileSync(file))));
    const reader = await openBackupReader(path);
    await assert.rejects(readAll(reader, T), damaged(/0001-items\.ndjson\.gz cannot be read: unexpected end of file/));
  });

  test('a line that does not hold its columns', async () => {
    const path = await backupFolder();
    const { gzipSync } = await import('node:zlib');
    const file = join(path, TABLE_FILE);
    writeFileSync(file, gzipSync('[1,{"n":1}]\n["x",null]\n'));
    editManifest(path, (m) => {
      m.tables[0]!.sha256 = sha256(readFileSync(file));
      m.tables[0]!.rows = 2;
    });
    const reader = await openBackupReader(path);
    await assert.rejects(readAll(reader, T), damaged(/0001-items\.ndjson\.gz line 2: id: expected an integer, found "x"/));
  });
});

/** A ustar header block, for archives no ferry would write. */
function header(name: string, typeflag: string, size: number, link = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(link, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function entry(name: string, data: string | Buffer, typeflag = '0'): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([header(name, typeflag, bytes.length), bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
}

const END = Buffer.alloc(1024);

describe('an unsafe or damaged archive is refused, naming the entry', () => {
  const archive = (name: string, ...parts: Buffer[]) => {
    const path = join(work.path, name);
    writeFileSync(path, Buffer.concat(parts));
    return path;
  };
  const manifest = entry('manifest.json', '{}');

  test('an entry that climbs out with ..', async () => {
    const path = archive('dotdot.ferry', manifest, entry('files/../../evil.sh', 'x'), END);
    await assert.rejects(openBackupReader(path), damaged(/files\/\.\.\/\.\.\/evil\.sh is a path that climbs out/));
  });

  test('an absolute path', async () => {
    const path = archive('absolute.ferry', manifest, entry('/etc/cron.d/evil', 'x'), END);
    await assert.rejects(openBackupReader(path), damaged(/\/etc\/cron\.d\/evil is an absolute path/));
  });

  test('a symbolic link, a hard link, a device', async () => {
    const link = archive('symlink.ferry', manifest, header('files/passwd', '2', 0, '/etc/passwd'), END);
    await assert.rejects(openBackupReader(link), damaged(/files\/passwd is a symbolic link/));
    const hard = archive('hardlink.ferry', manifest, header('files/x', '1', 0, 'manifest.json'), END);
    await assert.rejects(openBackupReader(hard), damaged(/files\/x is a hard link/));
    const dev = archive('device.ferry', manifest, header('files/sda', '4', 0), END);
    await assert.rejects(openBackupReader(dev), damaged(/files\/sda is a block device/));
  });

  test('a name that appears twice', async () => {
    const path = archive('twice.ferry', manifest, entry('files/a', 'x'), entry('./files/a', 'y'), END);
    await assert.rejects(openBackupReader(path), damaged(/files\/a appears twice/));
  });

  test('a truncated archive', async () => {
    const good = await backupFolder();
    const entries: TarSource[] = [
      { name: 'manifest.json', type: 'file', data: readFileSync(join(good, 'manifest.json')) },
      { name: TABLE_FILE, type: 'file', data: readFileSync(join(good, TABLE_FILE)) },
      { name: 'files/docs/a.txt', type: 'file', data: Buffer.from('alpha') },
    ];
    const whole = join(work.path, 'whole.ferry');
    await writeTar(whole, entries, new Date());
    assert.deepEqual((await readAll(await openBackupReader(whole), T)).rows, rows, 'the untruncated archive reads');
    const bytes = readFileSync(whole);
    const tableEntry = (await indexTar(whole)).find((e) => e.name === TABLE_FILE)!;
    const cut = archive('cut.ferry', bytes.subarray(0, tableEntry.offset + 100));
    await assert.rejects(openBackupReader(cut), damaged(/truncated archive: tables\/0001-items\.ndjson\.gz needs \d+ bytes/));
    const noEnd = archive('noend.ferry', bytes.subarray(0, bytes.length - 1024));
    await assert.rejects(openBackupReader(noEnd), damaged(/truncated archive: it ends after files\/docs\/a\.txt/));
  });

  test('a damaged header', async () => {
    const bad = entry('files/a', 'x');
    bad[10]! ^= 0x20;
    const path = archive('checksum.ferry', manifest, bad, END);
    await assert.rejects(openBackupReader(path), damaged(/header at byte 1024 .* fails its checksum/));
  });

  test('an archive whose table file was changed', async () => {
    const good = await backupFolder();
    const data = readFileSync(join(good, TABLE_FILE));
    data[20]! ^= 0xff;
    const path = join(work.path, 'changed.ferry');
    await writeTar(
      path,
      [
        { name: 'manifest.json', type: 'file', data: readFileSync(join(good, 'manifest.json')) },
        { name: TABLE_FILE, type: 'file', data },
        { name: 'files/docs/a.txt', type: 'file', data: Buffer.from('alpha') },
      ],
      new Date(),
    );
    await assert.rejects(openBackupReader(path), damaged(/changed\.ferry: tables\/0001-items\.ndjson\.gz does not match its sha256/));
  });
});

describe('extracting the file tree', () => {
  test('refuses to overwrite an existing file, before writing anything', async () => {
    const path = await backupFolder();
    const reader = await openBackupReader(path);
    const dest = join(work.path, 'dest-existing');
    mkdirSync(join(dest, 'docs'), { recursive: true });
    writeFileSync(join(dest, 'docs', 'a.txt'), 'mine');
    await assert.rejects(reader.extractFiles(dest), (e: unknown) => {
      assert.ok(e instanceof FerryError && e.kind === 'refused');
      assert.match(e.message, /docs\/a\.txt already exists: ferry does not overwrite files/);
      return true;
    });
    assert.equal(readFileSync(join(dest, 'docs', 'a.txt'), 'utf8'), 'mine');
  });

  test('never writes outside its destination, not even through a link', async () => {
    const path = await backupFolder();
    const store = await openStore(path);
    const dest = join(work.path, 'dest-safe');
    await assert.rejects(
      extractFiles(store, [{ path: '../escaped.txt', size: 5, sha256: sha256(Buffer.from('alpha')) }], dest),
      /would be written outside/,
    );
    assert.equal(existsSync(join(work.path, 'escaped.txt')), false);
    const outside = join(work.path, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(dest, 'docs'));
    const reader = await openBackupReader(path);
    await assert.rejects(reader.extractFiles(dest), /docs is a symbolic link: refusing to extract through it/);
    assert.equal(existsSync(join(outside, 'a.txt')), false);
  });

  test('re-checks each file it writes', async () => {
    const path = await backupFolder();
    const reader = await openBackupReader(path);
    writeFileSync(join(path, 'files', 'docs', 'a.txt'), 'ALPHA');
    const dest = join(work.path, 'dest-recheck');
    await assert.rejects(reader.extractFiles(dest), damaged(/files\/docs\/a\.txt does not match its sha256/));
    assert.equal(existsSync(join(dest, 'docs', 'a.txt')), false, 'the damaged file is not left behind');
  });
});

describe('a backup changed after it was opened', () => {
  test('is an error when the changed table is read', async () => {
    const path = await backupFolder();
    const reader = await openBackupReader(path);
    const { gzipSync } = await import('node:zlib');
    const lines = rows.map(([id, doc]) => `[${String(id)},${String(doc)}]\n`).join('');
    writeFileSync(join(path, TABLE_FILE), gzipSync(lines.replace('"n": 7}', '"n": 8}')));
    await assert.rejects(readAll(reader, T, 1000), damaged(/0001-items\.ndjson\.gz changed while it was read/));
  });
});
