import type { DatasetReader, ReadOptions, RowBatch } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import type { Schema, TableSchema } from '../core/schema.js';
import type { Value } from '../core/values.js';
import type { HopDef } from './define.js';
import { HopInput } from './input.js';
import { jsonKey } from './keys.js';
import type { AddedPart, Part, RemapPart, RowObject, RowsPart } from './parts.js';
import { prepareHop, type Duplicates } from './prepare.js';
import { rowWriter } from './rows.js';
import { HopRuntime, type UpgradeEvent } from './runtime.js';
import type { ScratchStore } from './scratch.js';
import { tallySource, type SourceTally } from './tally.js';

export interface HopReaderOptions {
  store: ScratchStore;
  /** The hop's position in the path. */
  index: number;
  /** Rows per batch when the hop reads for itself (lookups, counts). */
  batchRows: number;
  events?: (event: UpgradeEvent) => void;
  /** The pack inputs (`--set`, the application's config file). */
  inputs?: Readonly<Record<string, string>>;
}

/** A part's batch: target row objects, and the position inside the part after them. */
interface PartBatch {
  rows: RowObject[];
  key?: Value[];
}

/**
 * One hop as a DatasetReader: it presents the target version's schema, and reads each target table by running its
 * conversion parts over the input, one after the other. A batch's resume key is `[part index, ...position in the
 * part]`: the input's own resume key for a part that reads a table (so a merge resumes inside the right table), the
 * index of the last added key for a settings conversion's added keys, the last new id for a `fromRemap`.
 *
 * Before the first row, the hop's lookups and remaps are built in the scratch store (or found complete there),
 * and each source table is counted once (its tally): that is what `countRows` reports and what `check` lists.
 */
export class HopReader implements DatasetReader {
  readonly description: string;
  readonly engine: string;
  readonly input: HopInput;
  readonly rt: HopRuntime;
  private preparing?: Promise<Duplicates>;
  private readonly tallies = new Map<string, Promise<SourceTally>>();

  constructor(
    inner: DatasetReader,
    readonly hop: HopDef,
    private readonly options: HopReaderOptions,
  ) {
    this.input = new HopInput(inner, hop);
    this.rt = new HopRuntime(hop, options.index, options.inputs);
    this.description = `${inner.description} → ${hop.to}`;
    this.engine = inner.engine;
  }

  serverVersion(): Promise<string> {
    return this.input.reader.serverVersion();
  }

  async readSchema(): Promise<Schema> {
    const inner = await this.input.schema();
    return { tables: this.hop.targetTables.map((t) => structuredClone(t)), notCarried: inner.notCarried };
  }

  /** Lookups, remaps and values built (once); refuses when the source lacks what the hop reads. */
  ready(): Promise<Duplicates> {
    this.preparing ??= (async () => {
      const missing = await this.input.missing();
      if (missing.length > 0) {
        throw new FerryError('refused', `hop ${this.hop.label}: the source lacks ${missing.join(', ')}`, {
          hint: 'run ferry check: the source may not be the version the pack detected',
          details: { missing },
        });
      }
      return prepareHop(this.input, this.rt, this.options.store, this.options);
    })();
    return this.preparing;
  }

  /** The fate of every row of a source table (counted once, kept in the scratch store). */
  tally(table: string): Promise<SourceTally> {
    let t = this.tallies.get(table);
    if (!t) {
      t = this.ready().then(() => tallySource(this.input, this.rt, this.options.store, table, this.options));
      this.tallies.set(table, t);
    }
    return t;
  }

  async countRows(table: TableSchema): Promise<number> {
    let n = 0;
    for (const [i, p] of this.parts(table.name).entries()) {
      if (p.kind === 'rows') n += (await this.tally(p.source)).parts.find((x) => x.target === table.name && x.part === i)!.emitted;
      else if (p.kind === 'added') n += (await this.missingKeys(table.name, p)).length;
      else n += (await this.ready().then(() => this.rt.remap(p.remap))).count();
    }
    return n;
  }

  async *readRows(table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch> {
    await this.ready();
    const parts = this.parts(table.name);
    const toRow = rowWriter(table);
    const after = options.after && options.after.length > 0 ? options.after : undefined;
    const start = after ? Number(after[0]) : 0;
    for (let i = start; i < parts.length; i++) {
      const from = i === start && after && after.length > 1 ? after.slice(1) : undefined;
      const p = parts[i]!;
      const batches =
        p.kind === 'rows'
          ? this.rowsPart(p, from, options.batchRows)
          : p.kind === 'added'
            ? this.addedPart(table.name, p, from, options.batchRows)
            : this.remapPart(p, from, options.batchRows);
      for await (const b of batches) yield { rows: b.rows.map(toRow), resumeKey: b.key ? [i, ...b.key] : undefined };
    }
  }

  close(): Promise<void> {
    return this.input.reader.close();
  }

  private parts(target: string): Part[] {
    const parts = this.hop.conversions.get(target);
    if (!parts) throw new FerryError('usage', `hop ${this.hop.label}: the target version has no table ${target}`);
    return parts;
  }

  /** Source rows in key order through the part's filters and conversion; one output batch per input batch. */
  private async *rowsPart(p: RowsPart, after: Value[] | undefined, batchRows: number): AsyncIterable<PartBatch> {
    const ctx = this.rt.ctx;
    const keyOf = await this.input.keyOf(p.source);
    for await (const batch of this.input.scan(p.source, { batchRows, after })) {
      const rows: RowObject[] = [];
      for (const row of batch.rows) {
        try {
          if (p.where && !p.where(row, ctx)) continue;
          if (p.dropRows.some(([, f]) => f(row, ctx)) || p.orphans.some(([, f]) => f(row, ctx))) continue;
          for (const out of p.emit(row, ctx)) rows.push(out);
        } catch (e) {
          throw this.failed(p, e, jsonKey(keyOf(row)));
        }
      }
      // A batch that converts to nothing is not handed on: after an interruption it is simply read again.
      if (rows.length > 0) yield { rows, key: batch.resumeKey };
    }
  }

  private async *addedPart(target: string, p: AddedPart, after: Value[] | undefined, batchRows: number): AsyncIterable<PartBatch> {
    const missing = await this.missingKeys(target, p);
    const from = after ? Number(after[0]) : -1;
    let rows: RowObject[] = [];
    let last = from;
    for (const { key, value, index } of missing) {
      if (index <= from) continue;
      try {
        rows.push(p.make(key, value, index, this.rt.ctx));
      } catch (e) {
        throw this.failed(p, e, key);
      }
      last = index;
      if (rows.length >= batchRows) {
        yield { rows, key: [last] };
        rows = [];
      }
    }
    if (rows.length > 0) yield { rows, key: [last] };
  }

  private async *remapPart(p: RemapPart, after: Value[] | undefined, batchRows: number): AsyncIterable<PartBatch> {
    const remap = this.rt.remap(p.remap);
    let from = after ? Number(after[0]) : undefined;
    for (;;) {
      const entries = remap.page(from, batchRows);
      if (entries.length === 0) return;
      const rows = entries.map((e) => {
        try {
          return p.emit(e, this.rt.ctx);
        } catch (err) {
          throw this.failed(p, err, e.id);
        }
      });
      from = entries[entries.length - 1]!.id;
      yield { rows, key: [from] };
    }
  }

  /** The keys a settings conversion adds: those the source does not have. */
  private async missingKeys(target: string, p: AddedPart): Promise<{ key: string; value: unknown; index: number }[]> {
    const present = new Set((await this.tally(p.source)).present[target] ?? []);
    return p.keys
      .map(([key, value], index) => ({
        key,
        value: typeof value === 'function' ? (value as (c: unknown) => unknown)(this.rt.ctx) : value,
        index,
      }))
      .filter((k) => !present.has(k.key) && k.value !== undefined);
  }

  private failed(p: Part, e: unknown, key: unknown): FerryError {
    if (e instanceof FerryError) return e;
    return new FerryError(
      'failed',
      `hop ${this.hop.label}, ${p.label}: ${(e as Error).message} (at the row with key ${JSON.stringify(key)})`,
      {
        hint: 'the app pack failed on data it does not expect: fix the pack, or the row',
        cause: e,
      },
    );
  }
}
