import { statSync } from 'node:fs';
import { join } from 'node:path';
import { defineHop } from '../../src/upgrade/index.js';
import { checks3to4 } from './checks-3-to-4.js';
import { conflictsWithFolder, isMd5Password, lookups3to4 } from './lookups-3-to-4.js';
import { v3 } from './schemas/v3.js';
import { v4 } from './schemas/v4.js';
import { DROPPED_SETTINGS, RENAMED_SETTINGS, THUMB_SIZE_KEYS } from './settings-3-to-4.js';
import { DAV, GROUP, NODE, USER_STATUS, boolset, omitEmpty, parseJson, times, v4Time } from './v4-values.js';

/** V3 rows are soft-deleted by setting deleted_at; V3 itself (and the official migrator) never reads them again. */
const softDeleted = { 'soft-deleted in V3 (V3 no longer shows it)': (r: { deleted_at: string | null }) => r.deleted_at !== null };

/**
 * Cloudreve 3.8 → 4.0, as the official `cloudreve migrate` does it (reference §4), with its aborts turned into
 * preflight blockers and its silent skips into counted findings. Folders keep their ids and files follow them
 * (file id + the highest folder id); share, user and direct-link ids are kept, so with the hash-id salt carried
 * every V3 share and direct link still resolves.
 */
export const hop3to4 = defineHop({
  from: '3.8',
  to: '4.0',
  source: v3,
  target: v4,

  lookups: lookups3to4,

  checks: checks3to4,

  tables: {
    settings: (t) =>
      t.settings('settings', {
        key: 'name',
        value: 'value',
        drop: DROPPED_SETTINGS,
        rename: RENAMED_SETTINGS,
        change: { captcha_type: (v) => (v === 'tcaptcha' ? 'normal' : v) },
        add: {
          // The salt of every share and direct link's hash id: V3 kept it in conf.ini, V4 reads it from here.
          hash_id_salt: (ctx) => ctx.inputs.hashIdSalt,
          ...Object.fromEntries(
            THUMB_SIZE_KEYS.map((k) => [
              k,
              (ctx: { lookups: { setting: { get(k: string): unknown } } }) =>
                ctx.lookups.setting.get('thumb_max_src_size') as string | undefined,
            ]),
          ),
        },
        dropRows: softDeleted,
        dropColumns: { type: 'V4 settings have no type' },
        row: (s, ctx) => ({
          id: s.source ? s.source.id : ctx.lookups.lastSettingId + 1 + s.added,
          ...(s.source ? times(s.source) : { created_at: ctx.lookups.installedAt, updated_at: ctx.lookups.installedAt, deleted_at: null }),
          name: s.key,
          value: s.value,
        }),
      }),

    nodes: (t) =>
      t.merge(
        t.from('nodes', {
          dropRows: softDeleted,
          dropColumns: { master_key: 'V4 nodes have no master key' },
          row: (n) => {
            const master = n.type === 1;
            const aria2 = n.aria2_enabled === true;
            const options = (parseJson(n.aria2_options) ?? {}) as Record<string, unknown>;
            return {
              id: n.id,
              ...times(n),
              status: n.status === 0 ? 'active' : 'suspended',
              name: n.name ?? '',
              type: master ? 'master' : 'slave',
              server: n.server,
              slave_key: n.slave_key,
              capabilities: boolset([
                ...(master ? [NODE.createArchive, NODE.extractArchive] : []),
                ...(aria2 ? [NODE.remoteDownload] : []),
              ]),
              settings: JSON.stringify(
                aria2
                  ? {
                      provider: 'aria2',
                      aria2: {
                        server: options.server ?? '',
                        token: options.token ?? '',
                        options: parseJson(options.options as string | undefined) ?? {},
                        temp_path: options.temp_path ?? '',
                      },
                    }
                  : { provider: 'aria2' },
              ),
              weight: n.rank ?? 0,
            };
          },
        }),
        // V4 reaches a remote storage policy through a slave node: one per remote policy, after the V3 nodes.
        t.from('policies', {
          where: (p) => p.type === 'remote' && p.deleted_at === null,
          row: (p, ctx) => ({
            id: ctx.lookups.lastNodeId + p.id,
            ...times(p),
            status: 'active',
            name: p.name ?? '',
            type: 'slave',
            server: p.server,
            slave_key: p.secret_key,
            capabilities: boolset([]),
            settings: JSON.stringify({ provider: 'aria2' }),
            weight: 0,
          }),
        }),
      ),

    storage_policies: (t) =>
      t.from('policies', {
        dropRows: softDeleted,
        dropColumns: {
          auto_rename: 'V4 always renames stored objects',
          is_origin_link_enable: 'V4 decides direct links per group',
        },
        row: (p, ctx) => ({
          id: p.id,
          ...times(p),
          name: p.name ?? '',
          type: p.type ?? '',
          server: p.server,
          bucket_name: p.bucket_name,
          is_private: p.is_private,
          access_key: p.access_key,
          secret_key: p.secret_key,
          max_size: p.max_size,
          dir_name_rule: p.dir_name_rule || 'uploads/{uid}/{path}',
          file_name_rule: hasRandomPart(p.file_name_rule) ? p.file_name_rule : '{uid}_{randomkey8}_{originname}',
          settings: policySettings(p, ctx.lookups.setting),
          node_id: p.type === 'remote' ? ctx.lookups.lastNodeId + p.id : null,
        }),
      }),

    groups: (t) =>
      t.from('groups', {
        dropRows: softDeleted,
        row: (g, ctx) => {
          const o = (parseJson(g.options) ?? {}) as Record<string, unknown>;
          const ids = ((parseJson(g.policies) ?? []) as number[]).filter((id) => ctx.lookups.livePolicy.has(id));
          const flags = [
            [GROUP.isAdmin, g.id === 1],
            [GROUP.isAnonymous, g.id === 3],
            [GROUP.share, g.share_enabled === true],
            [GROUP.webdav, g.web_dav_enabled === true],
            [GROUP.archiveDownload, o.archive_download === true],
            [GROUP.archiveTask, o.archive_task === true],
            [GROUP.webdavProxy, o.webdav_proxy === true],
            [GROUP.shareDownload, o.share_download === true],
            [GROUP.remoteDownload, o.aria2 === true],
            [GROUP.redirectedSource, o.redirected_source === true],
            [GROUP.advanceDelete, o.advance_delete === true],
          ] as const;
          return {
            id: g.id,
            ...times(g),
            name: g.name ?? '',
            max_storage: g.max_storage,
            speed_limit: g.speed_limit,
            // The migrator touches every flag up to AdvanceDelete, so the set is always two bytes long.
            permissions: boolset(
              flags.filter(([, on]) => on).map(([bit]) => bit),
              GROUP.advanceDelete,
            ),
            settings: omitEmpty({
              compress_size: o.compress_size,
              decompress_size: o.decompress_size,
              remote_download_options: o.aria2_options,
              source_batch: o.source_batch,
              aria2_batch: o.aria2_batch,
              max_walked_files: 100000,
              trash_retention: 604800,
              redirected_source: o.redirected_source,
            }),
            storage_policy_id: ids[0] ?? null,
          };
        },
      }),

    users: (t) =>
      t.from('users', {
        dropRows: softDeleted,
        dropColumns: {
          options: 'theme colours and profile settings: V4 starts users with its defaults',
          authn: 'hardware authenticators (WebAuthn): users register them again in V4',
        },
        row: (u, ctx) => ({
          id: u.id,
          ...times(u),
          email: u.email ?? '',
          nick: u.nick ?? '',
          password: isMd5Password(u.password) && ctx.inputs.md5Passwords === 'clear' ? null : u.password,
          status: USER_STATUS[u.status ?? 0] ?? 'active',
          storage: u.storage ?? 0,
          two_factor_secret: u.two_factor || null,
          avatar: u.avatar || null,
          settings: '{"version_retention":true,"version_retention_max":10}',
          group_users: u.group_id ?? 0,
        }),
      }),

    files: (t) =>
      t.merge(
        // Folders keep their ids; a user's root is named '' in V4.
        t.from('folders', {
          dropRows: softDeleted,
          orphans: {
            'its owner is not carried': (f, ctx) => f.owner_id === null || !ctx.lookups.liveUser.has(f.owner_id),
            'its parent id is 0, which V3 never writes': (f) => f.parent_id === 0,
          },
          row: (f, ctx) => ({
            id: f.id,
            ...times(f),
            type: 1,
            name: f.parent_id === null ? '' : (f.name ?? ''),
            size: 0,
            primary_entity: null,
            is_symbolic: false,
            props: null,
            file_children: f.parent_id !== null && ctx.lookups.liveFolder.has(f.parent_id) ? f.parent_id : null,
            storage_policy_files: null,
            owner_id: f.owner_id ?? 0,
          }),
        }),
        t.from('files', {
          dropRows: softDeleted,
          orphans: {
            'its folder is not carried': (f, ctx) => f.folder_id === null || !ctx.lookups.liveFolder.has(f.folder_id),
            'its owner is not carried': (f, ctx) => f.user_id === null || !ctx.lookups.liveUser.has(f.user_id),
            'its storage policy is not carried': (f, ctx) => f.policy_id === null || !ctx.lookups.livePolicy.has(f.policy_id),
          },
          dropColumns: {
            pic_info: 'V4 reads image sizes again',
            upload_session_id: 'an unfinished upload is carried as an ordinary file',
            metadata: 'V4 keeps the thumbnail (as an entity); other V3 metadata (WebDAV checksums) is not carried',
          },
          omit: { source_name: 'carried by entities' },
          row: (f, ctx) => ({
            id: f.id + ctx.lookups.lastFolderId,
            ...times(f),
            type: 0,
            name: conflictsWithFolder(f, ctx.lookups.folderName) ? `${f.id}_${f.name ?? ''}` : (f.name ?? ''),
            size: f.size ?? 0,
            primary_entity: ctx.lookups.versionEntity.get(f.id) ?? null,
            is_symbolic: false,
            props: null,
            file_children: f.folder_id,
            storage_policy_files: f.policy_id,
            owner_id: f.user_id ?? 0,
          }),
        }),
      ),

    entities: (t) =>
      t.merge(
        t.fromRemap('versionEntity', ({ id, value: e, count }) => ({
          id,
          created_at: e.created_at,
          updated_at: e.updated_at,
          deleted_at: null,
          type: 0,
          source: e.source,
          size: e.size,
          reference_count: count,
          upload_session_id: null,
          recycle_options: null,
          storage_policy_entities: e.policy ?? 0,
          created_by: e.user,
        })),
        t.fromRemap('thumbEntity', ({ id, value: e, count }, ctx) => {
          const source = e.source + (ctx.lookups.setting.get('thumb_file_suffix') ?? '._thumb');
          return {
            id,
            created_at: e.created_at,
            updated_at: e.updated_at,
            deleted_at: null,
            type: 1,
            source,
            size: localSize(ctx.inputs.v3Root, source),
            reference_count: count,
            upload_session_id: null,
            recycle_options: null,
            storage_policy_entities: e.policy ?? 0,
            created_by: e.user,
          };
        }),
      ),

    file_entities: (t) =>
      t.fromEach('files', {
        where: (f, ctx) => ctx.lookups.versionEntity.has(f.id),
        rows: (f, ctx) => {
          const file_id = f.id + ctx.lookups.lastFolderId;
          const thumb = ctx.lookups.thumbEntity.get(f.id);
          const version = { file_id, entity_id: ctx.lookups.versionEntity.get(f.id)! };
          return thumb === undefined ? [version] : [version, { file_id, entity_id: thumb }];
        },
      }),

    shares: (t) =>
      t.from('shares', {
        dropRows: softDeleted,
        orphans: {
          'its owner is not carried': (s, ctx) => s.user_id === null || !ctx.lookups.liveUser.has(s.user_id),
          'what it shares is not carried': (s, ctx) =>
            s.source_id === null || !(s.is_dir ? ctx.lookups.liveFolder.has(s.source_id) : ctx.lookups.versionEntity.has(s.source_id)),
        },
        dropColumns: {
          preview_enabled: 'V4 lets every share be previewed',
          source_name: 'V4 shows what the share points to by its current name',
        },
        row: (s, ctx) => ({
          id: s.id,
          ...times(s),
          password: s.password || null,
          views: s.views ?? 0,
          downloads: s.downloads ?? 0,
          expires: v4Time(s.expires) ?? null,
          // V3's negative "unlimited" is NULL in V4.
          remain_downloads: s.remain_downloads === null || s.remain_downloads < 0 ? null : s.remain_downloads,
          props: null,
          file_shares: s.is_dir ? s.source_id : s.source_id! + ctx.lookups.lastFolderId,
          user_shares: s.user_id,
        }),
      }),

    direct_links: (t) =>
      t.from('source_links', {
        dropRows: softDeleted,
        orphans: { 'its file is not carried': (l, ctx) => l.file_id === null || !ctx.lookups.versionEntity.has(l.file_id) },
        row: (l, ctx) => ({
          id: l.id,
          ...times(l),
          name: l.name ?? '',
          downloads: l.downloads ?? 0,
          speed: 0,
          file_id: l.file_id! + ctx.lookups.lastFolderId,
        }),
      }),

    dav_accounts: (t) =>
      t.from('webdavs', {
        dropRows: softDeleted,
        orphans: { 'its owner is not carried': (w, ctx) => w.user_id === null || !ctx.lookups.liveUser.has(w.user_id) },
        row: (w) => ({
          id: w.id,
          ...times(w),
          name: w.name ?? '',
          uri: `cloudreve://my${w.root ?? '/'}`,
          password: w.password ?? '',
          options: boolset([...(w.readonly ? [DAV.readOnly] : []), ...(w.use_proxy ? [DAV.proxy] : [])]),
          props: '{}',
          owner_id: w.user_id ?? 0,
        }),
      }),

    // The official migrator leaves these empty; so does ferry.
    metadata: (t) => t.merge(),
    passkeys: (t) => t.merge(),
    tasks: (t) => t.merge(),
  },

  droppedTables: {
    tasks: 'background task records: V4 does not carry them',
    downloads: 'remote download records: V4 does not carry them',
    tags: 'custom sidebar entries (tags): V4 has none',
  },

  // Avatars: V3 keeps three sizes as <avatar_path>/avatar_<uid>_<0|1|2>.png; V4 keeps the 200 px one as
  // avatar/avatar_<uid>.png. Every other file (local storage, thumbnails) stays where it is.
  files: (path, ctx) => {
    const avatarPath = String(ctx.lookups.setting.get('avatar_path') ?? 'avatar').replace(/^\.?\/+|\/+$/g, '');
    const avatar = new RegExp(`^${escapeRegExp(avatarPath)}/avatar_(\\d+)_([012])\\.png$`).exec(path);
    if (!avatar) return path;
    if (!ctx.lookups.liveUser.has(Number(avatar[1]))) return { drop: 'the avatar of a user who is not carried' };
    if (avatar[2] !== '2') return { drop: 'V4 keeps one avatar size (the 200 px one)' };
    return `avatar/avatar_${avatar[1]}.png`;
  },
});

/** V4 refuses a file name rule with no random part; the migrator replaces it (reference §4.3). */
function hasRandomPart(rule: string | null): rule is string {
  return rule !== null && /\{randomkey16\}|\{randomkey8\}|\{uuid\}/.test(rule);
}

const THUMB_EXTS: Record<string, string[]> = {
  cos: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp', 'heif', 'heic'],
  oss: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp', 'heic', 'tiff', 'avif'],
  upyun: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp', 'svg'],
  qiniu: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp', 'tiff', 'avif', 'psd'],
  remote: ['png', 'jpg', 'jpeg', 'gif'],
};

/** A V4 PolicySetting from V3's policy options, in V4's struct order (reference §4.3, Storage policies). */
function policySettings(
  p: { id: number; type: string | null; base_url: string | null; options: string | null },
  setting: { get(key: string): unknown },
): string {
  const o = (parseJson(p.options) ?? {}) as Record<string, unknown>;
  const onedrive = p.type === 'onedrive';
  const proxy = !onedrive && p.base_url ? p.base_url : (o.od_proxy as string | undefined) || undefined;
  const proxied =
    setting.get('thumb_proxy_enabled') === '1' &&
    ((parseJson(setting.get('thumb_proxy_policy') as string) ?? []) as number[]).includes(p.id);
  const settings = {
    token: o.token ?? '',
    file_type: o.file_type ?? null,
    s3_path_style: o.s3_path_style ?? false,
    native_media_processing: false,
    od_redirect: o.od_redirect,
    custom_proxy: proxy !== undefined,
    proxy_server: proxy,
    od_driver: o.od_driver,
    region: o.region,
    server_side_endpoint: o.server_side_endpoint,
    chunk_size: p.type === 'cos' ? 26214400 : o.chunk_size,
    tps_limit: o.tps_limit,
    tps_limit_burst: o.tps_limit_burst,
    thumb_exts: THUMB_EXTS[p.type ?? ''] ?? o.thumb_exts,
    thumb_support_all_exts: onedrive,
    thumb_generator_proxy: proxied,
  };
  return omitEmpty(settings, ['token', 'file_type', 's3_path_style', 'native_media_processing']);
}

/** The size of a local thumbnail, when the V3 folder is known (`--set v3Root=…`); 0 otherwise, as V4 then finds out. */
function localSize(root: string | undefined, source: string): number {
  if (!root) return 0;
  try {
    return statSync(join(root, source)).size;
  } catch {
    return 0;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
