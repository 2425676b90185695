/**
 * The pieces of the format on their own: the line codec (json text kept byte for byte through its whitespace code,
 * lines split into raw elements), table file names, and tar names of every length and script.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeJsonText, lineDecoder, splitElements } from '../../src/backup/decode.js';
import { encodeJsonText, rowEncoder } from '../../src/backup/encode.js';
import { pathProblem, tableFileName } from '../../src/backup/layout.js';
import { readManifest } from '../../src/backup/manifest.js';
import { indexTar, writeTar, type TarSource } from '../../src/backup/tar.js';
import type { ColumnSchema } from '../../src/core/schema.js';
import { tempDir } from '../helpers/servers.js';

const work = tempDir();
after(() => work.remove());

describe('json columns', () => {
  const columns: ColumnSchema[] = [
    { name: 'id', type: { kind: 'integer', bits: 32 }, nullable: false },
    { name: 'j', type: { kind: 'json' }, nullable: true },
    { name: 's', type: { kind: 'text' }, nullable: true },
  ];
  const encode = rowEncoder(columns);
  const decode = lineDecoder(columns);

  test('keep every JSON text byte for byte, whatever its whitespace', () => {
    const texts = [
      '{}',
      '[]',
      'null',
      ' null',
      'true',
      '"a,b]}"',
      '{"k": "v\\"],[", "n": [1, 2, {"x": null}]}',
      '\n{\r\n\t"a" :\t[ 1 ,2 ]\n}\n',
      '\t\t0\t',
      '12345678901234567890123456789e-400',
      '"\\u0000 \\n \\t"',
      '{"emoji": "😀", "cjk": "中文"}',
    ];
    // And random whitespace around the tokens of a document.
    const spaces = [' ', '\t', '\n', '\r', '\r\n', '  \t'];
    for (let i = 0; i < 200; i++) {
      const ws = () => Array.from({ length: i % 4 }, (_, k) => spaces[(i * 7 + k * 3) % spaces.length]).join('');
      texts.push(`${ws()}{${ws()}"a"${ws()}:${ws()}[${ws()}1${ws()},"x"${ws()}]${ws()}}${ws()}`);
    }
    for (const text of texts) {
      const line = encode([1, text, 'after']);
      assert.equal(line.indexOf('\n'), line.length - 1, `one line for ${JSON.stringify(text)}`);
      assert.deepEqual(JSON.parse(line)[1], JSON.parse(text), 'a plain JSON reader gets the value');
      assert.deepEqual(decode(line.slice(0, -1)), [1, text, 'after'], JSON.stringify(text));
    }
  });

  test('SQL NULL and the JSON text null differ', () => {
    assert.equal(encode([1, null, null]), '[1,null,null]\n');
    assert.equal(encode([1, 'null', null]), '[1,\tnull,null]\n');
    assert.deepEqual(decode('[1,null,null]'), [1, null, null]);
    assert.deepEqual(decode('[1,\tnull,null]'), [1, 'null', null]);
  });

  test('a lone surrogate inside a JSON string is escaped, the value unchanged', () => {
    const text = '{"s": "\ud83d"}';
    const coded = encodeJsonText(text);
    assert.equal(coded, '{"s": "\\ud83d"}');
    assert.deepEqual(JSON.parse(decodeJsonText(coded)), JSON.parse(text));
  });

  test('invalid JSON is refused, not written', () => {
    assert.throws(() => encode([1, '{"a":', null]), /j: .* is not valid JSON/);
  });

  test('lines split into their raw elements', () => {
    assert.deepEqual(splitElements('[1,"a,]",{"b":[1,2]}, [ ] ,null]'), ['1', '"a,]"', '{"b":[1,2]}', ' [ ] ', 'null']);
    assert.deepEqual(splitElements('[]'), []);
    assert.deepEqual(splitElements('["\\\\",2]'), ['"\\\\"', '2']);
    assert.throws(() => splitElements('[1,2'), /ends inside/);
    assert.throws(() => splitElements('[1,{]}'), /mismatched/);
    assert.throws(() => splitElements('[1,2] x'), /goes on after/);
    assert.throws(() => splitElements('[1,,2]'), /empty element/);
    assert.throws(() => decode('[1,{"a":1}]'), /2 values for 3 columns/);
  });
});

describe('table file names', () => {
  test('keep letters of any script, replace what a file system refuses, stay short', () => {
    assert.equal(tableFileName(1, 'users'), 'tables/0001-users.ndjson.gz');
    assert.equal(tableFileName(12, 'Überweisungen 2024'), 'tables/0012-Überweisungen 2024.ndjson.gz');
    assert.equal(tableFileName(3, '.hidden'), 'tables/0003-_hidden.ndjson.gz');
    assert.equal(tableFileName(4, 'a/b\\c:d*e?f"g<h>i|j\u0001'), 'tables/0004-a_b_c_d_e_f_g_h_i_j_.ndjson.gz');
    assert.equal(tableFileName(5, 'trailing. '), 'tables/0005-trailing__.ndjson.gz');
    assert.equal(tableFileName(10000, ''), 'tables/10000-_.ndjson.gz');
    const long = tableFileName(6, '表'.repeat(100));
    assert.equal(long, `tables/0006-${'表'.repeat(21)}.ndjson.gz`, 'cut to 64 bytes on a character boundary');
    for (const name of ['users', '..', 'a/../b', '\u0000']) assert.equal(pathProblem(tableFileName(1, name)), undefined, name);
  });
});

describe('tar', () => {
  test('names of every length and script come back from the index', async () => {
    const entries: TarSource[] = [];
    for (let length = 1; length <= 260; length += 3) {
      entries.push({ name: `files/${'a'.repeat(length)}`, type: 'file', data: Buffer.from(String(length)) });
      entries.push({ name: `files/é${'b'.repeat(length)}`, type: 'file', data: Buffer.alloc(length % 700, 7) });
    }
    entries.push({ name: 'files/dir/中文', type: 'directory' });
    const path = join(work.path, 'names.tar');
    await writeTar(path, entries, new Date('2026-01-02T03:04:05Z'));
    const index = await indexTar(path);
    assert.deepEqual(
      index.map((e) => [e.name, e.type, e.size]),
      entries.map((e) => [e.name, e.type, e.type === 'directory' ? 0 : 'data' in e ? e.data.length : e.size]),
    );
  });

  test('the same content packs to the same bytes', async () => {
    const entries: TarSource[] = [
      { name: 'manifest.json', type: 'file', data: Buffer.from('{}') },
      { name: 'files', type: 'directory' },
    ];
    const a = join(work.path, 'a.tar');
    const b = join(work.path, 'b.tar');
    await writeTar(a, entries, new Date('2026-01-02T03:04:05Z'));
    await new Promise((r) => setTimeout(r, 1100));
    await writeTar(b, entries, new Date('2026-01-02T03:04:05Z'));
    const { readFileSync } = await import('node:fs');
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });

  test('reads GNU base-256 sizes and long names from other tools', async () => {
    const h = Buffer.alloc(512);
    h.write('files/x', 0, 'ascii');
    h.write('0000644\0', 100, 'ascii');
    h[124] = 0x80;
    h[135] = 5;
    h.write('0', 156, 'ascii');
    h.write('ustar  \0', 257, 'ascii');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    const data = Buffer.alloc(512);
    data.write('hello');
    const path = join(work.path, 'gnu.tar');
    writeFileSync(path, Buffer.concat([h, data, Buffer.alloc(1024)]));
    assert.deepEqual(await indexTar(path), [{ name: 'files/x', type: 'file', offset: 512, size: 5 }]);
  });
});

describe('docs/backup-format.md', () => {
  test('its example manifest and lines read as the text says', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/backup-format.md', import.meta.url), 'utf8');
    const example = doc.slice(doc.indexOf('## 9. Example'));
    const json = /```json\n([\s\S]*?)```\n/.exec(example)!;
    const manifestText = json[1]!;
    const rest = example.slice(json.index + json[0].length);
    const lines = /```\n([\s\S]*?)```/.exec(rest)![1]!.replaceAll('→', '\t').trimEnd().split('\n');
    const manifest = readManifest(manifestText, 'example');
    const decode = lineDecoder(manifest.tables[0]!.schema.columns);
    assert.deepEqual(decode(lines[0]!), [1, '19.90', '2026-03-01 09:30:00.25+00:00', Buffer.from('PDF'), '{"items": 2}']);
    assert.deepEqual(decode(lines[1]!), [9007199254740993n, '0.00', null, null, 'null']);
    assert.equal(lines.length, manifest.tables[0]!.rows);
    assert.equal(tableFileName(1, 'orders'), manifest.tables[0]!.file);
  });
});
