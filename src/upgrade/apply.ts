import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetReader, ReadOptions, RowBatch } from '../core/dataset.js';
import type { Schema, TableSchema } from '../core/schema.js';
import type { Expectation } from './define.js';
import { mapFiles, type FileMove } from './files.js';
import { hopFindings, rows } from './findings.js';
import { HopReader } from './hop-reader.js';
import { accountRun, hopLedger, type HopLedger, type RunAccount } from './ledger.js';
import { planUpgrade, type UpgradePath } from './path.js';
import type { UpgradeEvent } from './runtime.js';
import { ScratchStore } from './scratch.js';
import type { Finding, Pack } from './types.js';

/** Where and how a path runs. */
export interface UpgradeContext {
  /**
   * The folder of the scratch store (`remap.db`: lookups, remaps, counts). A run must pass the same folder when it
   * resumes; without one, a temporary folder is used and removed by close().
   */
  workdir?: string;
  /** Empty the scratch store first: for a run that starts anew (not a resume) into a reused workdir. */
  reset?: boolean;
  /** Rows per batch when the hops read for themselves (lookups, counts, checks); default 5000. */
  batchRows?: number;
  events?: (event: UpgradeEvent) => void;
  /** The pack inputs, as conversions and checks read them in `ctx.inputs` (validated against the pack's `inputs`). */
  inputs?: Readonly<Record<string, string>>;
}

/**
 * A dataset seen through an upgrade path: the target version's schema and rows, read from the source through
 * every hop without an intermediate database. To the rest of ferry it is a DatasetReader like any other (so
 * every writer, checkpoint, resume and verification works through hops); the extra members serve `check`, the
 * run's summary, `convert`'s file tree and `verify`.
 */
export class UpgradedReader implements DatasetReader {
  readonly description: string;
  readonly engine: string;
  /** The application and version the rows are in: what a backup's manifest records. */
  readonly app: { name: string; version: string };
  private readonly last: DatasetReader;

  constructor(
    private readonly inner: DatasetReader,
    readonly path: UpgradePath,
    readonly hops: HopReader[],
    private readonly store: ScratchStore,
    private readonly batchRows: number,
    private readonly temporary?: string,
  ) {
    this.last = hops[hops.length - 1] ?? inner;
    this.description = `${inner.description} (${path.pack.name} ${path.from} → ${path.to})`;
    this.engine = inner.engine;
    this.app = { name: path.pack.name, version: path.to };
  }

  serverVersion(): Promise<string> {
    return this.inner.serverVersion();
  }

  readSchema(): Promise<Schema> {
    return this.last.readSchema();
  }

  countRows(table: TableSchema): Promise<number> {
    return this.last.countRows(table);
  }

  readRows(table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch> {
    return this.last.readRows(table, options);
  }

  /**
   * The preflight: the path's own findings, then each hop's (checks, counted losses) against the source as the
   * hops before it leave it. A hop whose source lacks what it reads stops the checking there. With `files`, the
   * file tree's paths, the files the hops leave behind are counted too.
   */
  async check(options: { files?: Iterable<string> | AsyncIterable<string> } = {}): Promise<Finding[]> {
    const out: Finding[] = [...this.path.findings];
    for (const [i, hop] of this.hops.entries()) {
      const found = await hopFindings(hop, this.batchRows);
      out.push(...found);
      if (found.some((f) => f.code === 'schema-mismatch')) {
        const rest = this.hops.slice(i + 1).map((h) => h.hop.label);
        if (rest.length)
          out.push({
            severity: 'info',
            code: 'not-checked',
            message: `not checked, since the source lacks what they read: ${rest.join(', ')}`,
          });
        return out;
      }
    }
    if (options.files) {
      const dropped = new Map<string, number>();
      for await (const move of this.mapFiles(options.files)) {
        if ('dropped' in move) dropped.set(`${move.hop}\u0000${move.dropped}`, (dropped.get(`${move.hop}\u0000${move.dropped}`) ?? 0) + 1);
      }
      for (const [key, count] of dropped) {
        const [hop, why] = key.split('\u0000') as [string, string];
        out.push({ severity: 'loss', code: 'dropped-files', hop, count, message: `${rows(count, 'file')} will not be carried: ${why}` });
      }
    }
    return out;
  }

  /** Each hop's accounts of its source tables (rows = carried + dropped + skipped) and target tables. */
  async ledger(): Promise<HopLedger[]> {
    const out: HopLedger[] = [];
    for (const hop of this.hops) out.push(await hopLedger(hop));
    return out;
  }

  /** The run's summary: the original tables' accounts with the target's rejected rows (by target table) charged to them. */
  async account(rejected: Record<string, number>): Promise<RunAccount> {
    return accountRun(this.hops, await this.ledger(), rejected);
  }

  /** Where each file of the source's file tree goes through the path. */
  mapFiles(paths: Iterable<string> | AsyncIterable<string>): AsyncIterable<FileMove> {
    return mapFiles(this.hops, paths);
  }

  /** Source tables that must verify equal to target tables (on these columns) across the whole path. */
  expectations(): Expectation[] {
    if (this.hops.length === 0) return [];
    let current = [...this.hops[0]!.hop.expectations];
    for (const h of this.hops.slice(1)) {
      current = current.flatMap((e) =>
        h.hop.expectations
          .filter((f) => f.source === e.target)
          .map((f) => ({ source: e.source, target: f.target, columns: e.columns.filter((c) => f.columns.includes(c)) })),
      );
    }
    return current.filter((e) => e.columns.length > 0);
  }

  /** Closes the scratch store and the reader the path was applied to. */
  async close(): Promise<void> {
    try {
      await this.last.close();
    } finally {
      this.store.close();
      if (this.temporary) rmSync(this.temporary, { recursive: true, force: true });
    }
  }
}

/**
 * Applies an upgrade path to a reader: the result reads as the path's target version. Nothing is read until the
 * first call; the hops build their lookups and remaps in `<workdir>/remap.db` before the first row.
 *
 * @example
 * const path = await planUpgrade(pack, source, { to: '3.0' });
 * const upgraded = await applyPath(source, path, { workdir: './ferry-work' });
 * const findings = await upgraded.check();
 */
export async function applyPath(reader: DatasetReader, path: UpgradePath, context: UpgradeContext = {}): Promise<UpgradedReader> {
  const temporary = context.workdir ? undefined : mkdtempSync(join(tmpdir(), 'ferry-upgrade-'));
  const store = new ScratchStore(context.workdir ?? temporary!, { reset: context.reset });
  const batchRows = context.batchRows ?? 5000;
  const hops: HopReader[] = [];
  let current = reader;
  for (const [index, hop] of path.hops.entries()) {
    const next: HopReader = new HopReader(current, hop, { store, index, batchRows, events: context.events, inputs: context.inputs });
    hops.push(next);
    current = next;
  }
  return new UpgradedReader(reader, path, hops, store, batchRows, temporary);
}

/**
 * What `ferry check --app` does: detect the version (unless given), find the path, apply it and run every check.
 * The upgraded reader is returned open, so that a migrate can run it after the user's consent (same snapshot,
 * same scratch store); close it when done.
 */
export async function preflight(
  pack: Pack,
  reader: DatasetReader,
  options: { from?: string; to?: string; files?: Iterable<string> | AsyncIterable<string> } & UpgradeContext = {},
): Promise<{ path: UpgradePath; findings: Finding[]; upgraded: UpgradedReader }> {
  const path = await planUpgrade(pack, reader, options);
  const upgraded = await applyPath(reader, path, options);
  try {
    return { path, findings: await upgraded.check({ files: options.files }), upgraded };
  } catch (e) {
    await upgraded.close();
    throw e;
  }
}
