import type { DetectResult, DetectSource } from '../../src/upgrade/index.js';

/**
 * Which Cloudreve a database holds (reference §1.2, §2.6, §3.6): V2 records `database_version` in sd_options, V3
 * and V4 a `db_version_<version>` settings row per version that set the database up. Every 3.x is carried as 3.8
 * (columns were only ever added in 3.x); the V3 → V4 hop warns when 3.8 never ran on the database.
 */
export async function detectCloudreve(src: DetectSource): Promise<DetectResult> {
  if (src.tables.includes('sd_options')) {
    const row = await src.first('sd_options', (r) => r.option_name === 'database_version');
    const version = row ? String(row.option_value) : undefined;
    const signature = src.columns('sd_users').includes('options') && src.tables.includes('sd_download') && src.tables.includes('sd_task');
    if (version === '5' && signature) return { version: '2.0.0-Alpha1', evidence: 'sd_options database_version 5, sd_users.options' };
    return {
      unknown: `it is Cloudreve V2 with database_version ${version ?? 'missing'}, not 2.0.0-Alpha1 (5): upgrade V2 to 2.0.0-Alpha1 with its own updater first`,
    };
  }
  if (!src.tables.includes('settings')) return { unknown: 'it has neither a settings table (V3, V4) nor sd_options (V2)' };
  const versions: string[] = [];
  const rows = src.tables.includes('settings') ? await collect(src) : [];
  for (const name of rows) versions.push(name.slice('db_version_'.length));
  if (src.tables.includes('entities') && src.tables.includes('file_entities')) {
    const v4 = versions.find((v) => v.startsWith('4.'));
    return { version: '4.0', evidence: v4 ? `settings db_version_${v4}` : 'the V4 tables (entities, file_entities)' };
  }
  if (src.tables.includes('folders') && src.tables.includes('files')) {
    const v3 = versions.filter((v) => v.startsWith('3.')).sort();
    if (v3.length === 0) return { version: '3.8', evidence: 'the V3 tables (no db_version row)' };
    return { version: '3.8', evidence: `settings db_version_${v3[v3.length - 1]}` };
  }
  return { unknown: 'it has a settings table but neither the V3 tables (folders, files) nor the V4 ones (entities)' };
}

async function collect(src: DetectSource): Promise<string[]> {
  const names: string[] = [];
  await src.count('settings', (r) => {
    const name = String(r.name);
    if (name.startsWith('db_version_') && (r.deleted_at === null || r.deleted_at === undefined)) names.push(name);
    return false;
  });
  return names;
}
