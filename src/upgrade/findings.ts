import type { HopReader } from './hop-reader.js';
import type { HopInput } from './input.js';
import { jsonKey } from './keys.js';
import type { RowObject } from './parts.js';
import type { CheckResult, CheckSource, Finding, Rows } from './types.js';

const IDS = 10;

/** `1 row`, `2 rows`. */
export function rows(n: number, noun = 'row'): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Everything one hop finds about its source before anything runs: what the source lacks (blockers), the pack's
 * own checks, and every declared loss counted — dropped tables, rows and columns, orphans — plus what the pack
 * did not declare (tables and columns outside its schema, rows no conversion takes, columns nothing reads).
 */
export async function hopFindings(reader: HopReader, batchRows: number): Promise<Finding[]> {
  const hop = reader.hop;
  const input = reader.input;
  const out: Finding[] = [];
  const add = (f: Omit<Finding, 'hop'>) => out.push({ ...f, hop: hop.label });

  const missing = await input.missing();
  if (missing.length > 0) {
    add({
      severity: 'blocker',
      code: 'schema-mismatch',
      message: `the source lacks what ${hop.from} has: ${missing.join(', ')}`,
      count: missing.length,
    });
    return out;
  }
  for (const t of (await input.schema()).tables) {
    if (hop.source.has(t.name)) continue;
    const n = await input.reader.countRows(t);
    add({
      severity: 'loss',
      code: 'undeclared-table',
      table: t.name,
      count: n,
      message: `${rows(n)} of ${t.name} will not be carried: it is not part of ${hop.from}'s schema`,
    });
  }

  for (const [name, count] of await reader.ready()) {
    add({
      severity: 'warning',
      code: 'duplicate-keys',
      count,
      message: `${rows(count)} share their ${name} key with an earlier row: the first one's value is used`,
    });
  }
  for (const [code, check] of hop.checks) {
    try {
      const result = (await (check as (s: CheckSource<Rows>, c: unknown) => unknown)(checkSource(input, batchRows), reader.rt.ctx)) as
        CheckResult | CheckResult[] | undefined;
      for (const r of result === undefined ? [] : Array.isArray(result) ? result : [result]) add({ ...r, code: r.code ?? code });
    } catch (e) {
      add({ severity: 'blocker', code: 'check-failed', message: `check ${code} failed: ${(e as Error).message}` });
    }
  }

  for (const [table, why] of Object.entries(hop.droppedTables)) {
    const n = await input.count(table);
    if (n > 0)
      add({ severity: 'loss', code: 'dropped-table', table, count: n, message: `${rows(n)} of ${table} will not be carried: ${why}` });
  }
  for (const table of hop.source.keys()) {
    if (table in hop.droppedTables) continue;
    const t = await reader.tally(table);
    for (const r of t.dropped)
      add({
        severity: 'loss',
        code: 'dropped-rows',
        table,
        count: r.count,
        ids: r.ids,
        message: `${rows(r.count)} of ${table} will not be carried: ${r.reason}`,
      });
    for (const r of t.orphans)
      add({
        severity: 'loss',
        code: 'orphans',
        table,
        count: r.count,
        ids: r.ids,
        message: `${rows(r.count)} of ${table} ${r.count === 1 ? 'is' : 'are'} skipped as orphans: ${r.reason}`,
      });
    for (const part of t.parts) {
      const into = `not carried into ${part.target}`;
      for (const r of part.dropped)
        add({
          severity: 'loss',
          code: 'dropped-rows',
          table,
          count: r.count,
          ids: r.ids,
          message: `${rows(r.count)} of ${table} ${r.count === 1 ? 'is' : 'are'} ${into}: ${r.reason}`,
        });
      for (const r of part.orphans)
        add({
          severity: 'loss',
          code: 'orphans',
          table,
          count: r.count,
          ids: r.ids,
          message: `${rows(r.count)} of ${table} ${r.count === 1 ? 'is' : 'are'} ${into}, as orphans: ${r.reason}`,
        });
    }
    if (t.unclaimed.count > 0) {
      const u = t.unclaimed;
      add({
        severity: 'loss',
        code: 'unclaimed-rows',
        table,
        count: u.count,
        ids: u.ids,
        message: `${rows(u.count)} of ${table} ${u.count === 1 ? 'is' : 'are'} taken by no conversion (no \`where\` matches)`,
      });
    }
    for (const c of t.columns) {
      if (c.values === 0) continue;
      const code = c.declared ? 'dropped-column' : 'undeclared-column';
      add({
        severity: 'loss',
        code,
        table,
        count: c.values,
        message: `${rows(c.values, 'value')} of ${table}.${c.column} will not be carried: ${c.reason}`,
      });
    }
    for (const c of t.unread) {
      add({
        severity: 'warning',
        code: 'unread-column',
        table,
        message: `${table}.${c} is read by no conversion and not declared dropped or omitted: its values may be lost`,
      });
    }
  }
  return out;
}

/** What a pack's checks read: typed rows of the hop's source, scanned with bounded memory. */
function checkSource(input: HopInput, batchRows: number): CheckSource<Rows> {
  const all = async function* (table: string): AsyncIterable<RowObject> {
    for await (const batch of input.scan(table, { batchRows })) yield* batch.rows;
  };
  const source = {
    async count(table: string, where?: (row: RowObject) => boolean) {
      const keyOf = await input.keyOf(table);
      let count = 0;
      const ids: unknown[] = [];
      for await (const row of all(table)) {
        if (where && !where(row)) continue;
        count++;
        if (ids.length < IDS) ids.push(jsonKey(keyOf(row)));
      }
      return { count, ids };
    },
    async first(table: string, where?: (row: RowObject) => boolean) {
      for await (const row of all(table)) if (!where || where(row)) return row;
      return undefined;
    },
    rows: all,
  };
  return source as unknown as CheckSource<Rows>;
}
