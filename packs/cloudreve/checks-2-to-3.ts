import type { CheckFn, CheckResult } from '../../src/upgrade/index.js';
import { emailKey, folderName, type Lookups2to3, nameKey, UNSUPPORTED_POLICIES, type V2 } from './lookups-2-to-3.js';

type Check = CheckFn<V2, Lookups2to3>;

/** V3's name columns are varchar(255). */
const MAX_NAME = 255;

/**
 * The V2 → V3 preflight. What the official upgrade guide says must be done in V2 first is a blocker; what V3
 * cannot hold is a blocker with the rows to fix; what changes on the way is a warning, with ids.
 */
export const checks2to3: Record<string, Check> = {
  // Reference §5.1: "S3 and remote policies must be deleted together with their files before upgrading."
  'unsupported-policies': async (src, ctx) => {
    const out: CheckResult[] = [];
    for (const [type, label] of Object.entries(UNSUPPORTED_POLICIES)) {
      const policies = await src.count('sd_policy', (p) => p.policy_type === type);
      if (policies.count === 0) continue;
      const files = await src.count('sd_files', (f) => ctx.lookups.policyType.get(f.policy_id) === type);
      out.push({
        severity: 'blocker',
        table: 'sd_policy',
        count: policies.count,
        ids: policies.ids,
        message:
          `${policies.count} ${label} storage polic${policies.count === 1 ? 'y' : 'ies'} (id ${policies.ids.join(', ')}) with ${files.count} file(s): ` +
          `the V2 → V3 upgrade does not support them — as Cloudreve's upgrade guide says, delete them and their files in V2 first`,
      });
    }
    return out;
  },

  'onedrive-policies': async (src) => {
    const { count, ids } = await src.count('sd_policy', (p) => p.policy_type === 'onedrive');
    if (count > 0)
      return {
        severity: 'warning',
        table: 'sd_policy',
        count,
        ids,
        message: `${count} OneDrive storage polic${count === 1 ? 'y' : 'ies'} (id ${ids.join(', ')}): V2's OAuth state does not carry over — authorise ${count === 1 ? 'it' : 'them'} again in V3's admin panel`,
      };
  },

  // Reference §5.1: users' two-factor settings are a documented loss. Counted here (users who turned it on), not
  // as a dropped column: two_step holds "0" for everyone else.
  'two-factor': async (src) => {
    const { count, ids } = await src.count('sd_users', (u) => hasTwoFactor(u.two_step));
    if (count > 0)
      return {
        severity: 'loss',
        table: 'sd_users',
        count,
        ids,
        message: `${count} user(s) have two-factor sign-in on: it is turned off in V3 (two-factor settings are not carried); they set it up again`,
      };
  },

  'duplicate-emails': async (src, ctx) => {
    const { count, ids } = await src.count('sd_users', (u) => ctx.lookups.emailOwner.get(emailKey(u.user_email)) !== u.id);
    if (count > 0)
      return {
        severity: 'blocker',
        table: 'sd_users',
        count,
        ids,
        message: `${count} user(s) have the email of an earlier user (ignoring case), which V3's unique index refuses: change or delete them in V2`,
      };
  },

  // V2 had no unique index on names; V3 has one on (name, parent) for folders and (name, owner, folder) for files.
  'duplicate-names': async (src, ctx) => {
    const out: CheckResult[] = [];
    const L = ctx.lookups;
    const folders = await src.count('sd_folders', (f) => L.liveFolder.has(f.id) && folderName(f, L.folderFirst) !== nameOf(f));
    const files = await src.count('sd_files', (f) => L.fileName.has(f.id) && L.fileName.get(f.id) !== f.orign_name);
    for (const [table, found, what] of [
      ['sd_folders', folders, 'folder(s) have the name of an earlier folder beside them'],
      ['sd_files', files, 'file(s) have the name of an earlier file of the same owner beside them'],
    ] as const) {
      if (found.count === 0) continue;
      out.push({
        severity: 'warning',
        table,
        count: found.count,
        ids: found.ids,
        message: `${found.count} ${what}, which V3 does not allow: each is renamed <id>_<name> (42_report.pdf)`,
      });
    }
    // A renamed file or folder that meets another of its new name.
    const stillFolders = await src.count('sd_folders', (f) => {
      if (!L.liveFolder.has(f.id) || f.parent_folder === 0) return false;
      const name = folderName(f, L.folderFirst);
      return name !== f.folder_name && L.folderNames.has([f.parent_folder, nameKey(name)]);
    });
    const stillFiles = await src.count('sd_files', (f) => {
      const name = L.fileName.get(f.id);
      return name !== undefined && name !== f.orign_name && L.fileNames.has([f.parent_folder, f.upload_user, nameKey(name)]);
    });
    for (const [table, found] of [
      ['sd_folders', stillFolders],
      ['sd_files', stillFiles],
    ] as const) {
      if (found.count > 0)
        out.push({
          severity: 'blocker',
          table,
          count: found.count,
          ids: found.ids,
          message: `${found.count} ${table === 'sd_files' ? 'file' : 'folder'}(s) would still clash with another after the rename: rename them in V2`,
        });
    }
    return out;
  },

  'long-names': async (src, ctx) => {
    const L = ctx.lookups;
    const folders = await src.count('sd_folders', (f) => L.liveFolder.has(f.id) && [...folderName(f, L.folderFirst)].length > MAX_NAME);
    const files = await src.count('sd_files', (f) => [...(L.fileName.get(f.id) ?? '')].length > MAX_NAME);
    return [
      ['sd_folders', folders],
      ['sd_files', files],
    ]
      .filter(([, found]) => (found as { count: number }).count > 0)
      .map(([table, found]) => {
        const { count, ids } = found as { count: number; ids: unknown[] };
        return {
          severity: 'blocker' as const,
          table: table as string,
          count,
          ids,
          message: `${count} ${table === 'sd_files' ? 'file' : 'folder'} name(s) are longer than the ${MAX_NAME} characters V3 holds: shorten them in V2`,
        };
      });
  },

  // V2's speed '0' blocked downloads altogether; V3's 0 means unlimited, and it has no way to block them.
  'group-speeds': async (src) => {
    const { count, ids } = await src.count('sd_groups', (g) => g.speed.trim() !== '' && !(Number(g.speed) > 0));
    if (count > 0)
      return {
        severity: 'warning',
        table: 'sd_groups',
        count,
        ids,
        message: `${count} group(s) have a download speed of 0 (V2 blocked their downloads) or one that is not a number: V3 has no such limit, so their downloads become unlimited`,
      };
  },

  // V3 gives a user the storage policy and permissions of its group: without one, they can sign in but not upload.
  'user-groups': async (src, ctx) => {
    const { count, ids } = await src.count('sd_users', (u) => !ctx.lookups.group.has(u.user_group));
    if (count > 0)
      return {
        severity: 'warning',
        table: 'sd_users',
        count,
        ids,
        message: `${count} user(s) belong to a group that does not exist: move them to an existing group in V2 (V4 refuses them)`,
      };
  },

  'users-without-root': async (src, ctx) => {
    const { count, ids } = await src.count('sd_users', (u) => !ctx.lookups.rootOf.has(u.id));
    if (count > 0)
      return {
        severity: 'warning',
        table: 'sd_users',
        count,
        ids,
        message: `${count} user(s) have no root folder (V2 makes one when a user registers): V3 cannot show them any file until an administrator deletes and recreates them`,
      };
  },

  // Folders whose parent is itself skipped: carried, but V3 cannot reach them.
  'unreachable-folders': async (src, ctx) => {
    const L = ctx.lookups;
    const { count, ids } = await src.count(
      'sd_folders',
      (f) => L.liveFolder.has(f.id) && f.parent_folder !== 0 && !L.liveFolder.has(f.parent_folder),
    );
    if (count > 0)
      return {
        severity: 'warning',
        table: 'sd_folders',
        count,
        ids,
        message: `${count} folder(s) are inside a folder that is not carried: they are carried without a way to reach them in V3`,
      };
  },
};

/** V2's two_step: "0" (or empty) when off, else the TOTP secret. */
export function hasTwoFactor(twoStep: string): boolean {
  const t = twoStep.trim();
  return t !== '' && t !== '0';
}

/** A V2 folder's name as V3 would have it without renames (roots are '/'). */
function nameOf(f: V2['sd_folders']): string {
  return f.parent_folder === 0 ? '/' : f.folder_name;
}
