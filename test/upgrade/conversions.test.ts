/**
 * Every kind of conversion, each on a small hop of its own over an in-memory source: the rows it hands on, what it
 * counts before anything runs (findings, ledger), and that rows = carried + dropped + skipped for every table.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../../src/core/errors.js';
import { col, defineHop, defineSchema, table, type Finding } from '../../src/upgrade/index.js';
import { memoryReader, readAll, readTable, runHop } from '../../src/upgrade/testing.js';
import type { UpgradedReader } from '../../src/upgrade/apply.js';

const id = () => col.int64().primaryKey();

/** Reads every table, checks the hop's accounts balance and countRows agrees, and closes. */
async function run(upgraded: UpgradedReader) {
  try {
    const rows = await readAll(upgraded);
    const findings = await upgraded.check();
    const [ledger] = await upgraded.ledger();
    for (const t of ledger!.sources) assert.equal(t.carried + t.dropped + t.skipped, t.rows, `${t.table} balances`);
    for (const t of ledger!.targets) assert.equal(t.rows, rows[t.table]!.length, `countRows(${t.table}) is what is read`);
    return { rows, findings, ledger: ledger!, expectations: upgraded.expectations() };
  } finally {
    await upgraded.close();
  }
}

const losses = (findings: Finding[]) =>
  findings.filter((f) => f.severity === 'loss').map((f) => ({ code: f.code, table: f.table, count: f.count, ids: f.ids }));

describe('copy', () => {
  const a = defineSchema(table('items', { id: id(), name: col.text(), price: col.decimal(10, 2) }));

  test('unchanged: same rows, and an expectation that they verify equal', async () => {
    const hop = defineHop({ from: 'a', to: 'b', source: a, target: a, tables: { items: (t) => t.copy() } });
    const source = memoryReader(a, {
      items: [
        { id: 2, name: 'b', price: '2.50' },
        { id: 1, name: 'a', price: '1.00' },
      ],
    });
    const { rows, expectations, findings } = await run(await runHop(hop, source));
    assert.deepEqual(rows.items, [
      { id: 1, name: 'a', price: '1.00' },
      { id: 2, name: 'b', price: '2.50' },
    ]);
    assert.deepEqual(expectations, [{ source: 'items', target: 'items', columns: ['id', 'name', 'price'] }]);
    assert.deepEqual(losses(findings), []);
  });

  test('renames a table and a column', async () => {
    const old = defineSchema(table('old_items', { id: id(), label: col.text() }));
    const b = defineSchema(table('items', { id: id(), name: col.text() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: { items: (t) => t.copy('old_items', { rename: { label: 'name' } }) },
    });
    const { rows, expectations } = await run(await runHop(hop, memoryReader(old, { old_items: [{ id: 1, label: 'x' }] })));
    assert.deepEqual(rows.items, [{ id: 1, name: 'x' }]);
    assert.deepEqual(expectations, [], 'a renamed column is not checked as unchanged');
  });

  test('changes a type with a value function', async () => {
    const old = defineSchema(table('events', { id: id(), at: col.int64(), done: col.int16(), amount: col.text() }));
    const b = defineSchema(table('events', { id: id(), at: col.timestamp(), done: col.boolean(), amount: col.decimal(10, 2) }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: {
        events: (t) =>
          t.copy('events', {
            convert: {
              at: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' '),
              done: (flag) => flag === 1,
              amount: (text) => Number(text).toFixed(2),
            },
          }),
      },
    });
    const { rows } = await run(await runHop(hop, memoryReader(old, { events: [{ id: 1, at: 86400, done: 1, amount: '3.5' }] })));
    assert.deepEqual(rows.events, [{ id: 1, at: '1970-01-02 00:00:00', done: true, amount: '3.50' }]);
  });

  test('a column or a table dropped is a declared loss, counted before anything runs', async () => {
    const old = defineSchema(
      table('users', { id: id(), name: col.text(), secret: col.text().nullable() }),
      table('sessions', { id: id(), token: col.text() }),
    );
    const b = defineSchema(table('users', { id: id(), name: col.text() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: { users: (t) => t.copy('users', { dropColumns: { secret: 'no longer kept' } }) },
      droppedTables: { sessions: 'everyone signs in again' },
    });
    const source = memoryReader(old, {
      users: [
        { id: 1, name: 'a', secret: 's' },
        { id: 2, name: 'b', secret: null },
        { id: 3, name: 'c', secret: 't' },
      ],
      sessions: [
        { id: 1, token: 'x' },
        { id: 2, token: 'y' },
      ],
    });
    const { rows, findings, ledger } = await run(await runHop(hop, source));
    assert.equal(rows.users!.length, 3);
    assert.deepEqual(losses(findings), [
      { code: 'dropped-table', table: 'sessions', count: 2, ids: undefined },
      { code: 'dropped-column', table: 'users', count: 2, ids: undefined },
    ]);
    const sessions = ledger.sources.find((s) => s.table === 'sessions')!;
    assert.deepEqual([sessions.rows, sessions.carried, sessions.dropped], [2, 0, 2]);
  });

  test('derives a column from other columns of the row', async () => {
    const old = defineSchema(table('people', { id: id(), first: col.text(), last: col.text() }));
    const b = defineSchema(table('people', { id: id(), first: col.text(), last: col.text(), full: col.text() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: { people: (t) => t.copy('people', { set: { full: (p) => `${p.first} ${p.last}` } }) },
    });
    const { rows } = await run(await runHop(hop, memoryReader(old, { people: [{ id: 1, first: 'Ada', last: 'Lovelace' }] })));
    assert.deepEqual(rows.people, [{ id: 1, first: 'Ada', last: 'Lovelace', full: 'Ada Lovelace' }]);
  });
});

describe('lookups', () => {
  test('derive a value from another table, by key', async () => {
    const old = defineSchema(table('policies', { id: id(), type: col.text() }), table('files', { id: id(), policy_id: col.int64() }));
    const b = defineSchema(
      table('policies', { id: id(), type: col.text() }),
      table('files', { id: id(), policy_id: col.int64(), storage: col.text() }),
    );
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      lookups: (src) => ({ policyType: src.lookup('policies', { key: (p) => p.id, value: (p) => p.type }) }),
      tables: {
        policies: (t) => t.copy(),
        files: (t) => t.copy('files', { set: { storage: (f, ctx) => ctx.lookups.policyType.get(f.policy_id) ?? 'unknown' } }),
      },
    });
    const source = memoryReader(old, {
      policies: [
        { id: 1, type: 'local' },
        { id: 2, type: 'oss' },
      ],
      files: [
        { id: 10, policy_id: 2 },
        { id: 11, policy_id: 1 },
        { id: 12, policy_id: 7 },
      ],
    });
    const { rows } = await run(await runHop(hop, source));
    assert.deepEqual(
      rows.files!.map((f) => f.storage),
      ['oss', 'local', 'unknown'],
    );
  });

  test('a value (the largest id) offsets the ids of a merge', async () => {
    const old = defineSchema(
      table('folders', { id: id(), name: col.text() }),
      table('files', { id: id(), name: col.text(), folder_id: col.int64() }),
    );
    const b = defineSchema(table('entries', { id: id(), name: col.text(), is_dir: col.boolean(), parent: col.int64().nullable() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      lookups: (src) => ({ lastFolder: src.max('folders', 'id') }),
      tables: {
        entries: (t) =>
          t.merge(
            t.from('folders', (d) => ({ id: d.id, name: d.name, is_dir: true, parent: null })),
            t.from('files', (f, ctx) => ({ id: f.id + ctx.lookups.lastFolder, name: f.name, is_dir: false, parent: f.folder_id })),
          ),
      },
    });
    const source = memoryReader(old, {
      folders: [
        { id: 1, name: '/' },
        { id: 4, name: 'docs' },
      ],
      files: [
        { id: 1, name: 'a.txt', folder_id: 1 },
        { id: 2, name: 'b.txt', folder_id: 4 },
      ],
    });
    const { rows } = await run(await runHop(hop, source));
    assert.deepEqual(
      rows.entries!.map((e) => [e.id, e.name, e.is_dir, e.parent]),
      [
        [1, '/', true, null],
        [4, 'docs', true, null],
        [5, 'a.txt', false, 1],
        [6, 'b.txt', false, 4],
      ],
    );
  });
});

describe('split', () => {
  const old = defineSchema(
    table('users', { id: id(), email: col.text(), bio: col.text().nullable(), tags: col.text(), active: col.int16() }),
  );

  test('one table into several: columns to a second table, a list into rows, rows by a condition', async () => {
    const b = defineSchema(
      table('users', { id: id(), email: col.text() }),
      table('profiles', { user_id: col.int64().primaryKey(), bio: col.text() }),
      table('user_tags', { user_id: col.int64(), tag: col.text() }, { primaryKey: ['user_id', 'tag'] }),
      table('former_users', { id: id(), email: col.text() }),
    );
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: {
        users: (t) =>
          t.copy('users', { where: (u) => u.active === 1, omit: { bio: 'profiles', tags: 'user_tags', active: 'users or former_users' } }),
        former_users: (t) => t.from('users', { where: (u) => u.active === 0, row: (u) => ({ id: u.id, email: u.email }) }),
        profiles: (t) => t.from('users', { where: (u) => u.bio !== null, row: (u) => ({ user_id: u.id, bio: u.bio ?? '' }) }),
        user_tags: (t) =>
          t.fromEach('users', {
            rows: (u) =>
              u.tags
                .split(',')
                .filter(Boolean)
                .map((tag) => ({ user_id: u.id, tag })),
          }),
      },
    });
    const source = memoryReader(old, {
      users: [
        { id: 1, email: 'a@x', bio: 'hi', tags: 'red,blue', active: 1 },
        { id: 2, email: 'b@x', bio: null, tags: '', active: 0 },
        { id: 3, email: 'c@x', bio: 'yo', tags: 'green', active: 1 },
      ],
    });
    const { rows, ledger } = await run(await runHop(hop, source));
    assert.deepEqual(
      rows.users!.map((u) => u.id),
      [1, 3],
    );
    assert.deepEqual(rows.former_users, [{ id: 2, email: 'b@x' }]);
    assert.deepEqual(rows.profiles, [
      { user_id: 1, bio: 'hi' },
      { user_id: 3, bio: 'yo' },
    ]);
    assert.deepEqual(rows.user_tags, [
      { user_id: 1, tag: 'red' },
      { user_id: 1, tag: 'blue' },
      { user_id: 3, tag: 'green' },
    ]);
    // Every source row is counted once, by the first conversion that takes it.
    assert.deepEqual(ledger.sources[0], { table: 'users', rows: 3, carried: 3, dropped: 0, skipped: 0, reasons: [] });
  });

  test('rows a second table of a split leaves out are losses too, though the first carries them', async () => {
    const b = defineSchema(
      table('users', { id: id(), email: col.text() }),
      table('profiles', { user_id: col.int64().primaryKey(), bio: col.text() }),
    );
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: {
        users: (t) => t.copy('users', { omit: { bio: 'profiles' }, dropColumns: { tags: 'gone', active: 'gone' } }),
        profiles: (t) =>
          t.from('users', {
            row: (u) => ({ user_id: u.id, bio: u.bio ?? '' }),
            dropRows: { 'no bio': (u) => u.bio === null },
          }),
      },
    });
    const source = memoryReader(old, {
      users: [1, 2, 3].map((n) => ({ id: n, email: `${n}@x`, bio: n === 2 ? 'hi' : null, tags: '', active: 1 })),
    });
    const { rows, findings, ledger } = await run(await runHop(hop, source));
    assert.equal(rows.users!.length, 3);
    assert.equal(rows.profiles!.length, 1);
    const lost = findings.find((f) => f.code === 'dropped-rows')!;
    assert.deepEqual([lost.count, lost.ids, lost.message], [2, [1, 3], '2 rows of users are not carried into profiles: no bio']);
    assert.deepEqual(ledger.sources[0]!.carried, 3, 'every user is carried, by the users table');
  });

  test('rows no conversion takes are a loss the preflight names', async () => {
    const b = defineSchema(table('users', { id: id(), email: col.text() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: {
        users: (t) => t.copy('users', { where: (u) => u.active === 1, dropColumns: { bio: 'gone', tags: 'gone', active: 'gone' } }),
      },
    });
    const source = memoryReader(old, {
      users: [1, 2, 3].map((n) => ({ id: n, email: `${n}@x`, bio: null, tags: '', active: n === 2 ? 0 : 1 })),
    });
    const { findings, ledger } = await run(await runHop(hop, source));
    assert.deepEqual(
      losses(findings).find((f) => f.code === 'unclaimed-rows'),
      { code: 'unclaimed-rows', table: 'users', count: 1, ids: [2] },
    );
    assert.equal(ledger.sources[0]!.dropped, 1);
  });
});

describe('remaps', () => {
  const old = defineSchema(
    table('labels', { id: id(), name: col.text() }),
    table('links', { id: id(), label_id: col.int64(), note: col.text() }),
  );
  const b = defineSchema(table('tags', { id: id(), name: col.text() }), table('links', { id: id(), tag_id: col.int64() }));
  const source = () =>
    memoryReader(old, {
      labels: [
        { id: 10, name: 'Work' },
        { id: 20, name: 'work' },
        { id: 30, name: 'Home' },
      ],
      links: [
        { id: 1, label_id: 30, note: 'a' },
        { id: 2, label_id: 20, note: 'b' },
        { id: 3, label_id: 10, note: 'c' },
        { id: 4, label_id: 99, note: 'd' },
      ],
    });

  test('new ids by sequence, equal rows sharing one, consulted by a later table; orphans counted and listed', async () => {
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      lookups: (src) => ({ tagId: src.remap('labels', { key: (l) => l.id, sameAs: (l) => l.name.toLowerCase(), keep: (l) => l.name }) }),
      tables: {
        tags: (t) => t.fromRemap('tagId', (e) => ({ id: e.id, name: e.value })),
        links: (t) =>
          t.from('links', {
            row: (l, ctx) => ({ id: l.id, tag_id: ctx.lookups.tagId.get(l.label_id)! }),
            orphans: { 'its label is gone': (l, ctx) => !ctx.lookups.tagId.has(l.label_id) },
            dropColumns: { note: 'notes on links are gone' },
          }),
      },
    });
    const { rows, findings, ledger } = await run(await runHop(hop, source()));
    assert.deepEqual(rows.tags, [
      { id: 1, name: 'Work' },
      { id: 2, name: 'Home' },
    ]);
    assert.deepEqual(rows.links, [
      { id: 1, tag_id: 2 },
      { id: 2, tag_id: 1 },
      { id: 3, tag_id: 1 },
    ]);
    assert.deepEqual(losses(findings), [
      { code: 'dropped-rows', table: 'labels', count: 1, ids: [] },
      { code: 'orphans', table: 'links', count: 1, ids: [4] },
      { code: 'dropped-column', table: 'links', count: 4, ids: undefined },
    ]);
    assert.deepEqual(
      ledger.sources.map((s) => [s.table, s.rows, s.carried, s.dropped, s.skipped]),
      [
        ['labels', 3, 2, 1, 0],
        ['links', 4, 3, 0, 1],
      ],
    );
  });

  test('new ids from a formula; keys are ids whether number or bigint', async () => {
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      lookups: (src) => ({ tagId: src.remap('labels', { key: (l) => BigInt(l.id), id: (l) => l.id * 100, keep: (l) => l.name }) }),
      tables: {
        tags: (t) => t.fromRemap('tagId', (e) => ({ id: e.id, name: e.value })),
        links: (t) =>
          t.from('links', {
            row: (l, ctx) => ({ id: l.id, tag_id: ctx.lookups.tagId.get(l.label_id) ?? 0 }),
            dropRows: { 'unknown label': (l) => l.label_id === 99 },
            dropColumns: { note: 'gone' },
          }),
      },
    });
    const { rows } = await run(await runHop(hop, source()));
    assert.deepEqual(
      rows.tags!.map((t) => t.id),
      [1000, 2000, 3000],
    );
    assert.deepEqual(
      rows.links!.map((l) => l.tag_id),
      [3000, 2000, 1000],
    );
  });

  test('a key seen twice is a warning; the first row wins', async () => {
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      lookups: (src) => ({ byName: src.lookup('labels', { key: (l) => l.name.toLowerCase(), value: (l) => l.id }) }),
      tables: {
        tags: (t) => t.from('labels', (l, ctx) => ({ id: ctx.lookups.byName.get(l.name.toLowerCase())!, name: l.name })),
        links: (t) => t.from('links', { row: (l) => ({ id: l.id, tag_id: l.label_id }), dropColumns: { note: 'gone' } }),
      },
    });
    const { rows, findings } = await run(await runHop(hop, source()));
    assert.deepEqual(
      rows.tags!.map((t) => t.id),
      [10, 10, 30],
    );
    const dup = findings.find((f) => f.code === 'duplicate-keys')!;
    assert.equal(dup.severity, 'warning');
    assert.equal(dup.count, 1);
  });
});

describe('settings', () => {
  const old = defineSchema(table('settings', { id: id(), name: col.text(), value: col.text().nullable(), deleted: col.boolean() }));
  const b = defineSchema(table('settings', { id: id(), name: col.text(), value: col.text().nullable(), deleted: col.boolean() }));
  const source = () =>
    memoryReader(old, {
      settings: [
        { id: 1, name: 'siteName', value: 'Mine', deleted: false },
        { id: 2, name: 'regStatus', value: '0', deleted: false },
        { id: 3, name: 'js_code', value: '<script>', deleted: false },
        { id: 4, name: 'aria2_token', value: 't', deleted: true },
        { id: 5, name: 'theme', value: 'blue', deleted: false },
      ],
    });

  test('renames, changes and drops keys, adds the missing ones (a source value wins)', async () => {
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      lookups: (src) => ({ lastId: src.max('settings', 'id') }),
      tables: {
        settings: (t) =>
          t.settings('settings', {
            key: 'name',
            value: 'value',
            rename: { siteName: 'site_name', regStatus: 'register_enabled' },
            change: { regStatus: (v) => (v === '0' ? '1' : '0') },
            drop: { js_code: 'custom scripts are not carried' },
            dropRows: { 'soft-deleted': (s) => s.deleted },
            add: { hash_id_salt: 'salt', site_name: 'Cloud', theme: 'default' },
            row: (s, ctx) => ({
              id: s.source ? s.source.id : ctx.lookups.lastId + 1 + s.added,
              name: s.key,
              value: s.value,
              deleted: false,
            }),
          }),
      },
    });
    const { rows, findings } = await run(await runHop(hop, source()));
    assert.deepEqual(
      rows.settings!.map((s) => [s.id, s.name, s.value]),
      [
        [1, 'site_name', 'Mine'],
        [2, 'register_enabled', '1'],
        [5, 'theme', 'blue'],
        [6, 'hash_id_salt', 'salt'],
      ],
    );
    assert.deepEqual(
      losses(findings).map((f) => [f.count, f.ids]),
      [
        [1, [3]],
        [1, [4]],
      ],
    );
  });

  test('by default the row is the source row with its key and value replaced', async () => {
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: {
        settings: (t) => t.settings('settings', { key: 'name', value: 'value', rename: { theme: 'ui.theme' }, add: { fresh: 'yes' } }),
      },
    });
    const { rows } = await run(await runHop(hop, source()));
    assert.deepEqual(rows.settings!.at(4), { id: 5, name: 'ui.theme', value: 'blue', deleted: false });
    assert.deepEqual(rows.settings!.at(5), { id: null, name: 'fresh', value: 'yes', deleted: null });
  });
});

describe('values', () => {
  test('a Date and a JSON object are written as a timestamp and JSON text', async () => {
    const old = defineSchema(table('t', { id: id(), at: col.int64(), opts: col.text() }));
    const b = defineSchema(table('t', { id: id(), at: col.timestamp(), opts: col.json() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: old,
      target: b,
      tables: {
        t: (t) => t.from('t', (r) => ({ id: r.id, at: new Date(r.at) as unknown as string, opts: { theme: r.opts } as unknown as string })),
      },
    });
    const { rows } = await run(await runHop(hop, memoryReader(old, { t: [{ id: 1, at: 0, opts: 'dark' }] })));
    assert.deepEqual(rows.t, [{ id: 1, at: '1970-01-01 00:00:00', opts: '{"theme":"dark"}' }]);
  });

  test('an integer past 2^53 stops the run unless declared col.bigint()', async () => {
    const big = 2n ** 60n;
    const narrow = defineSchema(table('t', { id: col.int64().primaryKey() }));
    const wide = defineSchema(table('t', { id: col.bigint().primaryKey() }));
    const copy = (s: typeof narrow) => defineHop({ from: 'a', to: 'b', source: s, target: s, tables: { t: (t) => t.copy() } });
    const failing = await runHop(copy(narrow), memoryReader(narrow, { t: [{ id: big as unknown as number }] }));
    await assert.rejects(readTable(failing, 't'), (e: FerryError) => e.kind === 'failed' && /col\.bigint\(\)/.test(e.hint ?? ''));
    await failing.close();
    const wideHop = defineHop({
      from: 'a',
      to: 'b',
      source: wide,
      target: wide,
      tables: { t: (t) => t.from('t', (r) => ({ id: r.id + 1n })) },
    });
    const { rows } = await run(await runHop(wideHop, memoryReader(wide, { t: [{ id: big }] })));
    assert.deepEqual(rows.t, [{ id: big + 1n }]);
  });

  test("a pack function that throws stops the run with the hop, the conversion and the row's key", async () => {
    const s = defineSchema(table('t', { id: id(), n: col.int32() }));
    const hop = defineHop({
      from: 'a',
      to: 'b',
      source: s,
      target: s,
      tables: {
        t: (t) =>
          t.from('t', (r) => {
            if (r.n === 3) throw new Error('three is not allowed');
            return r;
          }),
      },
    });
    const upgraded = await runHop(hop, memoryReader(s, { t: [1, 2, 3, 4].map((n) => ({ id: n * 10, n })) }));
    await assert.rejects(readTable(upgraded, 't'), (e: FerryError) => {
      assert.equal(e.kind, 'failed');
      assert.match(e.message, /hop a → b, from\(t\) into t: three is not allowed \(at the row with key 30\)/);
      return true;
    });
    await upgraded.close();
  });
});
