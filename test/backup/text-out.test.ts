/**
 * A restore hands its bulk text over in pieces and gets them back once they are written: the memory of a piece
 * given back must be written into again (fresh memory per piece cost page faults and garbage collection), and
 * nothing handed over must change until it is given back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextOut } from '../../src/backup/bulk-text.js';

const SIZE = 64 * 1024;

function piece(out: TextOut, text: string): Buffer {
  out.ascii(text);
  return out.take();
}

test('a piece given back is written into again; pieces in use are never touched', () => {
  const out = new TextOut(SIZE);
  const first = piece(out, 'first');
  const second = piece(out, 'second');
  assert.notEqual(first.buffer, second.buffer, 'a piece in use is not written into');
  out.recycle([first]);
  // The text being written is already in the buffer taken after `second`; the one given back comes next.
  const third = piece(out, 'third');
  const fourth = piece(out, 'fourth');
  assert.equal(fourth.buffer, first.buffer, 'the piece given back holds later text');
  assert.deepEqual([second, third, fourth].map(String), ['second', 'third', 'fourth']);
});

test('a buffer that grew for a long line is not kept', () => {
  const out = new TextOut(SIZE);
  const long = piece(out, 'x'.repeat(SIZE + 1));
  const short = piece(out, 'short');
  out.recycle([long, short]);
  // The text being written is in the buffer taken after `short`; then come the spares: `short`'s, never `long`'s.
  const taken = [piece(out, 'a'), piece(out, 'b'), piece(out, 'c')].map((p) => p.buffer);
  assert.ok(taken.includes(short.buffer), 'a piece of the first size is used again');
  assert.ok(!taken.includes(long.buffer), 'a grown buffer is not');
  assert.equal(long.length, SIZE + 1);
});
