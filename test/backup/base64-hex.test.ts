/**
 * A restore writes a backup's base64 bytes as bulk text's hex without decoding them first, and a backup from lines
 * SQLite formatted writes hex as base64: for every length (so every padding) the output must be the bytes' own, and
 * text that is not what it should be must be refused, not guessed at.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { writeBase64AsHex, writeHexAsBase64 } from '../../src/backup/base64-hex.js';
import { finishLines } from '../../src/backup/json-lines.js';
import { TextOut } from '../../src/backup/bulk-text.js';

function hexOf(base64: string, out = new TextOut(16)): string | undefined {
  const src = Buffer.from(`"${base64}"`, 'latin1');
  const before = out.length;
  if (!writeBase64AsHex(src, 1, src.length - 1, out)) {
    assert.equal(out.length, before, 'nothing is written for text that is refused');
    return undefined;
  }
  return out.buf.toString('latin1', before, out.length);
}

test('every length of bytes comes out as its hex', () => {
  for (let n = 0; n <= 64; n++) {
    const bytes = randomBytes(n);
    assert.equal(hexOf(bytes.toString('base64')), bytes.toString('hex'), `${n} bytes`);
  }
  assert.equal(hexOf('/+8='), 'ffef');
});

test('text that is not the format’s base64 is refused', () => {
  for (const bad of ['A', 'AB', 'ABC', 'A===', '====', 'AB=C', 'AB==AB==', 'ab-_', 'AB\\u00', 'QUJD\n'])
    assert.equal(hexOf(bad), undefined, JSON.stringify(bad));
});

test('the buffer grows for a value larger than it', () => {
  const out = new TextOut(16);
  const bytes = randomBytes(1000);
  assert.equal(hexOf(bytes.toString('base64'), out), bytes.toString('hex'));
});

function base64Of(hex: string): string | undefined {
  const out = new TextOut(4);
  const src = Buffer.from(`x${hex}x`, 'latin1');
  if (!writeHexAsBase64(src, 1, src.length - 1, out)) {
    assert.equal(out.length, 0, 'nothing is written for text that is refused');
    return undefined;
  }
  return out.buf.toString('latin1', 0, out.length);
}

test('every length of hex, either case, comes out as base64', () => {
  for (let n = 0; n <= 64; n++) {
    const bytes = randomBytes(n);
    assert.equal(base64Of(bytes.toString('hex').toUpperCase()), bytes.toString('base64'), `${n} bytes`);
    assert.equal(base64Of(bytes.toString('hex')), bytes.toString('base64'), `${n} bytes, lower case`);
  }
});

test('text that is not hex is refused', () => {
  for (const bad of ['A', 'ABC', '0G', 'GG00', '00 0', '0000-0', '00000x', 'ABCD\n'])
    assert.equal(base64Of(bad), undefined, JSON.stringify(bad));
});

test('a chunk of lines gets base64 for each marked hex value, and no chunk that is not UTF-8 is taken', () => {
  const mark = String.fromCharCode(1);
  const chunk = Buffer.from(`[1,${mark}00FF${mark},"é"]\n[2,${mark}${mark},null]\n[3,${mark}616263${mark},"x"]\n`);
  assert.equal(finishLines([chunk, chunk])!.toString(), '[1,"AP8=","é"]\n[2,"",null]\n[3,"YWJj","x"]\n'.repeat(2));
  const plain = Buffer.from('[1,"a"]\n');
  assert.equal(finishLines([plain]), plain, 'a chunk without binary values is taken as it is');
  assert.equal(finishLines([plain, plain])!.toString(), '[1,"a"]\n[1,"a"]\n');
  assert.equal(finishLines([plain, Buffer.from([0x5b, 0x22, 0x41, 0xc3, 0x28, 0x22, 0x5d, 0x0a])]), undefined);
  assert.throws(() => finishLines([Buffer.from(`[${mark}0${mark}]\n`)]), /not hex/);
});
