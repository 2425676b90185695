/**
 * The table digest: what it must see (every value, NULL vs empty, duplicates), what it must not (row order, the
 * spellings engines differ in), and that digests stored by earlier versions (format 1, in checkpoints and backups)
 * are still read as they were written.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { valueEncoder } from '../../src/core/canonical.js';
import { TableDigest, digestFormatOf, type DigestFormat } from '../../src/core/digest.js';
import type { PortableType } from '../../src/core/types.js';
import { InvalidValue, type Row } from '../../src/core/values.js';

const types: PortableType[] = [
  { kind: 'integer', bits: 64 },
  { kind: 'text' },
  { kind: 'decimal', precision: 12, scale: 2 },
  { kind: 'real', bits: 64 },
  { kind: 'boolean' },
  { kind: 'binary' },
  { kind: 'json' },
  { kind: 'timestamp', withTimeZone: true, fractionDigits: 6 },
  { kind: 'date' },
  { kind: 'uuid' },
] as PortableType[];
const encoders = types.map(valueEncoder);

const sample = (): Row[] => [
  [
    1,
    'plain',
    '12.50',
    0.1,
    true,
    new Uint8Array([0, 1, 2]),
    '{"b":1,"a":[1,{"d":2,"c":3}],"10":0,"2":0}',
    '2024-01-02 03:04:05.120000+00:00',
    '2024-01-02',
    'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  ],
  [9007199254740993n, '', '-000.10', -0, false, new Uint8Array(), 'null', '1999-12-31 23:59:59', '0001-01-01', null],
  [3, null, null, null, null, null, null, null, null, null],
  [
    4,
    'émoji 😀\ttab\nline',
    '0',
    1e21,
    1,
    new Uint8Array([255]),
    '[1,"x",{"é":true}]',
    new InvalidValue('bad', '0000-00-00 00:00:00'),
    '2024-02-29',
    '00000000-0000-0000-0000-000000000000',
  ],
];

function digestOf(rows: Row[], keyIndexes = [0], format?: DigestFormat): TableDigest {
  const d = new TableDigest(format);
  for (const row of rows) d.add(row, encoders, keyIndexes);
  return d;
}

describe('canonical texts', () => {
  test('each type has one spelling whatever engine it came from', () => {
    const texts = sample().map((row) => row.map((v, i) => encoders[i]!(v)));
    assert.deepEqual(texts[0], [
      '1',
      'plain',
      '12.5',
      '0.1',
      'true',
      'AAEC',
      '{"2":0,"10":0,"a":[1,{"c":3,"d":2}],"b":1}',
      '2024-01-02 03:04:05.12',
      '2024-01-02',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    ]);
    assert.deepEqual(texts[1], ['9007199254740993', '', '-0.1', '0', 'false', '', 'null', '1999-12-31 23:59:59', '0001-01-01', null]);
    assert.equal(texts[3]![7], '\u0000invalid:0000-00-00 00:00:00');
  });

  test('decimals: signs, leading and trailing zeros', () => {
    const d = encoders[2]!;
    const cases: [string, string][] = [
      ['0', '0'],
      ['-0', '0'],
      ['+0.00', '0'],
      ['007', '7'],
      ['10', '10'],
      ['-12.50', '-12.5'],
      ['.5', '0.5'],
      ['1.', '1'],
      ['-0.001', '-0.001'],
      ['100.0100', '100.01'],
    ];
    for (const [input, canonical] of cases) assert.equal(d(input), canonical, input);
  });

  test('JSON: keys sorted at every depth, spacing dropped, bad JSON marked', () => {
    const j = encoders[6]!;
    assert.equal(
      j('{ "b" : [ {"z":1, "y":2} ], "a": "x", "1": true, "__proto__": 0 }'),
      '{"1":true,"__proto__":0,"a":"x","b":[{"y":2,"z":1}]}',
    );
    assert.equal(j('[1.0, -0, 1e2, "\\u00e9"]'), '[1,0,100,"é"]');
    assert.equal(j('{"a":1'), '\u0000badjson:{"a":1');
    // Escapes, lone surrogates, U+2028, -0 and exponents: spelled exactly as JSON.stringify spells them.
    const tricky = String.raw`{"s":"x\n\"q\\","é😀":-0,"x":1e21,"y":1.5e-7,"\ud800":"\udfff","u":"\u2028\u001f","5":[true,false,null]}`;
    assert.equal(
      j(tricky),
      '{"5":[true,false,null],"s":"x\\n\\"q\\\\","u":"\u2028\\u001f","x":1e+21,"y":1.5e-7,"é😀":0,"\\ud800":"\\udfff"}',
    );
  });

  test('timestamps: a UTC offset and trailing fraction zeros do not count', () => {
    const t = encoders[7]!;
    assert.equal(t('2024-01-02 03:04:05+00:00'), '2024-01-02 03:04:05');
    assert.equal(t('2024-01-02 03:04:05.000000'), '2024-01-02 03:04:05');
    assert.equal(t('2024-01-02 03:04:05.100+02:00'), '2024-01-02 03:04:05.100+02:00');
    assert.equal(t('2024-01-02 03:04:10'), '2024-01-02 03:04:10');
  });
});

describe('digest (current format)', () => {
  test('row order does not count; equal spellings give equal digests', () => {
    const rows = sample();
    const reordered = [rows[2]!, rows[0]!, rows[3]!, rows[1]!];
    assert.equal(digestOf(rows).hex(), digestOf(reordered).hex());
    const respelled = sample();
    respelled[0]![2] = '12.5';
    respelled[0]![7] = '2024-01-02 03:04:05.12';
    assert.equal(digestOf(respelled).hex(), digestOf(rows).hex());
  });

  test('every change a copy could make is seen', () => {
    const base = digestOf(sample()).hex();
    const changes: [string, (rows: Row[]) => void][] = [
      ['NULL for empty text', (r) => (r[1]![1] = null)],
      ['empty binary for NULL', (r) => (r[2]![5] = new Uint8Array())],
      ['one character', (r) => (r[3]![1] = 'émoji 😀\ttab\nlinf')],
      ['a lost emoji', (r) => (r[3]![1] = 'émoji \ttab\nline')],
      ['integer past 2^53', (r) => (r[1]![0] = 9007199254740992n)],
      ['a real', (r) => (r[0]![3] = 0.1 + 2 ** -55)],
      ['boolean', (r) => (r[0]![4] = false)],
      ['a NUL byte', (r) => (r[0]![5] = new Uint8Array([0, 1, 2, 0]))],
      ['microseconds', (r) => (r[0]![7] = '2024-01-02 03:04:05.120001+00:00')],
      ['two values swapped between columns', (r) => ([r[0]![1], r[0]![8]] = [r[0]![8]!, r[0]![1]!])],
      ['text moved across a boundary', (r) => ([r[0]![1], r[0]![8]] = ['plain2', '024-01-02'])],
      ['a duplicated row', (r) => r.push([...r[2]!])],
      ['a missing row', (r) => r.pop()],
    ];
    for (const [what, change] of changes) {
      const rows = sample();
      change(rows);
      assert.notEqual(digestOf(rows).hex(), base, what);
    }
  });

  test('a digest keeps its format through its checkpoint form and its text', () => {
    const d = digestOf(sample());
    assert.equal(d.format, 2);
    const back = TableDigest.fromJSON(JSON.parse(JSON.stringify(d.toJSON())));
    assert.equal(back.format, 2);
    assert.equal(back.hex(), d.hex());
    assert.match(d.text(), /^2:[0-9a-f]{32}$/);
    assert.equal(digestFormatOf(d.text()), 2);
    assert.throws(() => d.clone().merge(new TableDigest(1)), /cannot merge a format 1 digest/);
  });

  test('gives the digests docs/backup-format.md section 4.2 specifies (a change here breaks every stored digest)', () => {
    assert.equal(digestOf(sample()).text(), '2:3385f7809c2324ab4e99a87854c200b7');
    assert.equal(digestOf(sample(), []).text(), '2:abe57cce407590c3dd175109619b950b');
  });

  test('without a key: order still does not count, changes still show', () => {
    const rows = sample();
    const base = digestOf(rows, []).hex();
    assert.equal(digestOf([...rows].reverse(), []).hex(), base);
    const swapped = sample();
    [swapped[0]![1], swapped[3]![1]] = [swapped[3]![1]!, swapped[0]![1]!];
    assert.notEqual(digestOf(swapped, []).hex(), base, 'values swapped between rows');
    assert.notEqual(digestOf(swapped).hex(), digestOf(rows).hex(), 'values swapped between rows, keyed');
  });

  test('JSON nested too deeply to walk is compared as marked text, not a crash', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    assert.equal(encoders[6]!(deep), `\u0000badjson:${deep}`);
  });

  test('a checkpoint digest of a format this ferry does not know is refused', () => {
    const json = { ...digestOf(sample()).toJSON(), format: 9 } as unknown as Parameters<typeof TableDigest.fromJSON>[0];
    assert.throws(() => TableDigest.fromJSON(json), /a checkpoint holds a digest of format 9, which this ferry does not know/);
  });

  test('digests of parts add up to the digest of the whole', () => {
    const rows = sample();
    const whole = digestOf(rows);
    const parts = digestOf(rows.slice(0, 2)).merge(digestOf(rows.slice(2)));
    assert.equal(parts.hex(), whole.hex());
    assert.deepEqual(parts.differingBuckets(whole), new Set());
    assert.notDeepEqual(digestOf(rows.slice(1)).differingBuckets(whole), new Set());
  });
});

describe('digest format 1 (checkpoints and backups of earlier versions)', () => {
  // The values format 1 gave these rows when it was the only format: a resumed run or a restore compares with them.
  test('gives the same digests as when it was written', () => {
    assert.equal(digestOf(sample(), [0], 1).hex(), '5eb0ea3a668b57d1474868a119a7dc2d');
    assert.equal(digestOf(sample(), [], 1).hex(), 'fdf7002ea3368350e12b99c0f166b435');
  });

  test('a checkpoint without a format is format 1, and its text has no prefix', () => {
    const old = digestOf(sample(), [0], 1);
    const json = old.toJSON();
    assert.equal('format' in json, false);
    const back = TableDigest.fromJSON(json);
    assert.equal(back.format, 1);
    assert.equal(back.empty().format, 1);
    assert.equal(back.text(), '5eb0ea3a668b57d1474868a119a7dc2d');
    assert.equal(digestFormatOf(back.text()), 1);
    assert.notEqual(digestOf(sample()).hex(), back.hex());
  });
});
