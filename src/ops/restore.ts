import { resolve } from 'node:path';
import { openBackupReader } from '../backup/reader.js';
import { FerryError } from '../core/errors.js';
import { orderByDependencies } from '../core/schema.js';
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
      });
      const recorded = new Map(reader.manifest.tables.map((t) => [t.name, t.digest]));
      // Only what both sides computed is compared: a backup made with --no-verify records no digest, and a restore
      // with --no-verify computes none.
      const matchesBackup =
        options.verify === false
          ? {}
          : Object.fromEntries(
              Object.entries(result.digests)
                .filter(([name]) => recorded.get(name) !== null && recorded.get(name) !== undefined)
                .map(([name, hex]) => [name, recorded.get(name) === hex]),
            );
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
