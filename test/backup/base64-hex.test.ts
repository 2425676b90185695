/**
 * A restore writes a backup's base64 bytes as bulk text's hex without decoding them first: for every length (so
 * every padding) the hex must be the bytes' own, and text the format does not allow must be refused, not guessed at.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { writeBase64AsHex } from '../../src/backup/base64-hex.js';
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
