/**
 * docs/writing-a-pack.md cannot drift: every code block it marks with `<!-- file: PATH -->` is that file, byte for
 * byte, and the files are the example pack and its test, which the rest of the suite runs. The worked example is
 * complete: every file of packs/example is in the guide.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const ROOT = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/writing-a-pack.md', ROOT), 'utf8');
const blocks = [...doc.matchAll(/<!-- file: (\S+) -->\n\n?```ts\n([\s\S]*?)```\n/g)].map((m) => ({ path: m[1]!, code: m[2]! }));

test('the guide shows the example pack and its test exactly as they are', () => {
  assert.ok(blocks.length >= 5, `found ${blocks.length} marked blocks`);
  for (const { path, code } of blocks) assert.equal(code, readFileSync(new URL(path, ROOT), 'utf8'), `${path} differs from the guide`);
});

test('the guide covers every file of the example pack', () => {
  const shown = new Set(blocks.map((b) => b.path));
  for (const name of readdirSync(new URL('packs/example/', ROOT)))
    assert.ok(shown.has(`packs/example/${name}`), `packs/example/${name} is not in the guide`);
});
