import { mkdtempSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openBackupReader } from '../backup/reader.js';
import { openBackupWriter } from '../backup/writer.js';
import { orderByDependencies } from '../core/schema.js';
import { runPipeline } from '../run/pipeline.js';
import { checkRules, upgradeContext, type MigrateResult, type WriteOptions } from './migrate.js';
import { selectTables } from './select-tables.js';
import { openUpgrade, requireConsent, type Consent, type UpgradeSelection } from './upgrade.js';
import { FERRY_VERSION } from './version.js';
import { detectVersion, loadPack } from '../upgrade/index.js';

export interface ConvertOptions extends WriteOptions, UpgradeSelection, Consent {
  /** A backup folder or .ferry archive of the old version. */
  backup: string;
  /** The new backup: a folder, or a file ending in .ferry. */
  dest: string;
}

/**
 * Offline upgrade: reads a backup, carries it through the pack's path, and writes a new backup whose manifest
 * records the new version (SiteServer's `update`, done with checksums). It never touches a database. The file
 * tree is carried too, renamed as the hops say.
 */
export async function convert(options: ConvertOptions): Promise<MigrateResult> {
  const rules = checkRules(options.convert ?? []);
  const reader = await openBackupReader(options.backup);
  const manifestVersion = reader.manifest.app?.version;
  const selection = { ...options, from: options.from ?? (await detectable(options, reader)) ?? manifestVersion };
  const { upgraded, findings } = await openUpgrade(reader, selection, upgradeContext(options));
  const work = mkdtempSync(join(tmpdir(), 'ferry-convert-'));
  try {
    await requireConsent(findings, options);
    const filesDir = join(work, 'files');
    const tables = orderByDependencies(selectTables((await upgraded.readSchema()).tables, options));
    const writer = await openBackupWriter(options.dest, {
      origin: reader.manifest.origin,
      app: upgraded.app,
      ferryVersion: FERRY_VERSION,
      filesDir: reader.manifest.files.length > 0 ? filesDir : undefined,
    });
    try {
      const result: MigrateResult = await runPipeline(upgraded, writer, {
        ...options,
        command: 'convert',
        ferryVersion: FERRY_VERSION,
        tables,
        notCarried: reader.manifest.notCarried,
        rules,
        beforeVerify: async (digests, notCarried) => {
          await carryFiles(reader, upgraded, join(work, 'old'), filesDir);
          await writer.finalize({ digests: new Map([...digests].map(([name, d]) => [name, d.text()])), notCarried });
        },
        reopenTarget: () => openBackupReader(options.dest),
      });
      const account = await upgraded.account(Object.fromEntries(result.tables.map((t) => [t.table, t.rejected])));
      result.upgrade = { app: upgraded.app.name, from: upgraded.path.from, to: upgraded.app.version, findings, account };
      return result;
    } finally {
      await writer.close();
    }
  } finally {
    await upgraded.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The backup's file tree, renamed by the hops; files a hop drops are left out (check lists them as losses). */
async function carryFiles(
  reader: Awaited<ReturnType<typeof openBackupReader>>,
  upgraded: Awaited<ReturnType<typeof openUpgrade>>['upgraded'],
  oldDir: string,
  newDir: string,
): Promise<void> {
  if (reader.manifest.files.length === 0) return;
  await reader.extractFiles(oldDir);
  mkdirSync(newDir, { recursive: true });
  for await (const move of upgraded.mapFiles(reader.manifest.files.map((f) => f.path))) {
    if (!('to' in move)) continue;
    const to = join(newDir, move.to);
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(oldDir, move.from), to);
  }
}

/** Lets the pack's own detection run first; the manifest's recorded version is the fallback. */
async function detectable(options: UpgradeSelection, reader: Awaited<ReturnType<typeof openBackupReader>>): Promise<string | undefined> {
  const app = reader.manifest.app;
  if (!app) return undefined;
  const pack = await loadPack(options.app);
  if (pack.name !== app.name) return undefined;
  const found = await detectVersion(pack, reader);
  return 'version' in found ? undefined : app.version;
}
