import type { Lookup, PrepareBuilder, Remap, RowContext } from '../../src/upgrade/index.js';
import { v2 } from './schemas/v2.js';

/** The V2 row types, by table. */
export type V2 = NonNullable<(typeof v2)['rowTypes']>;

/** The V2 policy types the V2 → V3 upgrade does not carry (reference §1.4, §5.1): their policies must be deleted first. */
export const UNSUPPORTED_POLICIES: Readonly<Record<string, string>> = { s3: 'S3', remote: 'remote (slave)' };

/**
 * What the V2 → V3 hop prepares before converting rows (on disk, in key order): which users, policies, folders and
 * files V3 gets, the names that must change to fit V3's unique indexes, and what shares and the file tree point at.
 */
export function lookups2to3(src: PrepareBuilder<V2>) {
  // V3's settings.name is unique: a repeated V2 option keeps its first row. "First of its kind" is a remap whose
  // groups take the id of their first row (so a row is first when the remap gives it its own id): unlike a lookup
  // keyed by name, a repeat is then expected, not a duplicate key.
  const optionFirst = src.remap('sd_options', { key: (o) => o.id, id: (o) => o.id, sameAs: (o) => o.option_name });
  const option = src.lookup('sd_options', {
    key: (o) => o.option_name,
    value: (o) => o.option_value,
    where: (o, ctx) => ctx.use(optionFirst).get(o.id) === o.id,
  });
  const user = src.lookup('sd_users', { key: (u) => u.id, value: () => true });
  const group = src.lookup('sd_groups', { key: (g) => g.id, value: () => true });
  const policyType = src.lookup('sd_policy', { key: (p) => p.id, value: (p) => p.policy_type });
  const folderExists = src.lookup('sd_folders', { key: (f) => f.id, value: () => true });
  // Folders V3 gets, with their owner's id.
  const liveFolder = src.lookup('sd_folders', {
    key: (f) => f.id,
    value: (f) => ownerId(f.owner),
    where: (f, ctx) => folderOrphan(f, ctx.use(user), ctx.use(folderExists)) === undefined,
  });
  // V3 has a unique (name, parent_id) on folders: the first folder of a name in a parent keeps it.
  const folderFirst = src.remap('sd_folders', {
    key: (f) => f.id,
    id: (f) => f.id,
    sameAs: (f) => [f.parent_folder, nameKey(f.folder_name)],
    where: (f, ctx) => f.parent_folder !== 0 && ctx.use(liveFolder).has(f.id),
  });
  const fileCarried = (f: V2['sd_files'], ctx: RowContext) =>
    fileOrphan(f, ctx.use(liveFolder), ctx.use(user), ctx.use(policyType)) === undefined;
  // …and a unique (name, user_id, folder_id) on files.
  const fileFirst = src.remap('sd_files', {
    key: (f) => f.id,
    id: (f) => f.id,
    sameAs: (f) => [f.parent_folder, f.upload_user, nameKey(f.orign_name)],
    where: fileCarried,
  });
  // Built in this order (an item may use those before it).
  return {
    optionFirst,
    option,
    user,
    group,
    policyType,
    folderExists,
    liveFolder,
    folderFirst,
    fileFirst,
    // The names V2 folders and files keep (the first of each), for renames that would meet one of them.
    folderNames: src.lookup('sd_folders', {
      key: (f) => [f.parent_folder, nameKey(f.folder_name)] as [number, string],
      value: (f) => f.id,
      where: (f, ctx) => ctx.use(folderFirst).get(f.id) === f.id,
    }),
    fileNames: src.lookup('sd_files', {
      key: (f) => [f.parent_folder, f.upload_user, nameKey(f.orign_name)] as [number, number, string],
      value: (f) => f.id,
      where: (f, ctx) => ctx.use(fileFirst).get(f.id) === f.id,
    }),
    // The file each file share points at, with its name in V3.
    fileName: src.lookup('sd_files', { key: (f) => f.id, value: (f, ctx) => fileName(f, ctx.use(fileFirst)), where: fileCarried }),
    // The folder each folder share points at: V2 names it by its owner and full path (position_absolute); of two
    // folders at one path (a repeated name), the first.
    folderAt: src.lookup('sd_folders', {
      key: (f) => [ownerId(f.owner) ?? 0, f.position_absolute] as [number, string],
      value: (f, ctx) => ({ id: f.id, name: folderName(f, ctx.use(folderFirst)) }),
      where: (f, ctx) => ctx.use(liveFolder).has(f.id) && (f.parent_folder === 0 || ctx.use(folderFirst).get(f.id) === f.id),
    }),
    // Each user's root folder (V3 finds a user's files from it).
    rootOf: src.lookup('sd_folders', {
      key: (f) => ownerId(f.owner) ?? 0,
      value: (f) => f.id,
      where: (f, ctx) => f.parent_folder === 0 && ctx.use(liveFolder).has(f.id),
    }),
    // Local files by their stored name, for their thumbnails in the file tree.
    localFile: src.lookup('sd_files', {
      key: (f) => f.pre_name,
      value: (f) => f.id,
      where: (f, ctx) => fileCarried(f, ctx) && ctx.use(policyType).get(f.policy_id) === 'local',
    }),
    // Uploaded avatars (`f.<savename>`) by their file name, for the file tree.
    avatarOwner: src.lookup('sd_users', { key: (u) => u.avatar.slice(2), value: (u) => u.id, where: (u) => u.avatar.startsWith('f.') }),
    // V3's users.email is unique; MySQL compared V2's emails without case, so V2 kept one per spelling.
    emailOwner: src.lookup('sd_users', { key: (u) => emailKey(u.user_email), value: (u) => u.id }),
    // The one sd_options row V3's master node is made from (V2 has no nodes).
    versionRow: src.aggregate('sd_options', 0, (acc, o) =>
      o.option_name === 'database_version' && (acc === 0 || o.id < acc) ? o.id : acc,
    ),
    // The time rows V2 kept no time for (groups, policies, settings, the node) get: its first user's registration.
    installedAt: src.aggregate('sd_users', null as string | null, (acc, u) => {
      const t = v3Time(u.user_date);
      return t !== null && (acc === null || t < acc) ? t : acc;
    }),
  };
}

/** The hop's prepared items, as conversions and checks see them. */
export type Lookups2to3 = ReturnType<typeof lookups2to3>;

/** A V2 owner (text) as a user id, or null when it is not a number. */
export function ownerId(owner: string): number | null {
  const t = owner.trim();
  return /^\d{1,15}$/.test(t) ? Number(t) : null;
}

/** Why a V2 folder cannot be carried (an orphan), or undefined. */
export function folderOrphan(
  f: V2['sd_folders'],
  user: Lookup<number, boolean>,
  folderExists: Lookup<number, boolean>,
): keyof typeof FOLDER_ORPHANS | undefined {
  const owner = ownerId(f.owner);
  if (owner === null) return 'owner-text';
  if (!user.has(owner)) return 'owner';
  if (f.parent_folder !== 0 && !folderExists.has(f.parent_folder)) return 'parent';
  return undefined;
}

export const FOLDER_ORPHANS = {
  'owner-text': 'its owner is not a user id',
  owner: 'its owner does not exist',
  parent: 'its parent folder does not exist',
} as const;

/** Why a V2 file cannot be carried (an orphan), or undefined. */
export function fileOrphan(
  f: V2['sd_files'],
  liveFolder: Lookup<number, number | null>,
  user: Lookup<number, boolean>,
  policyType: Lookup<number, string>,
): keyof typeof FILE_ORPHANS | undefined {
  if (!liveFolder.has(f.parent_folder)) return 'folder';
  if (!user.has(f.upload_user)) return 'owner';
  if (!policyType.has(f.policy_id)) return 'policy';
  return undefined;
}

export const FILE_ORPHANS = {
  folder: 'its folder is not carried',
  owner: 'its owner does not exist',
  policy: 'its storage policy does not exist',
} as const;

/**
 * A name as V3's unique indexes compare it: exactly on SQLite, PostgreSQL and ferry's MySQL tables (binary
 * collation), except that MySQL/MariaDB ignore trailing spaces.
 */
export function nameKey(name: string): string {
  return name.replace(/ +$/, '');
}

/** An email as V2 (MySQL, case-insensitive) and V3 compare it. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A file's name in V3: its own, unless an earlier file of the same folder and owner has it (`first` gives it another
 * row's id) — V2 allowed that, V3's unique index does not — then `<id>_<name>`, as V4's migrator renames conflicts.
 */
export function fileName(f: V2['sd_files'], first: Remap<number>): string {
  const winner = first.get(f.id);
  return winner === undefined || winner === f.id ? f.orign_name : `${f.id}_${f.orign_name}`;
}

/** A folder's name in V3: `/` for a root; otherwise as for files (`<id>_<name>` for a repeated name). */
export function folderName(f: V2['sd_folders'], first: Remap<number>): string {
  if (f.parent_folder === 0) return '/';
  const winner = first.get(f.id);
  return winner === undefined || winner === f.id ? f.folder_name : `${f.id}_${f.folder_name}`;
}

/**
 * A V2 time as V3 stores it: `YYYY-MM-DD HH:MM:SS`. DATETIME columns are kept as written (PHP's local time);
 * TIMESTAMP ones arrive in UTC (`+00:00`) and are kept in UTC. MySQL's zero date (non-strict V2 could write it)
 * and anything unreadable is NULL.
 */
export function v3Time(value: string | null): string | null {
  if (value === null) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m;
  if (Number(y) === 0 || Number(mo) === 0 || Number(d) === 0) return null;
  if (!zone || zone === 'Z' || /^[+-]00:?00$/.test(zone)) return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.replace(/[+:-]/g, '');
  const ms =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) -
    sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** V2 group ids 2 (guest) and 3 (registered) are V3's 3 (anonymous) and 2 (user): reference §1.3, §5.2. */
export function v3GroupId(v2Id: number): number {
  return v2Id === 2 ? 3 : v2Id === 3 ? 2 : v2Id;
}
