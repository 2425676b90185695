import type { CheckFn } from '../../src/upgrade/index.js';
import { conflictsWithFolder, hasThumbnail, isMd5Password, type Lookups3to4, type V3 } from './lookups-3-to-4.js';
import { parseJson } from './v4-values.js';

type Check = CheckFn<V3, Lookups3to4>;
const live = (r: { deleted_at: string | null }) => r.deleted_at === null;
/** V3 options columns: empty means none, anything else must be JSON (the official migrator aborts on it). */
const badJson = (text: string | null) => text !== null && text.trim() !== '' && parseJson(text) === undefined;

/**
 * The V3 → V4 preflight. Everything the official migrator aborts on mid-run is a blocker here, found before a row
 * is written; everything it skips with a log line is counted, with ids.
 */
export const checks3to4: Record<string, Check> = {
  'hash-id-salt': (_src, ctx) => {
    if (ctx.inputs.hashIdSalt) return;
    return {
      severity: 'blocker',
      message:
        'the hash-id salt is not known: V3 keeps it in conf.ini ([System] HashIDSalt), and without it every share and direct link breaks — give --app-config ./conf.ini, or --set hashIdSalt=…',
    };
  },

  'md5-passwords': async (src, ctx) => {
    const { count, ids } = await src.count('users', (u) => live(u) && isMd5Password(u.password));
    if (count === 0) return;
    const choice = ctx.inputs.md5Passwords;
    const what = `${count} user(s) still have a V2-era password (md5:…), which Cloudreve 4.0.0 cannot verify (a bug in its CheckPassword)`;
    if (choice === 'keep')
      return {
        severity: 'warning',
        table: 'users',
        count,
        ids,
        message: `${what}: kept as they are, these users cannot sign in until an administrator sets a new password`,
      };
    if (choice === 'clear')
      return {
        severity: 'loss',
        table: 'users',
        count,
        ids,
        message: `${what}: their passwords are cleared, so they sign in after "forgot password"`,
      };
    return {
      severity: 'blocker',
      table: 'users',
      count,
      ids,
      message: `${what}. Choose: --set md5Passwords=keep (carried as is; an administrator resets them in V4) or --set md5Passwords=clear (they use "forgot password"); or have them change their password in V3 first`,
    };
  },

  'v3-version': async (src) => {
    const version = await src.first('settings', (s) => live(s) && /^db_version_3\.8\./.test(s.name));
    if (version) return;
    // No version row at all: a V3 made by the V2 → V3 hop (V3 seeds its defaults and version on its first start).
    const older = await src.first('settings', (s) => live(s) && s.name.startsWith('db_version_3.'));
    if (!older) return;
    return {
      severity: 'warning',
      table: 'settings',
      message: `the database was last set up by a Cloudreve 3.x before 3.8 (${older.name}); the official V4 migrator was written for 3.8 — starting Cloudreve 3.8.3 on it once first is the tested path`,
    };
  },

  'user-fields': async (src) => {
    const { count, ids } = await src.count('users', (u) => live(u) && ((u.email ?? '').length > 100 || (u.nick ?? '').length > 100));
    if (count > 0)
      return {
        severity: 'blocker',
        table: 'users',
        count,
        ids,
        message: `${count} user(s) have an email or nickname longer than the 100 characters V4 accepts: shorten them in V3`,
      };
  },

  'user-groups': async (src, ctx) => {
    const { count, ids } = await src.count('users', (u) => live(u) && (u.group_id === null || !ctx.lookups.liveGroup.has(u.group_id)));
    if (count > 0)
      return {
        severity: 'blocker',
        table: 'users',
        count,
        ids,
        message: `${count} user(s) belong to a group that does not exist: move them to an existing group in V3`,
      };
  },

  'invalid-json': async (src) => {
    const out = [];
    const policies = await src.count('policies', (p) => live(p) && badJson(p.options));
    if (policies.count) out.push({ table: 'policies', ...policies, what: 'storage policies whose options are not JSON' });
    const groups = await src.count('groups', (g) => live(g) && (badJson(g.options) || badJson(g.policies)));
    if (groups.count) out.push({ table: 'groups', ...groups, what: 'groups whose options or policy list are not JSON' });
    const nodes = await src.count('nodes', (n) => live(n) && n.aria2_enabled === true && badJson(n.aria2_options));
    if (nodes.count) out.push({ table: 'nodes', ...nodes, what: 'aria2 nodes whose aria2 options are not JSON' });
    return out.map(({ table, count, ids, what }) => ({
      severity: 'blocker' as const,
      table,
      count,
      ids,
      message: `${count} ${what}: fix them in V3's admin panel (the official migrator stops half-way on them)`,
    }));
  },

  'name-conflicts': async (src, ctx) => {
    const carried = (f: V3['files']) => ctx.lookups.versionEntity.has(f.id);
    const renamed = await src.count('files', (f) => carried(f) && conflictsWithFolder(f, ctx.lookups.folderName));
    if (renamed.count === 0) return;
    const still = await src.count(
      'files',
      (f) =>
        carried(f) &&
        conflictsWithFolder(f, ctx.lookups.folderName) &&
        conflictsWithFolder({ ...f, name: `${f.id}_${f.name ?? ''}` }, ctx.lookups.folderName),
    );
    return [
      {
        severity: 'warning' as const,
        table: 'files',
        count: renamed.count,
        ids: renamed.ids,
        message: `${renamed.count} file(s) have the name of a folder beside them, which V4 does not allow: each is renamed <id>_<name> (42_report.pdf)`,
      },
      ...(still.count
        ? [
            {
              severity: 'blocker' as const,
              table: 'files',
              count: still.count,
              ids: still.ids,
              message: `${still.count} file(s) would still clash after the rename: rename them in V3`,
            },
          ]
        : []),
    ];
  },

  'parentless-folders': async (src, ctx) => {
    const { count, ids } = await src.count(
      'folders',
      (f) => ctx.lookups.liveFolder.has(f.id) && f.parent_id !== null && !ctx.lookups.liveFolder.has(f.parent_id),
    );
    if (count > 0)
      return {
        severity: 'warning',
        table: 'folders',
        count,
        ids,
        message: `${count} folder(s) are inside a folder that is not carried (deleted in V3): they are carried without a parent, which V4 does not show`,
      };
  },

  'root-shares': async (src, ctx) => {
    const { count, ids } = await src.count(
      'shares',
      (s) => live(s) && s.is_dir === true && s.source_id !== null && ctx.lookups.rootFolder.has(s.source_id),
    );
    if (count > 0)
      return {
        severity: 'warning',
        table: 'shares',
        count,
        ids,
        message: `${count} share(s) of a user's whole drive (the root folder): V4 keeps them, but shows them as invalid (it shares folders with a parent only)`,
      };
  },

  'remote-thumbnails': async (src, ctx) => {
    const { count, ids } = await src.count(
      'files',
      (f) => ctx.lookups.versionEntity.has(f.id) && hasThumbnail(f.metadata) && ctx.lookups.livePolicy.get(f.policy_id!) !== 'local',
    );
    if (count > 0)
      return {
        severity: 'loss',
        table: 'files',
        count,
        ids,
        message: `${count} thumbnail(s) of files on non-local storage policies are not carried: V4 makes them again when they are viewed`,
      };
  },
};
