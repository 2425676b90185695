import { resolve } from 'node:path';
import type { ManifestTable } from '../backup/manifest.js';
import { openBackupReader } from '../backup/reader.js';
import { digestFormatOf, isDigestFormat, type DigestFormat } from '../core/digest.js';
import { FerryError } from '../core/errors.js';
import { orderByDependencies } from '../core/schema.js';
import type { EventListener } from '../run/events.js';
import { runPipeline, type RunResult } from '../run/pipeline.js';
import { openSource, openTarget } from './endpoints.js';
import { checkRules, type WriteOptions } from './migrate.js';
import { planTargetTables } from './plan-schema.js';
import { selectTables } from './select-tables.js';
import { FERRY_VERSION } from './version.js';

export interface RestoreOptions extends WriteOptions {
  /** A backup folder or .ferry archive. */
  backup: string;
  /** A new, empty database of any engine. */
  target: string;
  /** Where to restore the backup's file tree (must not hold files of the same names). */
  filesTo?: string;
}

export interface RestoreResult extends RunResult {
  /** Per table: the rows sent match the digest the backup recorded when it was made. */
  matchesBackup: Record<string, boolean>;
  /** Files restored under filesTo. */
  files?: { count: number; bytes: number; dir: string };
}

/**
 * Restores a backup into a new database of any engine, with the fidelity and hazard rules of migrate. Every
 * checksum of the backup is checked before a byte is written; at the end the target is verified against what was
 * sent, and what was sent against the digests the backup recorded.
 */
export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const rules = checkRules(options.convert ?? []);
  const reader = await openBackupReader(options.backup);
  try {
    const tables = orderByDependencies(
      selectTables(
        reader.manifest.tables.map((t) => t.schema),
        options,
      ),
    );
    const target = await openTarget(options.target);
    try {
      const plan = planTargetTables(reader.manifest.origin.engine, target.engine, tables);
      const result = await runPipeline(reader, target, {
        ...options,
        command: 'restore',
        ferryVersion: FERRY_VERSION,
        tables: plan.tables,
        notCarried: [...reader.manifest.notCarried, ...plan.notCarried],
        rules,
        reopenTarget: () => openSource(options.target),
        digestFormat: recordedFormat(reader.manifest.tables),
        recordedDigests: new Map(reader.manifest.tables.flatMap((t) => (t.digest === null ? [] : [[t.name, t.digest]]))),
      });
      const matchesBackup = options.verify === false ? {} : againstBackup(reader.manifest.tables, result.digests, options.events);
      let files: RestoreResult['files'];
      if (options.filesTo) {
        const dir = resolve(options.filesTo);
        const restored = await reader.extractFiles(dir);
        files = { ...restored, dir };
      } else if (reader.manifest.files.length > 0) {
        options.events?.({
          type: 'log',
          level: 'info',
          message: `the backup holds ${reader.manifest.files.length} file(s); --files-to DIR restores them`,
        });
      }
      return { ...result, matchesBackup, files };
    } finally {
      await target.close();
    }
  } finally {
    await reader.close();
  }
}

/**
 * The format the backup's digests were recorded in, so that the restore fingerprints what it sends the same way and
 * a backup written by an older ferry is still checked against its digests. Undefined (the current format) when it
 * records none, or several, or one this ferry does not know.
 */
function recordedFormat(tables: ManifestTable[]): DigestFormat | undefined {
  const formats = new Set(tables.flatMap((t) => (t.digest === null ? [] : [digestFormatOf(t.digest)])));
  const [only] = formats;
  return formats.size === 1 && isDigestFormat(only) ? only : undefined;
}

/**
 * Per table, whether the rows sent match the digest the backup recorded. Only what both sides computed in one
 * format is compared: a backup made with --no-verify records no digest, a restore with --no-verify computes none,
 * and a digest of another format than the run's (a backup mixing formats, or of a format this ferry does not know) is
 * not compared: such tables are still checked by their sha256 sums, and verified against what was sent.
 */
function againstBackup(tables: ManifestTable[], sent: Record<string, string>, events?: EventListener): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const other: string[] = [];
  for (const t of tables) {
    const digest = sent[t.name];
    if (t.digest === null || digest === undefined) continue;
    if (digestFormatOf(t.digest) !== digestFormatOf(digest)) other.push(t.name);
    else out[t.name] = t.digest === digest;
  }
  if (other.length > 0) {
    events?.({
      type: 'log',
      level: 'info',
      message: `the backup's digests of ${other.join(', ')} are of another format than this restore computed: those tables are checked by their sha256 sums only`,
    });
  }
  return out;
}

/** A restore whose sent rows differ from the backup's digests without rejects is a damaged backup or a bug. */
export function checkAgainstBackup(result: RestoreResult): void {
  const differ = Object.entries(result.matchesBackup).filter(([name, ok]) => !ok && !result.tables.find((t) => t.table === name)?.rejected);
  if (differ.length > 0) {
    throw new FerryError(
      'mismatch',
      `restored rows of ${differ.map(([n]) => n).join(', ')} differ from the digests recorded in the backup`,
      {
        hint: 'the backup may have been altered after it was made; report this if it was not',
      },
    );
  }
}
