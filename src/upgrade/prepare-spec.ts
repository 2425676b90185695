import type { AnyContext, RowObject } from './parts.js';
import type { Rows } from './schema.js';
import type { Key, PrepareBuilder } from './types.js';

type RowFn<T> = (row: RowObject, ctx: AnyContext) => T;

/** The internal form of `src.lookup(…)`. */
export interface LookupImpl {
  kind: 'lookup';
  table: string;
  key: RowFn<Key>;
  value: RowFn<unknown>;
  where?: RowFn<boolean>;
}

/** The internal form of `src.remap(…)`. */
export interface RemapImpl {
  kind: 'remap';
  table: string;
  key: RowFn<Key>;
  id: 'sequence' | RowFn<number>;
  start: number;
  sameAs?: RowFn<Key>;
  keep?: RowFn<unknown>;
  where?: RowFn<boolean>;
}

/** The internal form of `src.max/count/aggregate(…)`. */
export interface ValueImpl {
  kind: 'value';
  table: string;
  initial: unknown;
  step: (acc: unknown, row: RowObject) => unknown;
}

export type PreparedImpl = LookupImpl | RemapImpl | ValueImpl;

/** The builder a hop's `lookups` function receives: it only records what to build (prepare.ts builds it). */
export function prepareBuilder(tables: ReadonlySet<string>, fail: (message: string) => never): PrepareBuilder<Rows> {
  const known = (table: string) => (tables.has(table) ? table : fail(`lookups: the source version has no table ${table}`));
  const value = (table: string, initial: unknown, step: ValueImpl['step']): ValueImpl => ({
    kind: 'value',
    table: known(table),
    initial,
    step,
  });
  const builder = {
    lookup: (table: string, spec: { key: RowFn<Key>; value: RowFn<unknown>; where?: RowFn<boolean> }): LookupImpl => ({
      kind: 'lookup',
      table: known(table),
      ...spec,
    }),
    remap: (
      table: string,
      spec: {
        key: RowFn<Key>;
        id?: 'sequence' | RowFn<number>;
        start?: number;
        sameAs?: RowFn<Key>;
        keep?: RowFn<unknown>;
        where?: RowFn<boolean>;
      },
    ): RemapImpl => ({ kind: 'remap', table: known(table), ...spec, id: spec.id ?? 'sequence', start: spec.start ?? 1 }),
    max: (table: string, column: string) =>
      value(table, 0, (acc, row) => {
        const v = row[column];
        return v === null || v === undefined ? acc : Math.max(acc as number, Number(v));
      }),
    count: (table: string, where?: (row: RowObject) => boolean) =>
      value(table, 0, (acc, row) => (where && !where(row) ? acc : (acc as number) + 1)),
    aggregate: (table: string, initial: unknown, step: ValueImpl['step']) => value(table, initial, step),
  };
  return builder as unknown as PrepareBuilder<Rows>;
}
