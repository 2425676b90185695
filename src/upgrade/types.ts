/**
 * The public types of the app-pack API: what a pack author writes (packs, hops, conversions, lookups, checks) and
 * what ferry reports (findings, ledgers). The functions that build them are in define.ts and conversions.ts.
 */
import type { Rows, SchemaDef } from './schema.js';

export type { Rows } from './schema.js';

// ───────────────────────── findings ─────────────────────────

/** DESIGN.md "finding": `blocker` (cannot proceed), `warning`, `loss` (data that will not be carried), `info`. */
export type Severity = 'blocker' | 'warning' | 'loss' | 'info';

/** One result of a preflight. */
export interface Finding {
  severity: Severity;
  /** Stable and machine-readable: a check's name, or one of ferry's (`dropped-table`, `orphans`, `untested-version`…). */
  code: string;
  /** One sentence for people, with the numbers in it. */
  message: string;
  /** How many rows (or values, or files) the finding is about. */
  count?: number;
  /** The keys of a few offending rows (JSON values: big integers as strings), so the user can find them. */
  ids?: unknown[];
  /** The table the finding is about, in the hop's source version. */
  table?: string;
  /** The hop that found it: `1.0 → 2.0`. */
  hop?: string;
}

/** What a pack check returns: a finding without its code (the check's name) and hop (filled in by ferry). */
export type CheckResult = Omit<Finding, 'code' | 'hop'> & { code?: string };

// ───────────────────────── keys, lookups, remaps ─────────────────────────

/** A single key value. Integers compare equal whether they arrive as number or bigint. */
export type KeyValue = string | number | bigint | boolean | null;
/** A lookup or remap key: one value, or a tuple for a composite key. */
export type Key = KeyValue | readonly KeyValue[];

/** A key as lookups accept it: an integer may be given as number or bigint (the scratch store spells both alike). */
export type KeyArg<K> = K extends readonly unknown[] ? { [I in keyof K]: LooseInteger<K[I]> } : LooseInteger<K>;
type LooseInteger<V> = V extends number | bigint ? number | bigint : V;

/** A key → value table built from one source table before any row is converted (see PrepareBuilder.lookup). */
export interface LookupSpec<K extends Key, V> {
  readonly kind: 'lookup';
  readonly table: string;
  /** Carries the key and value types for inference only. */
  readonly types?: { key: K; value: V };
}

/** An old key → new id table built before any row is converted (see PrepareBuilder.remap). */
export interface RemapSpec<K extends Key, V> {
  readonly kind: 'remap';
  readonly table: string;
  /** Carries the key and kept-value types for inference only. */
  readonly types?: { key: K; value: V };
}

/** One value computed from the source before any row is converted (a maximum, a count…). */
export interface ValueSpec<V> {
  readonly kind: 'value';
  readonly table: string;
  /** Carries the value type for inference only. */
  readonly types?: { value: V };
}

/** Anything a hop prepares before converting rows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PreparedSpec = LookupSpec<any, any> | RemapSpec<any, any> | ValueSpec<any>;

/** A prepared lookup, as conversions consult it. */
export interface Lookup<K extends Key, V> {
  /** The value for this key, or undefined when the source had no row with this key. */
  get(key: KeyArg<K>): V | undefined;
  has(key: KeyArg<K>): boolean;
}

/** A prepared remap, as conversions consult it. */
export interface Remap<K extends Key> {
  /** The new id of this old key, or undefined when the source had no row with this key. */
  get(key: KeyArg<K>): number | undefined;
  has(key: KeyArg<K>): boolean;
}

/** What a prepared item is at run time: a Lookup, a Remap, or the computed value itself. */
export type Handle<P> =
  P extends LookupSpec<infer K, infer V>
    ? Lookup<K, V>
    : P extends RemapSpec<infer K, infer _V>
      ? Remap<K>
      : P extends ValueSpec<infer V>
        ? V
        : never;

/** The prepared items of a hop, by the names its `lookups` gave them. */
export type Prepared<L> = { readonly [N in keyof L]: Handle<L[N]> };

/** What every conversion function receives besides the row. */
export interface RowContext<L = Record<string, never>> {
  /** The hop's lookups, remaps and values, by name. */
  readonly lookups: Prepared<L>;
  /** Any prepared item by its spec (inside `lookups` itself, where names are not known yet). */
  use<P extends PreparedSpec>(spec: P): Handle<P>;
  readonly hop: { readonly from: string; readonly to: string };
  /** The pack inputs given for this run (`--set key=value`, or read from the application's config file). */
  readonly inputs: Readonly<Record<string, string | undefined>>;
}

/** Declares what a hop prepares from its source before converting rows; the result lives on disk, not in memory. */
export interface PrepareBuilder<S extends Rows> {
  /**
   * A key → value table from one source table (rows in key order; the first row of a key wins).
   * @example notebookOwner: src.lookup('notebooks', { key: (b) => b.id, value: (b) => b.owner_id })
   */
  lookup<K extends keyof S & string, KK extends Key, V>(
    table: K,
    spec: { key: (row: S[K]) => KK; value: (row: S[K], ctx: RowContext) => V; where?: (row: S[K], ctx: RowContext) => boolean },
  ): LookupSpec<KK, V>;
  /**
   * Old key → new id, for tables whose ids change; later tables consult it, and `t.fromRemap` turns it into rows.
   * `id`: `'sequence'` numbers keys 1, 2, 3… (from `start`) in the source's key order; a function computes each
   * id. Rows whose `sameAs` values are equal share one new id (de-duplication); `keep` stores a value with each
   * new id (from the first row that got it).
   * @example tagId: src.remap('tags', { key: (t) => t.id, sameAs: (t) => t.name.toLowerCase(), keep: (t) => t.name })
   */
  remap<K extends keyof S & string, KK extends Key, V = undefined>(
    table: K,
    spec: {
      key: (row: S[K]) => KK;
      id?: 'sequence' | ((row: S[K], ctx: RowContext) => number);
      start?: number;
      sameAs?: (row: S[K], ctx: RowContext) => Key;
      keep?: (row: S[K], ctx: RowContext) => V;
      where?: (row: S[K], ctx: RowContext) => boolean;
    },
  ): RemapSpec<KK, V>;
  /** The largest value of a numeric column (0 for an empty table): for id offsets. */
  max<K extends keyof S & string>(table: K, column: NumberColumns<S[K]>): ValueSpec<number>;
  /** How many rows (that match). */
  count<K extends keyof S & string>(table: K, where?: (row: S[K]) => boolean): ValueSpec<number>;
  /** Any fold over a table's rows; the result must be JSON (it is stored with the lookups). */
  aggregate<K extends keyof S & string, A>(table: K, initial: A, step: (acc: A, row: S[K]) => A): ValueSpec<A>;
}

/** The columns of a row type that hold numbers. */
export type NumberColumns<R> = { [C in keyof R]: R[C] extends number | null ? C : never }[keyof R] & string;

// ───────────────────────── conversions ─────────────────────────

/** How one target table is made: one or more parts, read one after the other. Built by a TableBuilder. */
export interface Conversion<R> {
  readonly parts: readonly unknown[];
  /** Carries the target row type for inference only. */
  readonly rowType?: R;
}

/** Row predicates every row-reading conversion accepts. Each must be a pure function of the row (and lookups). */
export interface RowFilters<SR, L> {
  /** The rows this conversion takes (the others belong to another conversion of the same source table: a split). */
  where?: (row: SR, ctx: RowContext<L>) => boolean;
  /** Rows that are deliberately not carried, by reason: declared losses, counted before the run. */
  dropRows?: Record<string, (row: SR, ctx: RowContext<L>) => boolean>;
  /** Rows whose reference is missing, by reason: skipped, counted and listed (a few ids) before the run. */
  orphans?: Record<string, (row: SR, ctx: RowContext<L>) => boolean>;
  /** Source columns whose values are not carried, with why: declared losses (values that are not NULL are counted). */
  dropColumns?: { [C in keyof SR]?: string };
  /** Source columns this conversion does not carry because another one does (not a loss), with where to. */
  omit?: { [C in keyof SR]?: string };
}

/** Options of `t.copy()`: the source row carried column by column, with changes. */
export interface CopyOptions<SR, R, L> extends RowFilters<SR, L> {
  /** Source column → target column. */
  rename?: { [C in keyof SR]?: keyof R & string };
  /** A new value for a carried column (a type change), keyed by the source column. */
  convert?: { [C in keyof SR]?: (value: SR[C], row: SR, ctx: RowContext<L>) => C extends keyof R ? R[C] : unknown };
  /** Target columns derived from the row (or from lookups). */
  set?: { [C in keyof R]?: (row: SR, ctx: RowContext<L>) => R[C] };
}

/** Options of `t.from()`: the target row computed from each source row. */
export interface FromOptions<SR, R, L> extends RowFilters<SR, L> {
  row: (row: SR, ctx: RowContext<L>) => R;
}

/** Options of `t.fromEach()`: any number of target rows from each source row (one table split into several). */
export interface FromEachOptions<SR, R, L> extends RowFilters<SR, L> {
  rows: (row: SR, ctx: RowContext<L>) => R[];
}

/** One setting, as a settings conversion's `row` function sees it. */
export interface Setting<SR, V> {
  /** The key in the target (after `rename`). */
  key: string;
  /** The value in the target (after `change`). */
  value: V;
  /** The source row, or undefined for a key added by `add`. */
  source?: SR;
  /** For an added key: its position in `add` (0, 1…); -1 for a source row. */
  added: number;
}

/** Options of `t.settings()`: a key/value table carried with renamed, dropped, changed and added keys. */
export interface SettingsOptions<SR, R, L, KC extends keyof SR, VC extends keyof SR> {
  /** The source column holding the key. */
  key: KC;
  /** The source column holding the value. */
  value: VC;
  /** Old key → new key. */
  rename?: Record<string, string>;
  /** Keys not carried, with why (declared losses). */
  drop?: Record<string, string>;
  /** New values, keyed by the old key. */
  change?: Record<string, (value: SR[VC], row: SR) => SR[VC]>;
  /**
   * Keys added with these values when the source does not have them (a source value wins). A function computes
   * the value from the context (inputs, lookups); when it returns undefined the key is not added.
   */
  add?: Record<string, SR[VC] | ((ctx: RowContext<L>) => SR[VC] | undefined)>;
  /** The target row; by default the source row's columns by name with the key and value replaced (NULL for an added key's other columns). */
  row?: (setting: Setting<SR, SR[VC]>, ctx: RowContext<L>) => R;
  /** Other declared row losses (soft-deleted settings…). */
  dropRows?: RowFilters<SR, L>['dropRows'];
  /** Source columns the default row does not carry, with why (declared losses). */
  dropColumns?: { [C in keyof SR]?: string };
}

/** The remap names of a hop's lookups. */
export type RemapNames<L> = { [N in keyof L]: L[N] extends RemapSpec<Key, unknown> ? N : never }[keyof L] & string;

/** What `t.fromRemap` hands to its row function: one new id, and the value kept with it. */
export interface RemapEntry<V> {
  id: number;
  value: V;
  /** How many source keys share this id (1 unless `sameAs` merged several rows): a reference count. */
  count: number;
}

/**
 * The conversions a target table can be made of; `t` in `tables: { users: (t) => t.copy() }`. `S` is the source
 * version's rows, `R` this target table's row, `L` the hop's lookups, `N` the target table's name.
 */
export interface TableBuilder<S extends Rows, R, L, N extends string> {
  /** The source table (by default the one of the same name) carried column by column, with renames and changes. */
  copy<K extends keyof S & string = N & keyof S & string>(source?: K, options?: CopyOptions<S[K], R, L>): Conversion<R>;
  /** One target row computed from each source row. */
  from<K extends keyof S & string>(source: K, map: ((row: S[K], ctx: RowContext<L>) => R) | FromOptions<S[K], R, L>): Conversion<R>;
  /** Any number of target rows from each source row. */
  fromEach<K extends keyof S & string>(source: K, options: FromEachOptions<S[K], R, L>): Conversion<R>;
  /** Several conversions into one table, read one after the other (ids must not collide: offset them). */
  merge(...parts: Conversion<R>[]): Conversion<R>;
  /** A key/value settings table. */
  settings<K extends keyof S & string, KC extends keyof S[K], VC extends keyof S[K]>(
    source: K,
    options: SettingsOptions<S[K], R, L, KC, VC>,
  ): Conversion<R>;
  /** One row per new id of a remap (in id order), e.g. the de-duplicated rows a remap found. */
  fromRemap<M extends RemapNames<L>>(
    remap: M,
    map: (entry: RemapEntry<L[M] extends RemapSpec<Key, infer V> ? V : never>, ctx: RowContext<L>) => R,
  ): Conversion<R>;
}

// ───────────────────────── checks, detection ─────────────────────────

/** What a check reads: the hop's source (through earlier hops), with typed rows. Memory stays bounded. */
export interface CheckSource<S extends Rows> {
  /** How many rows match, and the keys of the first few (10). */
  count<K extends keyof S & string>(table: K, where?: (row: S[K]) => boolean): Promise<{ count: number; ids: unknown[] }>;
  /** The first row that matches, in key order. */
  first<K extends keyof S & string>(table: K, where?: (row: S[K]) => boolean): Promise<S[K] | undefined>;
  /** Every row, in key order. */
  rows<K extends keyof S & string>(table: K): AsyncIterable<S[K]>;
}

/** A pack check: returns nothing when all is well, else one or more findings. */
export type CheckFn<S extends Rows, L> = (
  src: CheckSource<S>,
  ctx: RowContext<L>,
) => Promise<CheckResult | CheckResult[] | undefined | void> | CheckResult | CheckResult[] | undefined | void;

/** What `detect` reads: a source whose version is not known yet, so rows are untyped. */
export interface DetectSource {
  /** The table names of the source. */
  readonly tables: readonly string[];
  /** The column names of a table (empty when there is no such table). */
  columns(table: string): string[];
  /** Whether the source has every table and column of a declared schema, and what is missing. */
  matches(schema: SchemaDef): { ok: boolean; missing: string[] };
  /** The first row that matches, in key order (undefined when none, or no such table). */
  first(table: string, where?: (row: Record<string, unknown>) => boolean): Promise<Record<string, unknown> | undefined>;
  /** How many rows match (0 when no such table). */
  count(table: string, where?: (row: Record<string, unknown>) => boolean): Promise<number>;
}

/** Which version a source holds, or why the pack cannot tell. */
export type DetectResult = { version: string; evidence?: string } | { unknown: string };

// ───────────────────────── hops and packs ─────────────────────────

/** A pack's declaration of one hop (see defineHop). */
export interface HopSpec<S extends Rows, T extends Rows, L extends Record<string, PreparedSpec>> {
  from: string;
  to: string;
  /** The source version's tables (the previous hop's target, for later hops). */
  source: SchemaDef<S>;
  /** The target version's tables. */
  target: SchemaDef<T>;
  /** What to prepare before rows are converted: lookups, remaps, values. Built in order, on disk. */
  lookups?: (src: PrepareBuilder<S>) => L;
  /** Preflight checks, by code. */
  checks?: Record<string, CheckFn<S, L>>;
  /** How each target table is made. Every target table needs one. */
  tables: { [K in keyof T & string]: (t: TableBuilder<S, T[K], L, K>) => Conversion<T[K]> };
  /** Source tables not carried, with why (declared losses; their rows are counted). */
  droppedTables?: { [K in keyof S & string]?: string };
  /** The file tree: a path's new path, `null` (or `{ drop: why }`) to leave the file behind (a counted loss). */
  files?: (path: string, ctx: RowContext<L>) => string | null | { drop: string };
  /** Tables that must verify equal across the hop, beyond those it copies unchanged (found by itself). */
  expect?: { source: keyof S & string; target: keyof T & string; columns?: string[] }[];
}

/** A defined hop, ready for a pack. */
export interface Hop {
  readonly from: string;
  readonly to: string;
  /** Marks the value as a hop (checked when a pack is loaded from a user's module). */
  readonly kind: 'ferry-hop';
}

/** A value a pack needs besides the database (`--set name=value`): a secret kept in a config file, a choice. */
export interface InputSpec {
  /** One line for `--help` and for the error that asks for it. */
  description: string;
  /** The values it accepts, when it is a choice. */
  values?: string[];
}

/** What a pack reads from an application's own config file (`--app-config`, `--target-config`). */
export interface AppConfig {
  /** The database, as a ferry endpoint: `sqlite:/abs/path.db`, `postgres://…`, `mysql://…`. */
  database?: string;
  /** The prefix of the application's table names; ferry reads the source's tables without it. */
  tablePrefix?: string;
  /** Pack inputs found in the file (`--set` overrides them). */
  inputs?: Record<string, string>;
}

/** Reads one config file: its path (to resolve relative paths against) and its text. Throws FerryError('usage'). */
export type ConfigReader = (file: string, text: string) => AppConfig;

/** A pack's declaration (see definePack). */
export interface PackSpec {
  /** The application's name, as `--app` names it. */
  name: string;
  /** The versions the pack knows, oldest first; the last is the default target. */
  versions: string[];
  /** Versions the pack knows but was not tested with: a path from or to one of them warns. */
  untested?: string[];
  /** Which version a source holds. A detected `3.6.1` is treated as the pack's `3.6` (with a warning). */
  detect(src: DetectSource): Promise<DetectResult> | DetectResult;
  hops: Hop[];
  /** The inputs conversions and checks read from `ctx.inputs`, by name. `--set` accepts only these. */
  inputs?: Record<string, InputSpec>;
  /** Readers of the application's config files: the source's (`--app-config`) and the target's (`--target-config`). */
  config?: { source?: ConfigReader; target?: ConfigReader };
}

/** A defined pack. */
export interface Pack extends Readonly<Omit<PackSpec, 'hops'>> {
  readonly hops: readonly Hop[];
  readonly kind: 'ferry-pack';
}
