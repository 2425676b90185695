import type { PrepareBuilder, RowContext } from '../../src/upgrade/index.js';
import { v3 } from './schemas/v3.js';
import { EPOCH, parseJson, times, v4Time } from './v4-values.js';

/** The V3 row types, by table. */
export type V3 = NonNullable<(typeof v3)['rowTypes']>;

/**
 * What the V3 → V4 hop prepares before converting rows (on disk, in key order): which users, policies and folders
 * V4 gets, the id offsets, and the entities (one per stored object, so copies share one).
 */
export function lookups3to4(src: PrepareBuilder<V3>) {
  const setting = src.lookup('settings', { key: (s) => s.name, value: (s) => s.value, where: (s) => s.deleted_at === null });
  const liveUser = src.lookup('users', { key: (u) => u.id, value: (u) => u.status ?? 0, where: (u) => u.deleted_at === null });
  const liveGroup = src.lookup('groups', { key: (g) => g.id, value: (g) => g.name, where: (g) => g.deleted_at === null });
  const livePolicy = src.lookup('policies', { key: (p) => p.id, value: (p) => p.type ?? '', where: (p) => p.deleted_at === null });
  // Folders V4 gets: live, owned by a carried user, and not the malformed parent_id 0.
  const liveFolder = src.lookup('folders', {
    key: (f) => f.id,
    value: (f) => f.owner_id,
    where: (f, ctx) => f.deleted_at === null && f.owner_id !== null && ctx.use(liveUser).has(f.owner_id) && f.parent_id !== 0,
  });
  // A file with a folder's name in the same folder must be renamed: V4 has one namespace per folder.
  const folderName = src.lookup('folders', {
    key: (f) => [f.parent_id ?? 0, f.name ?? ''] as [number, string],
    value: (f) => f.id,
    where: (f, ctx) => f.parent_id !== null && ctx.use(liveFolder).has(f.id),
  });
  const fileCarried = (f: V3['files'], ctx: RowContext) =>
    f.deleted_at === null &&
    f.folder_id !== null &&
    ctx.use(liveFolder).has(f.folder_id) &&
    f.user_id !== null &&
    ctx.use(liveUser).has(f.user_id) &&
    f.policy_id !== null &&
    ctx.use(livePolicy).has(f.policy_id);
  const thumbSuffix = (ctx: RowContext) => (ctx.use(setting).get('thumb_file_suffix') as string | null | undefined) ?? '._thumb';
  const lastFileId = src.max('files', 'id');
  // One version entity per stored object: V3's "copy" made several file rows share one source_name.
  const versionEntity = src.remap('files', {
    key: (f) => f.id,
    sameAs: (f) => [f.policy_id ?? 0, f.source_name ?? ''],
    keep: (f) => ({ source: f.source_name ?? '', size: f.size ?? 0, policy: f.policy_id, user: f.user_id, ...times(f) }),
    where: fileCarried,
  });
  return {
    setting,
    liveUser,
    liveGroup,
    livePolicy,
    liveFolder,
    folderName,
    rootFolder: src.lookup('folders', {
      key: (f) => f.id,
      value: (f) => f.owner_id,
      where: (f) => f.parent_id === null && f.deleted_at === null,
    }),
    versionEntity,
    lastFileId,
    // Thumbnails of local policies become a second entity (type 1) beside the content, numbered after every file id.
    thumbEntity: src.remap('files', {
      key: (f) => f.id,
      sameAs: (f, ctx) => [f.policy_id ?? 0, (f.source_name ?? '') + thumbSuffix(ctx)],
      id: (f, ctx) => ctx.use(lastFileId) + ctx.use(versionEntity).get(f.id)!,
      keep: (f) => ({ source: f.source_name ?? '', policy: f.policy_id, user: f.user_id, ...times(f) }),
      where: (f, ctx) => fileCarried(f, ctx) && hasThumbnail(f.metadata) && ctx.use(livePolicy).get(f.policy_id!) === 'local',
    }),
    lastFolderId: src.max('folders', 'id'),
    lastNodeId: src.max('nodes', 'id'),
    lastSettingId: src.max('settings', 'id'),
    // Settings V4 gains get the time the V3 site was installed (its oldest setting), not the time of the run.
    installedAt: src.aggregate('settings', EPOCH, (acc, s) => {
      const t = v4Time(s.created_at);
      return t !== undefined && (acc === EPOCH || t < acc) ? t : acc;
    }),
  };
}

/** The hop's prepared items, as conversions and checks see them. */
export type Lookups3to4 = ReturnType<typeof lookups3to4>;

/** V3 marks a file whose thumbnail was made in its metadata: `{"thumb_status":"exist"}`. */
export function hasThumbnail(metadata: string | null): boolean {
  return (parseJson(metadata) as { thumb_status?: string } | undefined)?.thumb_status === 'exist';
}

/** V3 passwords from V2 (`md5:HASH:SALT`), which V4 4.0.0 cannot verify (reference §7). */
export function isMd5Password(password: string | null): boolean {
  return password !== null && password.startsWith('md5:') && password.split(':').length === 3;
}

/** Whether a V3 file has the name of a folder beside it (V3 allowed it; V4 does not). */
export function conflictsWithFolder(
  f: { folder_id: number | null; name: string | null },
  folderName: { has(key: [number, string]): boolean },
): boolean {
  return f.folder_id !== null && folderName.has([f.folder_id, f.name ?? '']);
}
