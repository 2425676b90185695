import { FerryError } from '../core/errors.js';
import type { HopInput } from './input.js';
import { decodeStored, encodeKey, encodeStored } from './keys.js';
import { memoize } from './memo.js';
import type { LookupImpl, PreparedImpl, RemapImpl, ValueImpl } from './prepare-spec.js';
import type { HopRuntime, RemapHandle, UpgradeEvent } from './runtime.js';
import { fingerprintOf, type ScratchStore } from './scratch.js';
import type { Key, Lookup } from './types.js';

export interface PrepareOptions {
  batchRows: number;
  events?: (event: UpgradeEvent) => void;
}

/** Keys that appeared more than once while a lookup or remap was built (the first row won). */
export type Duplicates = Map<string, number>;

/**
 * Builds (or finds complete in the scratch store) every lookup, remap and value of a hop, in declaration order,
 * from the hop's input, and attaches them to the run-time context. Deterministic: the input is read in key order
 * from one snapshot, so a rebuild after an interruption gives the same ids.
 */
export async function prepareHop(input: HopInput, rt: HopRuntime, store: ScratchStore, options: PrepareOptions): Promise<Duplicates> {
  const duplicates: Duplicates = new Map();
  for (const [name, spec] of rt.hop.prepared) {
    const item = rt.item(spec.kind, name);
    const fingerprint = fingerprintOf(rt.fingerprint, name, input.reader.description, await input.count(spec.table));
    const done = store.completed(item, fingerprint);
    const progress = (rows: number, finished: boolean, reused?: boolean) =>
      options.events?.({ type: 'prepare', hop: rt.hop.label, item: name, rows, done: finished, reused });
    let recorded: string | null;
    if (done) {
      recorded = done.value;
      progress(0, true, true);
    } else {
      recorded = await build(input, rt, store, item, fingerprint, spec, options.batchRows, progress);
    }
    const dup = spec.kind === 'value' ? 0 : Number(recorded ?? 0);
    if (dup > 0) duplicates.set(name, dup);
    rt.attach(name, spec, handleOf(store, item, spec, recorded));
  }
  return duplicates;
}

type Progress = (rows: number, done: boolean) => void;

async function build(
  input: HopInput,
  rt: HopRuntime,
  store: ScratchStore,
  item: string,
  fingerprint: string,
  spec: PreparedImpl,
  batchRows: number,
  progress: Progress,
): Promise<string | null> {
  const rows = input.scan(spec.table, { batchRows });
  const fail = (e: unknown) =>
    new FerryError(
      'failed',
      `hop ${rt.hop.label}: building ${spec.kind} ${item.split(':').pop()} from ${spec.table} failed: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  if (spec.kind === 'value') {
    let acc = spec.initial;
    let seen = 0;
    for await (const batch of rows) {
      try {
        for (const row of batch.rows) acc = (spec as ValueImpl).step(acc, row);
      } catch (e) {
        throw fail(e);
      }
      progress((seen += batch.rows.length), false);
    }
    const value = encodeStored(acc);
    store.complete(item, fingerprint, value);
    progress(seen, true);
    return value;
  }
  return buildTable(rows, rt, store, item, fingerprint, spec, progress, fail);
}

async function buildTable(
  rows: AsyncIterable<{ rows: Record<string, unknown>[] }>,
  rt: HopRuntime,
  store: ScratchStore,
  item: string,
  fingerprint: string,
  spec: LookupImpl | RemapImpl,
  progress: Progress,
  fail: (e: unknown) => FerryError,
): Promise<string> {
  const isRemap = spec.kind === 'remap';
  const t = store.begin(item, {
    map: isRemap ? '(k TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID' : '(k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID',
    ...(isRemap ? { ids: '(id INTEGER PRIMARY KEY, grp TEXT NOT NULL UNIQUE, v TEXT, n INTEGER NOT NULL DEFAULT 0)' } : {}),
  });
  const insert = store.db.prepare(`INSERT OR IGNORE INTO ${t.map} VALUES (?, ?)`);
  const groupId = isRemap ? store.db.prepare(`SELECT id FROM ${t.ids} WHERE grp = ?`).pluck() : undefined;
  const addGroup = isRemap ? store.db.prepare(`INSERT INTO ${t.ids} (id, grp, v) VALUES (?, ?, ?)`) : undefined;
  // How many keys share each new id (RemapEntry.count: a reference count, for a de-duplicated row).
  const countKey = isRemap ? store.db.prepare(`UPDATE ${t.ids} SET n = n + 1 WHERE id = ?`) : undefined;
  let next = spec.kind === 'remap' ? spec.start : 0;
  let duplicates = 0;
  let seen = 0;
  const one = (row: Record<string, unknown>) => {
    if (spec.where && !spec.where(row, rt.ctx)) return;
    const key = encodeKey(spec.key(row, rt.ctx));
    if (spec.kind === 'lookup') {
      if (insert.run(key, encodeStored(spec.value(row, rt.ctx))).changes === 0) duplicates++;
      return;
    }
    const group = spec.sameAs ? encodeKey(spec.sameAs(row, rt.ctx)) : key;
    let id = groupId!.get(group) as number | undefined;
    if (id === undefined) {
      id = spec.id === 'sequence' ? next++ : spec.id(row, rt.ctx);
      try {
        addGroup!.run(id, group, spec.keep ? encodeStored(spec.keep(row, rt.ctx)) : null);
      } catch (e) {
        throw new Error(`two rows get the new id ${id} (${(e as Error).message})`);
      }
    }
    if (insert.run(key, id).changes === 0) duplicates++;
    else countKey!.run(id);
  };
  for await (const batch of rows) {
    try {
      store.db.transaction(() => batch.rows.forEach(one))();
    } catch (e) {
      throw fail(e);
    }
    progress((seen += batch.rows.length), false);
  }
  store.complete(item, fingerprint, String(duplicates));
  progress(seen, true);
  return String(duplicates);
}

function handleOf(store: ScratchStore, item: string, spec: PreparedImpl, recorded: string | null): unknown {
  if (spec.kind === 'value') return decodeStored(recorded ?? 'null');
  const t = store.tables(item, ['map', 'ids']);
  if (spec.kind === 'lookup') {
    const query = store.db.prepare(`SELECT v FROM ${t.map} WHERE k = ?`).pluck();
    // The stored text is remembered, not the decoded value: each caller gets its own copy of an object value.
    const stored = memoize((key) => query.get(encodeKey(key)) as string | undefined);
    const lookup: Lookup<Key, unknown> = {
      get: (key) => {
        const v = stored(key);
        return v === undefined ? undefined : decodeStored(v);
      },
      has: (key) => stored(key) !== undefined,
    };
    return lookup;
  }
  const query = store.db.prepare(`SELECT id FROM ${t.map} WHERE k = ?`).pluck();
  const get = memoize((key) => query.get(encodeKey(key)) as number | undefined);
  const count = store.db.prepare(`SELECT count(*) FROM ${t.ids}`).pluck();
  const size = store.db.prepare(`SELECT count(*) FROM ${t.map}`).pluck();
  const first = store.db.prepare(`SELECT id, v, n FROM ${t.ids} ORDER BY id LIMIT ?`);
  const after = store.db.prepare(`SELECT id, v, n FROM ${t.ids} WHERE id > ? ORDER BY id LIMIT ?`);
  const remap: RemapHandle = {
    get,
    has: (key) => get(key) !== undefined,
    count: () => count.get() as number,
    size: () => size.get() as number,
    page: (from, limit) =>
      ((from === undefined ? first.all(limit) : after.all(from, limit)) as { id: number; v: string | null; n: number }[]).map((r) => ({
        id: r.id,
        value: r.v === null ? undefined : decodeStored(r.v),
        count: r.n,
      })),
  };
  return remap;
}
