import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineHop, type RowContext } from '../../src/upgrade/index.js';
import { checks2to3 } from './checks-2-to-3.js';
import {
  FILE_ORPHANS,
  FOLDER_ORPHANS,
  fileName,
  fileOrphan,
  folderName,
  folderOrphan,
  lookups2to3,
  ownerId,
  v3GroupId,
  v3Time,
  type Lookups2to3,
  type V2,
} from './lookups-2-to-3.js';
import { v3 } from './schemas/v3.js';
import { v2 } from './schemas/v2.js';
import { CARRIED_OPTIONS, CHANGED_OPTIONS, DROPPED_OPTIONS } from './settings-2-to-3.js';
import { omitEmpty, parseJson } from './v4-values.js';

type L = RowContext<Lookups2to3>;

/** gorm.Model's times for a V3 row made from a V2 one. */
const at = (time: string | null) => ({ created_at: time, updated_at: time, deleted_at: null });

/** V3's chunk size for uploads (its default policy has 25 MiB; V2 had none). */
const CHUNK_SIZE = 26214400;

/**
 * Cloudreve 2.0.0-Alpha1 → 3.8: a mapping derived from the two schemas and the documented facts (reference §5; the
 * official tool's source is not public). Users, groups, policies, folders, files and shares keep their ids; V2's
 * group ids 2 (guest) and 3 (registered) become V3's 3 (anonymous) and 2 (user); passwords keep V2's md5 in V3's
 * compatibility format; local files stay where they are (V3 runs from the V2 root), so their paths gain V2's
 * `public/uploads/` prefix. Policies the official tool does not support (S3, remote) are blockers.
 *
 * The hop writes no `db_version_3.8.1` row, on purpose: with it, V3 would skip the seeding it does on its first
 * start and run without the ~100 default settings V2 has no counterpart for (its secret key among them: signed
 * URLs would use an empty key). Without it, V3's first start adds exactly what is missing — its default settings,
 * and any of group 1–3, policy 1, user 1 or node 1 the source lacks — and then records its version.
 */
export const hop2to3 = defineHop({
  from: '2.0.0-Alpha1',
  to: '3.8',
  source: v2,
  target: v3,

  lookups: lookups2to3,

  checks: checks2to3,

  tables: {
    users: (t) =>
      t.from('sd_users', {
        dropColumns: {
          group_primary: 'timed group membership: V3 has no timed groups',
          delay_time: 'timed group membership: V3 has no timed groups',
          webdav_key:
            "V2's WebDAV credentials (a digest of the sign-in password) cannot become V3 WebDAV accounts: users create them again",
        },
        omit: { two_step: 'counted by the two-factor check: only users who turned it on lose something' },
        row: (u, ctx) => {
          const activated = u.user_activation_key === 'n';
          return {
            id: u.id,
            ...at(v3Time(u.user_date)),
            email: u.user_email,
            nick: u.user_nick,
            // V3 verifies `md5:<md5(salt + password)>:<salt>` as V2 did (reference §7).
            password: `md5:${u.user_pass}:${ctx.inputs.v2Salt ?? 'sdshare'}`,
            // V2's 1 is "not activated" while the activation key is pending, else "banned".
            status: u.user_status === 0 ? 0 : activated ? 2 : 1,
            group_id: v3GroupId(u.user_group),
            storage: u.used_storage,
            two_factor: '',
            avatar: u.avatar.startsWith('g.') ? 'gravatar' : u.avatar.startsWith('f.') ? 'file' : '',
            options: userOptions(u),
            // NULL, not gorm's '': nothing to carry, and nothing for the V3 → V4 hop to count as lost.
            authn: null,
          };
        },
      }),

    settings: (t) =>
      t.settings('sd_options', {
        key: 'option_name',
        value: 'option_value',
        rename: Object.fromEntries(Object.entries(CARRIED_OPTIONS).filter(([from, to]) => from !== to)),
        change: CHANGED_OPTIONS,
        drop: DROPPED_OPTIONS,
        dropRows: {
          'a repeated option: its first row is carried': (o, ctx) => ctx.lookups.optionFirst.get(o.id) !== o.id,
          'unsupported setting: V3 has no such setting': (o) => !(o.option_name in CARRIED_OPTIONS),
        },
        row: (s, ctx) => ({
          id: s.source!.id,
          ...at(ctx.lookups.installedAt),
          // For every carried key V2's option type is V3's (basic, register, mail, login, avatar, share, file_edit).
          type: s.source!.option_type,
          name: s.key,
          value: s.value,
        }),
      }),

    groups: (t) =>
      t.from('sd_groups', {
        dropColumns: {
          grade_policy: 'unused by V2',
          color: 'V3 groups have no badge colour',
          policy_list: "V3 takes a group's storage policy from policy_name",
          range_transfer: 'V3 always serves range requests',
        },
        row: (g, ctx) => {
          const id = v3GroupId(g.id);
          return {
            id,
            ...at(ctx.lookups.installedAt),
            name: g.group_name,
            policies: JSON.stringify([g.policy_name]),
            max_storage: g.max_storage,
            share_enabled: g.allow_share,
            web_dav_enabled: g.webdav,
            speed_limit: speedLimit(g.speed),
            options: groupOptions(id, g.aria2, ctx.lookups.option.get('allowdVisitorDownload')),
          };
        },
      }),

    policies: (t) =>
      t.from('sd_policy', {
        row: (p, ctx) => {
          const { op_name, op_pwd } = p;
          const local = p.policy_type === 'local';
          const upyun = p.policy_type === 'upyun';
          return {
            id: p.id,
            ...at(ctx.lookups.installedAt),
            name: p.policy_name,
            type: p.policy_type,
            // A local policy's server is V2's own upload route, and its url the public path of public/uploads,
            // which V3 does not serve: V3 would send direct links there (it reads base_url as a CDN).
            server: local ? '' : p.server,
            bucket_name: p.bucketname,
            is_private: p.bucket_private,
            base_url: local ? '' : p.url,
            // Upyun: V3 signs with the operator; V2's form-API key becomes options.token.
            access_key: upyun ? op_name : p.ak,
            secret_key: upyun ? op_pwd : p.sk,
            max_size: p.max_size,
            auto_rename: p.autoname,
            // V3 resolves local paths against its own folder, the V2 root: new uploads go where V2 put them.
            dir_name_rule: local ? `public/uploads/${p.dirrule.replace(/^\/+/, '')}` : p.dirrule,
            file_name_rule: p.namerule,
            is_origin_link_enable: p.origin_link,
            // PolicyOption in V3's struct order; token, file_type, mimetype and s3_path_style are always written.
            options: omitEmpty(
              {
                token: upyun ? p.sk : '',
                file_type: fileTypes(p.filetype),
                mimetype: p.mimetype.trim() === '0' ? '' : p.mimetype,
                chunk_size: CHUNK_SIZE,
                s3_path_style: false,
              },
              ['token', 'file_type', 'mimetype', 's3_path_style'],
            ),
          };
        },
      }),

    folders: (t) =>
      t.from('sd_folders', {
        orphans: orphanReasons(FOLDER_ORPHANS, (f: V2['sd_folders'], ctx: L) =>
          folderOrphan(f, ctx.lookups.user, ctx.lookups.folderExists),
        ),
        omit: {
          position: 'V3 derives paths from parent ids',
          position_absolute: 'V3 derives paths from parent ids (shares of folders are resolved by it)',
        },
        row: (f, ctx) => ({
          id: f.id,
          ...at(v3Time(f.date)),
          name: folderName(f, ctx.lookups.folderFirst),
          parent_id: f.parent_folder === 0 ? null : f.parent_folder,
          owner_id: ownerId(f.owner),
        }),
      }),

    files: (t) =>
      t.from('sd_files', {
        orphans: orphanReasons(FILE_ORPHANS, (f: V2['sd_files'], ctx: L) =>
          fileOrphan(f, ctx.lookups.liveFolder, ctx.lookups.user, ctx.lookups.policyType),
        ),
        omit: { dir: 'redundant with parent_folder: V3 derives paths from folder ids' },
        row: (f, ctx) => {
          const local = ctx.lookups.policyType.get(f.policy_id) === 'local';
          const source = local ? `public/uploads/${f.pre_name}` : f.pre_name;
          return {
            id: f.id,
            ...at(v3Time(f.upload_date)),
            name: fileName(f, ctx.lookups.fileFirst),
            source_name: source,
            user_id: f.upload_user,
            size: f.size,
            pic_info: picInfo(f.pic_info),
            folder_id: f.parent_folder,
            policy_id: f.policy_id,
            upload_session_id: null,
            metadata: local && hasThumbnail(ctx.inputs.v3Root, f.pre_name) ? SIDECAR : null,
          };
        },
      }),

    shares: (t) =>
      t.from('sd_shares', {
        orphans: {
          'its owner does not exist': (s, ctx) => !ctx.lookups.user.has(s.owner),
          'what it shares does not exist (or is not carried)': (s, ctx) => shareTarget(s, ctx) === undefined,
        },
        dropColumns: { share_key: 'V2 share links (/s/<key>) cannot survive: V3 share links are hash ids of the share id' },
        omit: { origin_name: "V3 names a share after what it points to, by that file or folder's current name" },
        row: (s, ctx) => {
          const target = shareTarget(s, ctx)!;
          return {
            id: s.id,
            ...at(v3Time(s.share_time)),
            // V2 asks for the password of a private share only; a public one stores "0".
            password: s.type === 'private' && s.share_pwd !== '0' ? s.share_pwd : '',
            is_dir: s.source_type === 'dir',
            user_id: s.owner,
            source_id: target.id,
            views: s.view_num,
            downloads: s.download_num,
            remain_downloads: -1,
            expires: null,
            preview_enabled: true,
            source_name: target.name,
          };
        },
      }),

    // V2 keeps no tasks, downloads (sd_download is dropped), tags, WebDAV accounts or direct links V3 can use.
    tasks: (t) => t.merge(),
    downloads: (t) => t.merge(),
    tags: (t) => t.merge(),
    webdavs: (t) => t.merge(),
    source_links: (t) => t.merge(),

    // V2 has no nodes; V3 needs its master node (id 1), made here from the one row every V2 database has, its
    // database_version option. V2's aria2 settings become the node's aria2 options, as V3 3.4's own upgrade did.
    nodes: (t) =>
      t.from('sd_options', {
        where: (o, ctx) => o.id === ctx.lookups.versionRow,
        row: (_o, ctx) => {
          const option = (name: string) => (ctx.lookups.option.get(name) ?? '').trim();
          const server = option('aria2_rpcurl');
          const extra = parseJson(option('aria2_options'));
          const hasExtra = typeof extra === 'object' && extra !== null && Object.keys(extra).length > 0;
          return {
            id: 1,
            ...at(ctx.lookups.installedAt),
            status: 0,
            name: 'Master (Local machine)',
            type: 1,
            // NULL rather than gorm's '': nothing for the V3 → V4 hop to count as lost.
            server: null,
            slave_key: null,
            master_key: null,
            aria2_enabled: server !== '',
            // Aria2Option in V3's struct order, every key omitempty; V3's master node gets interval and timeout 10.
            aria2_options: omitEmpty(
              server === ''
                ? { interval: 10, timeout: 10 }
                : {
                    server,
                    token: option('aria2_token'),
                    temp_path: option('aria2_tmppath'),
                    options: hasExtra ? JSON.stringify(extra) : undefined,
                    interval: 10,
                    timeout: 10,
                  },
            ),
            rank: 0,
          };
        },
      }),
  },

  droppedTables: {
    sd_callback: 'pending upload callbacks of cloud policies: uploads in progress are not carried',
    sd_chunks: 'pieces of unfinished chunked uploads',
    sd_corn: 'timed tasks (V3 schedules its own)',
    sd_download: 'offline download (aria2) records',
    sd_task: "V2's OneDrive/remote upload queue",
    sd_storage_pack: 'purchased storage packs: V3 (community) has none',
  },

  // V3 runs from the V2 root, so V2's tree stays where it is, except avatars (V3 keeps three sizes per user as
  // <avatar_path>/avatar_<uid>_<0|1|2>.png; avatar_path is V3's setting, `avatar` by default, which V2 has no
  // counterpart for) and thumbnails (V3 looks for <source_name>._thumb beside the file).
  files: (path, ctx) => {
    const avatar = /^public\/avatars\/(.+)$/.exec(path);
    if (avatar) {
      const name = avatar[1]!;
      for (const [suffix, size] of AVATAR_SIZES) {
        if (!name.endsWith(suffix)) continue;
        const uid = ctx.lookups.avatarOwner.get(name.slice(0, name.length - suffix.length));
        if (uid !== undefined) return `avatar/avatar_${uid}_${size}.png`;
      }
      return { drop: 'an avatar no V2 user has' };
    }
    const thumb = /^public\/thumb\/(.+)_thumb$/.exec(path);
    if (thumb) {
      if (!ctx.lookups.localFile.has(thumb[1]!)) return { drop: 'the thumbnail of a file that is not carried' };
      return `public/uploads/${thumb[1]!}._thumb`;
    }
    if (path.startsWith('public/uploads/chunks/')) return { drop: 'pieces of an unfinished upload' };
    return path;
  },
});

/** V2 avatar file suffixes → V3 sizes: the 200 px one (no suffix) is 2, 130 px is 1, 50 px is 0. */
const AVATAR_SIZES: readonly [string, number][] = [
  ['', 2],
  ['_130', 1],
  ['_50', 0],
];

/** V3's files.metadata for a thumbnail beside the file (Go marshals map keys sorted). */
const SIDECAR = '{"thumb_sidecar":"true","thumb_status":"exist"}';

/**
 * Whether V2 made a thumbnail for a local file, which the database does not say: only when the V2 root (which V3
 * runs from) is given as `--set v3Root=…`, by finding it there — where V3 looks for it (`<source_name>._thumb`),
 * or still where V2 kept it (`public/thumb/<pre_name>_thumb`), which the hop's file map (`--files`) carries to
 * V3's place. Without the folder, metadata stays NULL and V3 makes the thumbnail again when it is first shown.
 */
function hasThumbnail(root: string | undefined, preName: string): boolean {
  if (root === undefined || root === '') return false;
  return existsSync(join(root, 'public', 'uploads', `${preName}._thumb`)) || existsSync(join(root, 'public', 'thumb', `${preName}_thumb`));
}

/** V3's UserOption (struct order, omitempty) from V2's profile switch and options JSON. */
function userOptions(u: V2['sd_users']): string {
  const v2 = (parseJson(u.options) ?? {}) as { preferTheme?: unknown };
  return omitEmpty({ profile_off: !u.profile, preferred_theme: typeof v2.preferTheme === 'string' ? v2.preferTheme : undefined });
}

/** V2 speed (KB/s; '' unlimited) → V3 speed_limit (bytes/s; 0 unlimited). V2's '0' (blocked) has no V3 form. */
function speedLimit(speed: string): number {
  const kb = Number(speed.trim());
  if (speed.trim() === '' || !Number.isFinite(kb) || kb <= 0) return 0;
  return Math.min(Math.round(kb * 1024), 2 ** 31 - 1);
}

/**
 * V3's GroupOption (struct order, every key omitempty). V2 had only the aria2 switches ("1,1,1") and, for guests,
 * the allowdVisitorDownload option; V3's own features (archives, batch source links, redirected links, advanced
 * delete) get what a fresh V3 gives its seeded groups: admin (1), user (2, and every other group), anonymous (3).
 */
function groupOptions(id: number, aria2: string, visitorDownload: string | undefined): string {
  const offline = aria2.split(',').some((flag) => flag.trim() === '1');
  const admin = id === 1;
  if (id === 3) return omitEmpty({ share_download: visitorDownload?.trim() === 'true', aria2: offline });
  return omitEmpty({
    archive_download: admin,
    archive_task: admin,
    share_download: true,
    aria2: offline,
    source_batch: admin ? 1000 : 10,
    redirected_source: true,
    aria2_batch: admin ? 50 : 1,
    advance_delete: admin,
  });
}

/** V2's allowed types, `[{"title":…,"ext":"jpg,png"}]`, as V3's list of extensions (null: any). */
function fileTypes(filetype: string): string[] | null {
  const list = parseJson(filetype);
  if (!Array.isArray(list)) return null;
  const exts = list.flatMap((t: unknown) =>
    typeof t === 'object' && t !== null && typeof (t as { ext?: unknown }).ext === 'string'
      ? (t as { ext: string }).ext
          .split(',')
          .map((e) => e.trim().replace(/^\./, '').toLowerCase())
          .filter(Boolean)
      : [],
  );
  return exts.length > 0 ? [...new Set(exts)] : null;
}

/** "width,height" for images; V2's placeholders (" ", "0,0", "null,null") become V3's "". */
function picInfo(info: string): string {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(info);
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? `${Number(m[1])},${Number(m[2])}` : '';
}

/** What a V2 share points at in V3: a file by its id, a folder by its owner and full path. */
function shareTarget(s: V2['sd_shares'], ctx: L): { id: number; name: string } | undefined {
  if (s.source_type === 'dir') return ctx.lookups.folderAt.get([s.owner, s.source_name]) as { id: number; name: string } | undefined;
  if (!/^\d{1,15}$/.test(s.source_name.trim())) return undefined;
  const id = Number(s.source_name.trim());
  const name = ctx.lookups.fileName.get(id);
  return name === undefined ? undefined : { id, name };
}

/** One orphan predicate per reason, from a function that names the reason (so each row is counted once). */
function orphanReasons<R, C>(reasons: Readonly<Record<string, string>>, why: (row: R, ctx: C) => string | undefined) {
  return Object.fromEntries(Object.entries(reasons).map(([code, text]) => [text, (row: R, ctx: C) => why(row, ctx) === code]));
}
