/**
 * A realistic, deterministic Cloudreve 3.8.3 database for the pack's tests, `ferry demo` and the benchmark: the
 * rows a long-running V3 site accumulates, including the situations the V3→V4 conversion must handle (reference
 * §4): objects shared by "copied" files, file/folder name clashes, orphans of every kind, soft-deleted rows, V2-era
 * md5 passwords, a share of a root folder, a renamed direct link.
 *
 * Files are written user by user and folder by folder in chunks, so a million of them never sit in memory; only
 * users, shares and direct links (a few percent of the files) are kept until the end.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import {
  Rng,
  THEME_KINDS,
  collationKey,
  email,
  fileName,
  fileSize,
  isImage,
  isVideo,
  nickName,
  picInfo,
  subFolderName,
  topFolder,
  uniqueName,
  type Theme,
} from './random.js';
import { openSink, type Sink, type SinkEngine } from './sink.js';
import { V3_TABLE_NAMES, v3Ddl } from './v3-ddl.js';

export interface V3Options {
  /** File rows to write (default 4000, at least 100). */
  files?: number;
  /** User rows (default files/40, at least 5). */
  users?: number;
  seed?: number;
  /** conf.ini [Database] TablePrefix. */
  prefix?: string;
  /** Where to write avatar_<uid>_{0,1,2}.png for users whose avatar is 'file'. */
  avatarDir?: string;
  /** conf.ini [System] HashIDSalt (default: 64 characters drawn from the seed). */
  hashIdSalt?: string;
}

export interface V3SampleInfo {
  engine: SinkEngine;
  prefix: string;
  seed: number;
  /** What conf.ini [System] HashIDSalt would hold: the database does not. */
  hashIdSalt: string;
  /** Rows written per table, by unprefixed name. */
  counts: Record<string, number>;
  /** Rows written for each special situation, by the names used below (copyRows, fileFolderNameConflicts, …). */
  special: Record<string, number>;
}

/** Every generated user's plaintext password. */
export function v3Password(userId: number): string {
  return `pass-${userId}`;
}

const columns = (own: string) => ['id', 'created_at', 'updated_at', 'deleted_at', ...own.split(' ')];
const COLUMNS: Record<string, string[]> = {
  users: columns('email nick password status group_id storage two_factor avatar options authn'),
  settings: columns('type name value'),
  groups: columns('name policies max_storage share_enabled web_dav_enabled speed_limit options'),
  policies: columns(
    'name type server bucket_name is_private base_url access_key secret_key max_size auto_rename dir_name_rule file_name_rule is_origin_link_enable options',
  ),
  folders: columns('name parent_id owner_id'),
  files: columns('name source_name user_id size pic_info folder_id policy_id upload_session_id metadata'),
  shares: columns('password is_dir user_id source_id views downloads remain_downloads expires preview_enabled source_name'),
  tasks: columns('status type user_id progress error props'),
  downloads: columns('status type source total_size downloaded_size g_id speed parent attrs error dst user_id task_id node_id'),
  tags: columns('name icon color type expression user_id'),
  webdavs: columns('name password user_id root readonly use_proxy'),
  nodes: columns('status name type server slave_key master_key aria2_enabled aria2_options rank'),
  source_links: columns('file_id name downloads'),
};

// ---- Time. The site was installed in March 2021 (V3 3.2), upgraded through 3.4 and 3.8, sampled mid-2024. ----

const DAY = 86_400_000;
const INSTALLED = Date.UTC(2021, 2, 14, 1, 26, 53, 417);
const ARIA2_DROPPED = Date.UTC(2021, 10, 20, 3, 2, 11, 5); // the 3.4.0 upgrade soft-deleted the aria2 settings
const UPGRADED_380 = Date.UTC(2023, 5, 2, 14, 40, 9, 88);
const UPGRADED_381 = Date.UTC(2023, 7, 19, 8, 15, 30, 250);
const NOW = Date.UTC(2024, 5, 28, 10, 0, 0, 0);

/**
 * How V3 writes a time on each engine. SQLite: text in Go's `2006-01-02 15:04:05.999999999-07:00` layout (here in
 * +08:00, trailing zeros of the fraction dropped); PostgreSQL: timestamptz (microseconds); MySQL: TIMESTAMP, whole
 * seconds, sent as UTC on the sink's UTC session.
 */
function timeFormat(engine: SinkEngine): (ms: number) => string {
  const zone = 8 * 3_600_000;
  if (engine === 'mysql') return (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  return (ms) => {
    const iso = new Date(Math.floor(ms) + zone).toISOString();
    const digits = `${iso.slice(20, 23)}${String(subMilli(ms)).padStart(6, '0')}`;
    const fraction = engine === 'postgres' ? digits.slice(0, 6) : digits.replace(/0+$/, '');
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+08:00`;
  };
}

/** Go clocks have nanoseconds: derive the part below the millisecond from the time itself, deterministically. */
function subMilli(ms: number): number {
  return Math.floor(ms * 7919) % 1_000_000;
}

/** A time between two others. */
function between(rng: Rng, from: number, to: number): number {
  return Math.floor(from + rng.next() * Math.max(0, to - from));
}

/** Rows of one table, written in chunks; the four gorm.Model columns come first, times as epoch milliseconds. */
class Table {
  private rows: unknown[][] = [];
  count = 0;

  constructor(
    private readonly sink: Sink,
    private readonly name: string,
    private readonly columns: string[],
    readonly time: (ms: number) => string,
  ) {}

  async add(id: number, created: number, updated: number, deleted: number | null, values: unknown[]): Promise<void> {
    this.rows.push([id, this.time(created), this.time(updated), deleted === null ? null : this.time(deleted), ...values]);
    this.count++;
    if (this.rows.length >= 5_000) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    await this.sink.insert(this.name, this.columns, rows);
  }
}

// ---- Rows written once: settings, nodes, policies, groups. ----

const THEMES = ['#3f51b5', '#2196f3', '#673AB7', '#E91E63', '#FF5722', '#FFC107', '#8BC34A', '#009688', '#607D8B', '#795548'];

function themesJson(): string {
  const secondary = ['#f50057', '#FFC107', '#2196F3', '#42A5F5', '#3F51B5', '#26C6DA', '#FF8A65', '#4DD0E1', '#F06292', '#4CAF50'];
  return `{${THEMES.map((main, i) => `"${main}":{"palette":{"primary":{"main":"${main}"},"secondary":{"main":"${secondary[i]}"}}}`).join(',')}}`;
}

function mailTemplate(title: string, body: string, button: string, link: string): string {
  return (
    '<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head><meta name="viewport" content="width=device-width"/>' +
    `<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/><title>${title}</title>` +
    '<style type="text/css">body{background-color:#f6f6f6;font-family:\'Helvetica Neue\',Helvetica,Arial,sans-serif}</style></head>' +
    `<body><table class="body-wrap"><tr><td class="container" width="600"><div class="content"><h2>${title}</h2>` +
    `<p>亲爱的 <strong>{userName}</strong>：</p><p>${body}</p>` +
    `<p><a href="{${link}}" class="btn-primary">${button}</a></p><p>感谢您选择{siteTitle}。</p>` +
    '<div class="footer">此邮件由系统自动发送，请不要直接回复。</div></div></td></tr></table></body></html>'
  );
}

/**
 * The settings of a 3.8.3 site, as `type|name|value` lines in the order of V3's defaults; `*` values are made
 * below. The owner changed a few defaults: captcha_type, thumb_proxy_*, wopi_*, mail.
 */
const SETTINGS = `
basic|siteURL|https://cloud.example.com
basic|siteName|Example Cloud 云盘
register|register_enabled|1
register|default_group|2
basic|siteKeywords|网盘，网盘
basic|siteDes|Cloudreve
basic|siteTitle|平步云端
basic|siteScript|
basic|siteID|*
mail|fromName|Example Cloud
mail|mail_keepalive|30
mail|fromAdress|no-reply@example.com
mail|smtpHost|smtp.example.com
mail|smtpPort|465
mail|replyTo|support@example.com
mail|smtpUser|no-reply@example.com
mail|smtpPass|*
mail|smtpEncryption|1
file_edit|maxEditSize|52428800
timeout|archive_timeout|600
timeout|download_timeout|600
timeout|preview_timeout|600
timeout|doc_preview_timeout|600
timeout|upload_session_timeout|86400
timeout|slave_api_timeout|60
slave|slave_node_retry|3
slave|slave_ping_interval|60
slave|slave_recover_interval|120
timeout|slave_transfer_timeout|172800
timeout|onedrive_monitor_timeout|600
timeout|share_download_session_timeout|2073600
timeout|onedrive_callback_check|20
timeout|folder_props_timeout|300
retry|chunk_retries|5
timeout|onedrive_source_timeout|1800
upload|reset_after_upload_failed|0
upload|use_temp_chunk_buffer|1
login|login_captcha|0
login|reg_captcha|1
register|email_active|0
mail_template|mail_activation_template|*
login|forget_captcha|0
mail_template|mail_reset_pwd_template|*
mail_template|over_used_template|*
share|hot_share_num|10
avatar|gravatar_server|https://www.gravatar.com/
basic|defaultTheme|#3f51b5
basic|themes|*
timeout|aria2_call_timeout|5
task|max_worker_num|10
task|max_parallel_transfer|4
auth|secret_key|*
path|temp_path|temp
path|avatar_path|avatar
avatar|avatar_size|2097152
avatar|avatar_size_l|200
avatar|avatar_size_m|130
avatar|avatar_size_s|50
view|home_view_method|icon
view|share_view_method|list
cron|cron_garbage_collect|@hourly
cron|cron_recycle_upload_session|@every 1h30m
authn|authn_enabled|1
captcha|captcha_type|tcaptcha
captcha|captcha_height|60
captcha|captcha_width|240
captcha|captcha_mode|3
captcha|captcha_ComplexOfNoiseText|0
captcha|captcha_ComplexOfNoiseDot|0
captcha|captcha_IsShowHollowLine|0
captcha|captcha_IsShowNoiseDot|1
captcha|captcha_IsShowNoiseText|0
captcha|captcha_IsShowSlimeLine|1
captcha|captcha_IsShowSineLine|0
captcha|captcha_CaptchaLen|6
captcha|captcha_ReCaptchaKey|defaultKey
captcha|captcha_ReCaptchaSecret|defaultSecret
captcha|captcha_TCaptcha_CaptchaAppId|2046626881
captcha|captcha_TCaptcha_AppSecretKey|*
captcha|captcha_TCaptcha_SecretId|*
captcha|captcha_TCaptcha_SecretKey|*
thumb|thumb_width|400
thumb|thumb_height|300
thumb|thumb_file_suffix|._thumb
thumb|thumb_max_task_count|-1
thumb|thumb_encode_method|jpg
thumb|thumb_gc_after_gen|0
thumb|thumb_encode_quality|85
thumb|thumb_builtin_enabled|1
thumb|thumb_vips_enabled|0
thumb|thumb_ffmpeg_enabled|1
thumb|thumb_vips_path|vips
thumb|thumb_vips_exts|csv,mat,img,hdr,pbm,pgm,ppm,pfm,pnm,svg,svgz,j2k,jp2,jpt,j2c,jpc,gif,png,jpg,jpeg,jpe,webp,tif,tiff,fits,fit,fts,exr,jxl,pdf,heic,heif,avif
thumb|thumb_ffmpeg_seek|00:00:01.00
thumb|thumb_ffmpeg_path|ffmpeg
thumb|thumb_ffmpeg_exts|3g2,3gp,asf,asx,avi,divx,flv,m2ts,m2v,m4v,mkv,mov,mp4,mpeg,mpg,mts,mxf,ogv,rm,swf,webm,wmv
thumb|thumb_libreoffice_path|soffice
thumb|thumb_libreoffice_enabled|0
thumb|thumb_libreoffice_exts|md,ods,ots,fods,uos,xlsx,xml,xls,xlt,dif,dbf,html,slk,csv,xlsm,docx,dotx,doc,dot,rtf,pptx,ppsx,potx,ppt,pps,pot
thumb|thumb_proxy_enabled|1
thumb|thumb_proxy_policy|[3]
thumb|thumb_max_src_size|31457280
pwa|pwa_small_icon|/static/img/favicon.ico
pwa|pwa_medium_icon|/static/img/logo192.png
pwa|pwa_large_icon|/static/img/logo512.png
pwa|pwa_display|standalone
pwa|pwa_theme_color|#000000
pwa|pwa_background_color|#ffffff
preview|office_preview_service|https://view.officeapps.live.com/op/view.aspx?src={$src}
basic|show_app_promotion|1
timeout|public_resource_maxage|86400
wopi|wopi_enabled|1
wopi|wopi_endpoint|https://office.example.com/hosting/discovery
wopi|wopi_max_size|52428800
wopi|wopi_session_timeout|36000
register|initial_files|[]
payment|wechat_enabled|0
version|db_version_3.8.0-beta1|installed
version|db_version_3.8.1|installed`;

/** Settings the 3.8 upgrades added: their rows are younger than the install. */
const ADDED_IN_38 = new Set([
  'wopi_enabled',
  'wopi_endpoint',
  'wopi_max_size',
  'wopi_session_timeout',
  'thumb_proxy_enabled',
  'thumb_proxy_policy',
]);

/** Settings of V3 < 3.4 that its 3.4.0 upgrade soft-deleted (type aria2); V4's migrator never sees them. */
const ARIA2_DROPPED_SETTINGS = [
  'aria2|aria2_token|your_token',
  'aria2|aria2_rpcurl|http://127.0.0.1:6800/',
  'aria2|aria2_temp_path|/tmp/aria2',
];

function settingRows(rng: Rng): [type: string, name: string, value: string][] {
  const made: Record<string, string> = {
    siteID: rng.uuid(),
    smtpPass: rng.alnum(16),
    mail_activation_template: mailTemplate(
      '激活{siteTitle}账户',
      '感谢您注册{siteTitle}，请点击下方按钮完成账户激活。',
      '激活账户',
      'activationUrl',
    ),
    mail_reset_pwd_template: mailTemplate(
      '重设{siteTitle}密码',
      '请点击下方按钮完成密码重设。如果非你本人操作，请忽略此邮件。',
      '重设密码',
      'resetUrl',
    ),
    over_used_template: mailTemplate(
      '容量超额提醒',
      '由于{overuseReason}，您在{siteTitle}的账户容量使用超出配额。',
      '登录{siteTitle}',
      'siteUrl',
    ),
    themes: themesJson(),
    secret_key: rng.alnum(256),
    captcha_TCaptcha_AppSecretKey: `${rng.alnum(22)}**`,
    captcha_TCaptcha_SecretId: `AKID${rng.alnum(32)}`,
    captcha_TCaptcha_SecretKey: rng.alnum(32),
  };
  return SETTINGS.trim()
    .split('\n')
    .map((line) => {
      const [type, name, value] = line.split('|') as [string, string, string];
      return [type, name, value === '*' ? made[name]! : value];
    });
}

/** encoding/json of V3's PolicyOption: always token, file_type, mimetype, s3_path_style; the rest omitempty. */
function policyOptions(o: {
  fileType?: string[];
  odRedirect?: string;
  odDriver?: string;
  chunkSize?: number;
  placeholderWithSize?: boolean;
}): string {
  const parts = ['"token":""', `"file_type":${o.fileType ? JSON.stringify(o.fileType) : 'null'}`, '"mimetype":""'];
  if (o.odRedirect) parts.push(`"od_redirect":${JSON.stringify(o.odRedirect)}`);
  if (o.odDriver) parts.push(`"od_driver":${JSON.stringify(o.odDriver)}`);
  if (o.chunkSize) parts.push(`"chunk_size":${o.chunkSize}`);
  if (o.placeholderWithSize) parts.push('"placeholder_with_size":true');
  parts.push('"s3_path_style":false');
  return `{${parts.join(',')}}`;
}

const MiB = 1024 * 1024;

/**
 * The policies, as policies-table values after the gorm.Model columns, with their creation and deletion times:
 * 1 the seeded local policy, 2 OneDrive, 3 COS with a CDN base URL, 4 a slave node (remote), 5 a local policy whose
 * rules V4 rewrites (no directory rule, no random part in the name rule), 6 a removed (soft-deleted) Qiniu one.
 */
function policyRows(rng: Rng, slaveSecret: string): [id: number, created: number, deleted: number | null, values: unknown[]][] {
  const upload = ['uploads/{uid}/{path}', '{uid}_{randomkey8}_{originname}'];
  const od = policyOptions({
    odRedirect: 'https://cloud.example.com/api/v3/callback/onedrive/auth',
    odDriver: 'me/drive',
    chunkSize: 50 * MiB,
  });
  return [
    [
      1,
      INSTALLED,
      null,
      ['Default storage policy', 'local', '', '', true, '', '', '', 0, true, ...upload, false, policyOptions({ chunkSize: 25 * MiB })],
    ],
    [2, INSTALLED + 6 * DAY, null, ['OneDrive 个人版', 'onedrive', 'https://graph.microsoft.com/v1.0', rng.uuid(), true, '', `M.C105_BAY.0.U.-${rng.alnum(280)}`, `${rng.alnum(3)}8Q~${rng.alnum(34)}`, 0, true, ...upload, false, od]], // prettier-ignore
    [3, INSTALLED + 9 * DAY, null, ['腾讯云 COS', 'cos', 'https://cr-1250000000.cos.ap-shanghai.myqcloud.com', '', true, 'https://cdn.example.com', `AKID${rng.alnum(32)}`, rng.alnum(32), 4096 * MiB, true, 'uploads/{year}/{month}', '{uid}_{randomkey16}_{originname}', true, policyOptions({ chunkSize: 25 * MiB })]], // prettier-ignore
    [4, INSTALLED + 12 * DAY, null, ['Slave node storage', 'remote', 'https://slave1.example.com', '', true, '', '', slaveSecret, 0, true, ...upload, false, policyOptions({ chunkSize: 25 * MiB, placeholderWithSize: true })]], // prettier-ignore
    [
      5,
      INSTALLED + 15 * DAY,
      null,
      ['Flat archive', 'local', '', '', false, '', '', '', 2048 * MiB, false, '', '{originname}', true, policyOptions({ fileType: [] })],
    ],
    [6, INSTALLED + 18 * DAY, Date.UTC(2023, 0, 9, 6, 0, 0, 321), ['Old Qiniu (removed)', 'qiniu', 'https://up-z2.qiniup.com', 'old-bucket', false, 'https://qiniu-cdn.example.com', rng.alnum(40), rng.alnum(40), 0, true, '{uid}/{date}', '{randomkey16}_{originname}', false, policyOptions({})]], // prettier-ignore
  ];
}

/** The seeded groups (reference §2.6) and one the owner added. GroupOption keys in struct order, omitempty. */
const GROUPS: [id: number, values: unknown[]][] = [
  [1, ['Admin', '[1]', 1073741824, true, true, 0, '{"archive_download":true,"archive_task":true,"share_download":true,"aria2":true,"source_batch":1000,"redirected_source":true,"aria2_batch":50,"advance_delete":true}']], // prettier-ignore
  [2, ['User', '[1]', 1073741824, true, true, 0, '{"share_download":true,"source_batch":10,"redirected_source":true,"aria2_batch":1}']],
  [3, ['Anonymous', '[]', 0, false, false, 0, '{"share_download":true}']],
  [4, ['Friends', '[3,1]', 10737418240, true, true, 1048576, '{"archive_download":true,"compress_size":1073741824,"decompress_size":1073741824,"one_time_download":true,"share_download":true,"aria2":true,"aria2_options":{"max-connection-per-server":"4"},"source_batch":20,"aria2_batch":5,"webdav_proxy":true}']], // prettier-ignore
];

// ---- Users. ----

interface UserPlan {
  id: number;
  email: string;
  nick: string;
  group: number;
  status: number;
  registered: number;
  deleted: number | null;
  password: string;
  twoFactor: string;
  avatar: string;
  options: string;
  authn: string;
  /** Policy ids the user's uploads went to, and their weights. */
  policies: [ids: number[], weights: number[]];
  quota: number;
  storage: number;
}

function v3PasswordHash(rng: Rng, password: string): string {
  const salt = rng.alnum(16);
  return `${salt}:${createHash('sha1')
    .update(password + salt)
    .digest('hex')}`;
}

/** What the V2→V3 upgrade left for users who never changed their password since (reference §7). */
function md5PasswordHash(password: string): string {
  return `md5:${createHash('md5').update(`sdshare${password}`).digest('hex')}:sdshare`;
}

const totpSecret = (rng: Rng) => rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 32);

function authnJson(rng: Rng): string {
  // go-webauthn's Credential list, []byte fields as base64.
  const b64 = (n: number) => Buffer.from(rng.hex(n * 2), 'hex').toString('base64');
  const authenticator = { AAGUID: b64(16), SignCount: rng.int(0, 400), CloneWarning: false };
  return JSON.stringify([{ ID: b64(64), PublicKey: b64(77), AttestationType: rng.pick(['none', 'packed']), Authenticator: authenticator }]);
}

function planUsers(rng: Rng, count: number, mainFiles: number): { users: UserPlan[]; missingUserId: number } {
  // Ids 1..count+1 with one gap: a user deleted for good, whose rows other tables still point at.
  const missingUserId = Math.floor(count / 2) + 1;
  const ids: number[] = [];
  for (let id = 1; ids.length < count; id++) if (id !== missingUserId) ids.push(id);
  const regular = ids.filter((id) => id > 2);
  const softDeleted = new Set(count >= 10 ? [regular[Math.floor(regular.length * 0.75)]!, ids[ids.length - 1]!] : [ids[ids.length - 1]!]);
  const md5 = new Set(regular.filter((id) => !softDeleted.has(id)).slice(0, 2));
  for (const id of regular) if (id % 33 === 7) md5.add(id);

  const users = ids.map((id, index): UserPlan => {
    const admin = id === 1;
    const group = admin ? 1 : id === 2 ? 2 : rng.chance(0.2) ? 4 : 2;
    const registered = admin
      ? INSTALLED + 1_000
      : between(rng, INSTALLED + DAY, INSTALLED + (NOW - INSTALLED) * ((index + 1) / (count + 1)));
    const theme = rng.pick(THEMES);
    const options = ['{}', `{"preferred_theme":"${theme}"}`, '{"profile_off":true}', `{"profile_off":true,"preferred_theme":"${theme}"}`];
    const policies: UserPlan['policies'] = admin
      ? [
          [1, 2, 4, 5],
          [60, 15, 15, 10],
        ]
      : group === 4
        ? [
            [3, 1],
            [70, 30],
          ]
        : rng.weighted<UserPlan['policies']>([[[1], [1]], [[1, 2], [70, 30]], [[1, 4], [50, 50]]], [90, 6, 4]); // prettier-ignore
    return {
      id,
      email: admin ? 'admin@cloudreve.org' : email(rng, id),
      nick: admin ? 'admin' : nickName(rng),
      group,
      status: admin || id === 2 ? 0 : rng.weighted([0, 1, 2, 3], [88, 6, 4, 2]),
      registered,
      deleted: softDeleted.has(id) ? between(rng, registered + 30 * DAY, NOW) : null,
      password: md5.has(id) ? md5PasswordHash(v3Password(id)) : v3PasswordHash(rng, v3Password(id)),
      twoFactor: rng.chance(0.03) ? totpSecret(rng) : '',
      avatar: admin ? 'file' : rng.weighted(['', 'gravatar', 'file'], [55, 25, 20]),
      options: admin ? '{}' : rng.weighted(options, [67, 25, 5, 3]),
      authn: rng.chance(0.02) ? authnJson(rng) : '',
      policies,
      quota: 0,
      storage: 0,
    };
  });

  // Small samples still get one of each situation, on users other than the admin and user 2.
  const others = users.filter((u) => u.id > 2 && u.deleted === null);
  const ensure: [(u: UserPlan) => boolean, (u: UserPlan) => void][] = [
    [(u) => u.group === 4, (u) => ((u.group = 4), (u.policies = [[3, 1], [70, 30]]))], // prettier-ignore
    [(u) => u.status === 1, (u) => (u.status = 1)],
    [(u) => u.status === 2, (u) => (u.status = 2)],
    [(u) => u.status === 3, (u) => (u.status = 3)],
    [(u) => u.twoFactor !== '', (u) => (u.twoFactor = totpSecret(rng))],
    [(u) => u.authn !== '', (u) => (u.authn = authnJson(rng))],
    [(u) => u.avatar === 'gravatar', (u) => (u.avatar = 'gravatar')],
  ];
  ensure.forEach(([has, set], i) => {
    if (!users.some(has) && others.length > 0) set(others[others.length - 1 - (i % others.length)]!);
  });

  // Files per user: heavy-tailed, the admin busier, accounts never activated nearly empty.
  const weights = users.map((u) => rng.pareto() * (u.id === 1 ? 4 : u.status === 1 ? 0.1 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  users.forEach((u, i) => {
    u.quota = Math.floor((mainFiles * weights[i]!) / total);
    given += u.quota;
  });
  for (let i = 0; given < mainFiles; i = (i + 1) % users.length, given++) users[i]!.quota++;
  // User 2 carries several special cases, and a soft-deleted user's share needs a file: give them some.
  for (const u of users) {
    const need = u.id === 2 ? 12 : u.deleted !== null ? 3 : 0;
    while (u.quota < need) {
      const richest = users.reduce((a, b) => (b.quota > a.quota ? b : a));
      if (richest === u || richest.quota <= need) break;
      richest.quota--;
      u.quota++;
    }
  }
  return { users, missingUserId };
}

// ---- Folders. ----

interface FolderPlan {
  id: number;
  name: string;
  /** null for a root; 0 for the one folder an old bug left with parent_id 0. */
  parent: number | null;
  owner: number;
  created: number;
  deleted: number | null;
  theme: Theme;
  depth: number;
  /** The folder's path when it was made; source_names keep it even after the folder moves. */
  path: string;
  childKeys: Set<string>;
  files: number;
  minFiles: number;
}

/** Running counts of the special situations and the next ids, shared by the stages. */
interface State {
  nextFolderId: number;
  nextFileId: number;
  special: Record<string, number>;
}

function bump(state: State, key: string, by = 1): void {
  state.special[key] = (state.special[key] ?? 0) + by;
}

function buildTree(state: State, rng: Rng, user: UserPlan): { folders: FolderPlan[]; gapFolderId?: number } {
  const make = (name: string, parent: FolderPlan | null, theme: Theme, created: number): FolderPlan => ({
    id: state.nextFolderId++,
    name,
    parent: parent ? parent.id : null,
    owner: user.id,
    created,
    deleted: null,
    theme,
    depth: parent ? parent.depth + 1 : 0,
    path: parent ? `${parent.path}/${name}` : '',
    childKeys: new Set(),
    files: 0,
    minFiles: 0,
  });
  const root = make('/', null, 'misc', user.registered);
  const folders = [root];
  // A folder deleted for good right after user 2 made it: its id is a gap that one orphan file still points to.
  const gapFolderId = user.id === 2 ? state.nextFolderId++ : undefined;

  const scale = (user.quota / 9) * (0.6 + rng.next() * 0.8);
  const wanted = user.quota === 0 ? rng.int(0, 2) : Math.min(600, Math.max(user.id === 2 ? 3 : 1, Math.round(scale)));
  for (let i = 0; i < wanted; i++) {
    let parent = root;
    if (!rng.chance(0.4)) {
      for (let tries = 0; tries < 4; tries++) {
        const p = rng.pick(folders);
        if (p.depth < 5) {
          parent = p;
          break;
        }
      }
    }
    let [name, theme]: [string, Theme] = parent === root ? topFolder(rng) : [subFolderName(rng, parent.theme), parent.theme];
    if (parent === root && root.childKeys.has(collationKey(name))) [name, theme] = topFolder(rng);
    name = uniqueName(parent.childKeys, name);
    folders.push(make(name, parent, theme, between(rng, parent.created, parent.created + (NOW - parent.created) * 0.3)));
  }

  // A folder moved into a folder made later: its parent id is larger than its own (a few users).
  const firstLevel = folders.filter((f) => f.parent === root.id);
  if (firstLevel.length >= 2 && ((state.special.movedFolders ?? 0) < 3 || rng.chance(0.03))) {
    const moved = firstLevel[0]!;
    const archiveName = uniqueName(root.childKeys, rng.pick(['Archive 2022', '归档', 'Old projects', 'Moved']));
    const archive = make(archiveName, root, 'misc', between(rng, moved.created, NOW));
    folders.push(archive);
    moved.parent = archive.id;
    archive.childKeys.add(collationKey(moved.name));
    bump(state, 'movedFolders');
  }

  // Soft-deleted subtrees; their files mostly soft-deleted too (some are not: V4 orphans).
  const force = () => (state.special.softDeletedFolderTrees ?? 0) < 2 && user.quota >= 6 && folders.length >= 3;
  for (const f of folders.slice(1)) {
    if (f.deleted !== null || !(force() || rng.chance(0.01))) continue;
    const when = between(rng, f.created + DAY, NOW);
    const subtree = new Set([f.id]);
    for (const g of folders) if (g.parent !== null && subtree.has(g.parent)) subtree.add(g.id);
    for (const g of folders) if (subtree.has(g.id)) g.deleted = Math.max(when, g.created + 60_000);
    f.minFiles = 3;
    bump(state, 'softDeletedFolderTrees');
  }

  // A folder whose parent_id is 0: unreachable, V4 skips it and its files.
  if (user.id === 2) {
    const lost = make('Lost and Found', root, 'misc', between(rng, user.registered, NOW));
    lost.parent = 0;
    lost.minFiles = 2;
    folders.push(lost);
    bump(state, 'folderParentZero');
  }
  return { folders, gapFolderId };
}

function allocateFiles(rng: Rng, folders: FolderPlan[], quota: number): void {
  const weights = folders.map((f) => (f.depth === 0 ? 1.5 : 0.3 + rng.next() * 2.2));
  const total = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  folders.forEach((f, i) => {
    f.files = Math.floor((quota * weights[i]!) / total);
    given += f.files;
  });
  for (; given < quota; given++) rng.pick(folders).files++;
  for (const f of folders) {
    while (f.files < f.minFiles) {
      const donor = folders.reduce((a, b) => (b.files - b.minFiles > a.files - a.minFiles ? b : a));
      if (donor === f || donor.files <= donor.minFiles) break;
      donor.files--;
      f.files++;
    }
  }
}

// ---- Files, shares, direct links. ----

/** A file row's stored object and what goes with it: what a V3 "copy" duplicates. */
interface FileRef {
  name: string;
  source: string;
  policy: number;
  size: number;
  pic: string;
  metadata: string | null;
}

function sourceName(rng: Rng, policy: number, user: UserPlan, folder: FolderPlan, name: string, created: number): string {
  const day = new Date(created).toISOString().slice(0, 10);
  switch (policy) {
    case 3:
      return `uploads/${day.slice(0, 4)}/${day.slice(5, 7)}/${user.id}_${rng.alnum(16)}_${name}`;
    case 5:
      return name;
    case 6:
      return `${user.id}/${day.replace(/-/g, '')}/${rng.alnum(16)}_${name}`;
    default:
      return `uploads/${user.id}${folder.path}/${user.id}_${rng.alnum(8)}_${name}`;
  }
}

/** files.metadata: encoding/json of a map, so keys in sorted order. */
function metadataFor(rng: Rng, name: string): string | null {
  if (isImage(name)) {
    const exist = '{"thumb_status":"exist"}';
    const sidecar = '{"thumb_sidecar":"true","thumb_status":"exist"}';
    const checksum = `{"thumb_status":"exist","webdav_checksum":"SHA1:${rng.hex(40)}"}`;
    return rng.weighted([exist, sidecar, '{"thumb_status":"not_available"}', null, checksum], [55, 15, 10, 18, 2]);
  }
  if (isVideo(name)) return rng.chance(0.3) ? '{"thumb_status":"not_available"}' : null;
  if (rng.chance(0.03)) return `{"webdav_checksum":"SHA1:${rng.hex(40)}"}`;
  return rng.chance(0.02) ? '{"thumb_status":"not_available"}' : null;
}

interface ShareRow {
  /** When the shared file or folder was made. */
  after: number;
  created: number;
  deleted: number | null;
  password: string;
  isDir: boolean;
  userId: number;
  sourceId: number;
  views: number;
  downloads: number;
  remain: number;
  expires: number | null;
  preview: boolean;
  sourceName: string;
}

function shareRow(rng: Rng, isDir: boolean, userId: number, sourceId: number, name: string, after: number): ShareRow {
  const views = rng.chance(0.2) ? 0 : rng.logUniform(1, 20_000);
  return {
    after,
    created: between(rng, after, NOW),
    deleted: null,
    password: rng.chance(0.25) ? rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 6) : '',
    isDir,
    userId,
    sourceId,
    views,
    downloads: Math.floor(views * rng.next() * 0.6),
    remain: rng.weighted([-1, 0, rng.int(1, 10)], [85, 5, 10]),
    expires: null,
    preview: rng.chance(0.7),
    sourceName: name,
  };
}

interface LinkRow {
  created: number;
  fileId: number;
  name: string;
  downloads: number;
}

/** Creates the V3 tables at `url` (which must not have them yet) and fills them. */
export async function generateV3(url: string, options: V3Options = {}): Promise<V3SampleInfo> {
  const files = Math.max(100, Math.floor(options.files ?? 4_000));
  const userCount = Math.max(5, Math.floor(options.users ?? files / 40));
  const seed = options.seed ?? 1;
  const prefix = options.prefix ?? '';
  const root = new Rng(seed);
  const hashIdSalt = options.hashIdSalt ?? root.fork('salt').chars('1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 64);

  const sink = await openSink(url);
  try {
    const existing = await existingTables(
      sink,
      V3_TABLE_NAMES.map((t) => prefix + t),
    );
    if (existing.length > 0)
      throw new Error(`${url} already has Cloudreve V3 tables (${existing.join(', ')}): generate into an empty database`);
    // The tables first, their indexes after the rows: the same schema as gorm's, built faster.
    const ddl = v3Ddl(sink.engine, prefix);
    const tables = ddl.filter((s) => s.startsWith('CREATE TABLE'));
    const indexes = ddl.filter((s) => !s.startsWith('CREATE TABLE'));
    for (const statement of tables) await sink.exec(statement);
    await sink.exec('BEGIN');
    try {
      const info = await fill(sink, { files, userCount, seed, prefix, root, hashIdSalt, avatarDir: options.avatarDir });
      // MySQL commits before any DDL anyway; elsewhere the indexes go in the same transaction.
      if (sink.engine !== 'mysql') for (const statement of indexes) await sink.exec(statement);
      await sink.exec('COMMIT');
      if (sink.engine === 'mysql') for (const statement of indexes) await sink.exec(statement);
      return info;
    } catch (e) {
      await sink.exec('ROLLBACK').catch(() => {});
      throw e;
    }
  } finally {
    await sink.close();
  }
}

async function existingTables(sink: Sink, names: string[]): Promise<string[]> {
  const list = names.map((n) => `'${n}'`).join(',');
  const schema = sink.engine === 'postgres' ? 'current_schema()' : 'database()';
  const sql =
    sink.engine === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${list})`
      : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${schema} AND table_name IN (${list})`;
  return (await sink.query(sql)).map((r) => String(r.name));
}

interface FillArgs {
  files: number;
  userCount: number;
  seed: number;
  prefix: string;
  root: Rng;
  hashIdSalt: string;
  avatarDir?: string;
}

/** File rows beyond the per-folder allocation: 2 upload placeholders, 2 of policy 6, 1 of policy 99, 1 in a missing folder, 1 of a missing user. */
const EXTRA_FILES = 7;

async function fill(sink: Sink, args: FillArgs): Promise<V3SampleInfo> {
  const time = timeFormat(sink.engine);
  const table = (name: string) => new Table(sink, args.prefix + name, COLUMNS[name]!, time);
  const state: State = { nextFolderId: 1, nextFileId: 1, special: {} };
  const counts: Record<string, number> = {};
  const done = async (name: string, t: Table) => {
    await t.flush();
    counts[name] = t.count;
  };

  // Settings (the soft-deleted aria2 ones first: they are older), nodes, policies, groups.
  const rng = args.root.fork('fixed');
  const settings = table('settings');
  for (const line of ARIA2_DROPPED_SETTINGS) {
    await settings.add(settings.count + 1, INSTALLED, INSTALLED, ARIA2_DROPPED, line.split('|'));
    bump(state, 'softDeletedSettings');
  }
  for (const [type, name, value] of settingRows(rng)) {
    const when =
      name === 'db_version_3.8.1' ? UPGRADED_381 : name.startsWith('db_version_') || ADDED_IN_38.has(name) ? UPGRADED_380 : INSTALLED;
    await settings.add(settings.count + 1, when, when, null, [type, name, value]);
  }
  await done('settings', settings);

  const slaveSecret = rng.alnum(64);
  const nodes = table('nodes');
  await nodes.add(1, INSTALLED, INSTALLED, null, [0, 'Master (Local machine)', 1, '', '', '', false, '{"interval":10,"timeout":10}', 0]);
  // aria2_options.options is a string that holds JSON.
  const aria2 = `{"server":"http://127.0.0.1:6800","token":"t0k","temp_path":"/tmp/aria2","options":${JSON.stringify('{"max-connection-per-server":"8"}')},"interval":10,"timeout":10}`;
  await nodes.add(2, UPGRADED_380, UPGRADED_381, null, [
    0,
    'Slave 1',
    0,
    'https://slave1.example.com',
    slaveSecret,
    rng.alnum(64),
    true,
    aria2,
    2,
  ]);
  await done('nodes', nodes);

  const policies = table('policies');
  for (const [id, created, deleted, values] of policyRows(rng, slaveSecret)) {
    await policies.add(id, created, created + DAY, deleted, values);
    if (deleted !== null) bump(state, 'softDeletedPolicies');
  }
  await done('policies', policies);

  const groups = table('groups');
  for (const [id, values] of GROUPS) await groups.add(id, id === 4 ? INSTALLED + 40 * DAY : INSTALLED, INSTALLED + 40 * DAY, null, values);
  await done('groups', groups);

  // Users' folders and files, one user at a time; the users themselves once their storage is known.
  const { users, missingUserId } = planUsers(args.root.fork('users'), args.userCount, args.files - EXTRA_FILES);
  const { shares, links } = await writeTrees(table, args.root, state, users, missingUserId, counts);
  const userTable = table('users');
  const userRng = args.root.fork('user rows');
  for (const u of users) {
    const values = [u.email, u.nick, u.password, u.status, u.group, u.storage, u.twoFactor, u.avatar, u.options, u.authn];
    await userTable.add(u.id, u.registered, between(userRng, u.registered, NOW), u.deleted, values);
    if (u.password.startsWith('md5:')) bump(state, 'md5Passwords');
    if (u.deleted !== null) bump(state, 'softDeletedUsers');
  }
  await done('users', userTable);

  await writeShares(table('shares'), args.root.fork('share rows'), state, shares, counts);
  const linkTable = table('source_links');
  links.push({ created: NOW - 90 * DAY, fileId: state.nextFileId + 8, name: 'gone.mp4', downloads: 12 });
  bump(state, 'sourceLinksOfMissingFiles');
  for (const l of links) await linkTable.add(linkTable.count + 1, l.created, l.created, null, [l.fileId, l.name, l.downloads]);
  await done('source_links', linkTable);

  const webdavs = table('webdavs');
  await writeWebdavs(webdavs, args.root.fork('webdav'), users, missingUserId, state);
  await done('webdavs', webdavs);
  const [tasks, downloads, tags] = [table('tasks'), table('downloads'), table('tags')];
  await writeTasksDownloadsTags(tasks, downloads, tags, args.root.fork('tasks'), users);
  await done('tasks', tasks);
  await done('downloads', downloads);
  await done('tags', tags);

  if (args.avatarDir) bump(state, 'avatarFiles', writeAvatars(args.avatarDir, users));

  if (sink.engine === 'postgres') {
    // Explicit ids leave the serial sequences at 1: move them past the rows, as a running V3 would have them.
    for (const name of V3_TABLE_NAMES) {
      const t = sink.quote(args.prefix + name);
      await sink.exec(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), GREATEST(max(id), 1)) FROM ${t}`);
    }
  }
  const ordered: Record<string, number> = {};
  for (const name of V3_TABLE_NAMES) ordered[name] = counts[name] ?? 0;
  return {
    engine: sink.engine,
    prefix: args.prefix,
    seed: args.seed,
    hashIdSalt: args.hashIdSalt,
    counts: ordered,
    special: state.special,
  };
}

/** Folders and files of every user (and what the missing user left); returns the shares and links to write. */
async function writeTrees(
  table: (name: string) => Table,
  root: Rng,
  state: State,
  users: UserPlan[],
  missingUserId: number,
  counts: Record<string, number>,
): Promise<{ shares: ShareRow[]; links: LinkRow[] }> {
  const folderTable = table('folders');
  const fileTable = table('files');
  const shares: ShareRow[] = [];
  const links: LinkRow[] = [];
  const treeRng = root.fork('folders');
  const fileRng = root.fork('files');
  const shareRng = root.fork('shares');
  const count = (key: string) => state.special[key] ?? 0;
  // Recently written files of everyone: what "save a share to my drive" copies from.
  const pool: FileRef[] = [];
  // Policy 5 stores "{originname}" with no directory: two uploads of one name would share an object by accident.
  const policy5Sources = new Set<string>();
  let missingUserDone = false;

  const addFile = async (
    userId: number,
    folderId: number,
    ref: FileRef,
    created: number,
    deleted: number | null,
    session: string | null = null,
  ) => {
    const id = state.nextFileId++;
    const updated = fileRng.chance(0.15) ? between(fileRng, created, deleted ?? NOW) : created;
    await fileTable.add(id, created, updated, deleted, [
      ref.name,
      ref.source,
      userId,
      ref.size,
      ref.pic,
      folderId,
      ref.policy,
      session,
      ref.metadata,
    ]);
    return id;
  };

  for (const user of users) {
    if (user.id > missingUserId && !missingUserDone) {
      // The user deleted for good left a root folder with a file in it.
      missingUserDone = true;
      const created = between(treeRng, INSTALLED, NOW - 400 * DAY);
      const folderId = state.nextFolderId++;
      await folderTable.add(folderId, created, created, null, ['/', null, missingUserId]);
      const name = 'left behind.pdf';
      const source = `uploads/${missingUserId}/${missingUserId}_${fileRng.alnum(8)}_${name}`;
      await addFile(missingUserId, folderId, { name, source, policy: 1, size: 48_213, pic: '', metadata: null }, created + DAY, null);
      bump(state, 'foldersOfMissingUser');
      bump(state, 'filesOfMissingUser');
    }

    const { folders, gapFolderId } = buildTree(state, treeRng, user);
    allocateFiles(treeRng, folders, user.quota);
    const liveChildren = new Map<number, string[]>();
    for (const f of folders) {
      await folderTable.add(f.id, f.created, f.created, f.deleted, [f.name, f.parent, f.owner]);
      if (f.parent !== null && f.deleted === null) liveChildren.set(f.parent, [...(liveChildren.get(f.parent) ?? []), f.name]);
      if (f.depth > 0 && f.parent !== 0 && f.deleted === null && (count('folderShares') < 2 || shareRng.chance(0.05))) {
        shares.push(shareRow(shareRng, true, user.id, f.id, f.name, f.created));
        bump(state, 'folderShares');
      }
    }
    if (user.id === 2) {
      // A share of the user's root folder: valid in V3, invalid in V4 (the root has no parent).
      shares.push(shareRow(shareRng, true, user.id, folders[0]!.id, '/', folders[0]!.created));
      bump(state, 'rootFolderShares');
    }

    const recent: FileRef[] = [];
    const addUserFile = async (
      folder: FolderPlan,
      ref: FileRef,
      created: number,
      deleted: number | null,
      session: string | null = null,
    ) => {
      if (deleted === null) user.storage += ref.size;
      return addFile(user.id, folder.id, ref, created, deleted, session);
    };
    const newFile = (folder: FolderPlan, name: string, created: number, policy = fileRng.weighted(...user.policies)): FileRef => {
      const source = sourceName(fileRng, policy, user, folder, name, created);
      if (policy === 5 && policy5Sources.has(collationKey(source))) return newFile(folder, name, created, 1);
      if (policy === 5) policy5Sources.add(collationKey(source));
      return { name, source, policy, size: fileSize(fileRng, name), pic: picInfo(fileRng, name), metadata: metadataFor(fileRng, name) };
    };

    for (const folder of folders) {
      const used = new Set<string>();
      const end = folder.deleted ?? NOW;
      const children = liveChildren.get(folder.id) ?? [];
      for (let j = 0; j < folder.files; j++) {
        const created = between(fileRng, folder.created, end);
        let deleted: number | null = null;
        if (folder.deleted !== null) {
          // The first file went with its folder, the second stayed (an orphan for V4), the rest mostly went.
          if (j !== 1 && (j === 0 || fileRng.chance(0.7))) deleted = folder.deleted;
          else bump(state, 'liveFilesInSoftDeletedFolders');
        } else if (fileRng.chance(0.003)) {
          deleted = between(fileRng, created, NOW);
        }

        let ref: FileRef;
        const copy = fileRng.chance(0.02) ? (fileRng.chance(0.75) && recent.length > 0 ? recent : pool) : [];
        if (j === 0 && children.length > 0 && folder.deleted === null && (count('fileFolderNameConflicts') < 3 || fileRng.chance(0.02))) {
          // A file named like a sibling folder: V3 allowed it, V4 renames the file.
          const name = uniqueName(used, fileRng.pick(children));
          ref = { ...newFile(folder, name, created), pic: '', metadata: null };
          deleted = null;
          bump(state, 'fileFolderNameConflicts');
        } else if (copy.length > 0) {
          // V3's "copy" (and saving someone's share) made a new row pointing at the same stored object.
          const from = fileRng.pick(copy);
          ref = { ...from, name: uniqueName(used, from.name) };
          bump(state, 'copyRows');
        } else {
          ref = newFile(folder, uniqueName(used, fileName(fileRng, fileRng.weightedKey(THEME_KINDS[folder.theme]))), created);
        }
        if (deleted !== null) bump(state, 'softDeletedFiles');
        const id = await addUserFile(folder, ref, created, deleted);
        if (folder.parent === 0) bump(state, 'filesInParentZeroFolder');
        if (user.deleted !== null) bump(state, 'filesOfSoftDeletedUsers');

        if (deleted !== null || folder.deleted !== null || folder.parent === 0) continue;
        if (recent.length < 64) recent.push(ref);
        else recent[fileRng.int(0, 63)] = ref;
        if (pool.length < 256) pool.push(ref);
        else if (fileRng.chance(0.05)) pool[fileRng.int(0, 255)] = ref;
        const ownerDeleted = user.deleted !== null && count('sharesOfSoftDeletedUsers') < 1;
        if (ownerDeleted || count('fileShares') < 5 || shareRng.chance(0.02)) {
          shares.push(shareRow(shareRng, false, user.id, id, ref.name, created));
          bump(state, 'fileShares');
          if (user.deleted !== null) bump(state, 'sharesOfSoftDeletedUsers');
        }
        if (count('sourceLinks') < 3 || shareRng.chance(0.01)) {
          // The first link was made before the file got its current name: V4 matches the link's own name.
          const renamed = count('sourceLinks') === 0 || shareRng.chance(0.03);
          const name = renamed ? `draft ${ref.name}` : ref.name;
          links.push({ created: between(shareRng, created, NOW), fileId: id, name, downloads: shareRng.logUniform(1, 5000) - 1 });
          bump(state, 'sourceLinks');
          if (renamed) bump(state, 'sourceLinksRenamed');
        }
      }

      if (user.id === 2 && folder.depth === 0) {
        // Two uploads in progress (placeholders with a session id), then files of a removed and of a missing policy.
        for (const [name, size] of [['uploading video.mp4', 734_003_200] as const, ['big-backup.zip', 2_147_483_648] as const]) {
          const created = between(fileRng, NOW - 2 * DAY, NOW);
          const ref = { ...newFile(folder, uniqueName(used, name), created, 1), size, pic: '', metadata: null };
          await addUserFile(folder, ref, created, null, fileRng.uuid());
          bump(state, 'uploadPlaceholders');
        }
        for (const policy of [6, 6, 99]) {
          const name = uniqueName(used, policy === 99 ? 'from a deleted policy.docx' : 'qiniu-era photo.jpg');
          const created = between(fileRng, INSTALLED + 10 * DAY, UPGRADED_380);
          const source = policy === 99 ? `uploads/2/2_${fileRng.alnum(8)}_${name}` : sourceName(fileRng, 6, user, folder, name, created);
          await addUserFile(folder, { name, source, policy, size: fileSize(fileRng, name), pic: '', metadata: null }, created, null);
          bump(state, policy === 99 ? 'filesOfMissingPolicy' : 'filesOfSoftDeletedPolicy');
        }
      }
    }
    if (gapFolderId !== undefined) {
      const name = 'in a vanished folder.txt';
      const ref = { name, source: `uploads/2/2_${fileRng.alnum(8)}_${name}`, policy: 1, size: 1_234, pic: '', metadata: null };
      user.storage += ref.size;
      await addFile(user.id, gapFolderId, ref, between(fileRng, user.registered, NOW), null);
      bump(state, 'filesOfMissingFolder');
    }
  }
  await folderTable.flush();
  await fileTable.flush();
  counts.folders = folderTable.count;
  counts.files = fileTable.count;
  return { shares, links };
}

/** The shares, with a few situations pinned on the first file shares, and one of a file that no longer exists. */
async function writeShares(t: Table, rng: Rng, state: State, shares: ShareRow[], counts: Record<string, number>): Promise<void> {
  shares.push({ ...shareRow(rng, false, 2, state.nextFileId + 4, 'deleted long ago.pdf', INSTALLED + 60 * DAY), remain: -1 });
  bump(state, 'sharesOfMissingFiles');
  const fileShares = shares.filter((s) => !s.isDir);
  // The expired one was made (and its file before it) well before it expired, a month ago.
  const expired = fileShares.find((s) => s.after < NOW - 40 * DAY) ?? fileShares[0]!;
  const [expiring, limited, deleted, exhausted] = fileShares.filter((s) => s !== expired).slice(0, 4) as [
    ShareRow,
    ShareRow,
    ShareRow,
    ShareRow,
  ];
  const pinned = [expired, expiring, limited, deleted, exhausted];
  expired.created = between(rng, expired.after, Math.min(expired.created, NOW - 35 * DAY));
  expired.expires = NOW - 30 * DAY;
  expiring.expires = NOW + 365 * DAY;
  limited.remain = 5;
  deleted.deleted = NOW - 5 * DAY;
  exhausted.remain = 0;
  for (const s of shares) {
    if (!pinned.includes(s) && rng.chance(0.06)) {
      s.expires = rng.chance(0.6) || s.created > NOW - 2 * DAY ? NOW + rng.int(1, 400) * DAY : between(rng, s.created + DAY, NOW);
    }
    if (!pinned.includes(s) && rng.chance(0.005)) s.deleted = between(rng, s.created, NOW);
    if (s.deleted !== null) bump(state, 'softDeletedShares');
    if (s.expires !== null && s.expires < NOW) bump(state, 'expiredShares');
    const values = [
      s.password,
      s.isDir,
      s.userId,
      s.sourceId,
      s.views,
      s.downloads,
      s.remain,
      s.expires === null ? null : t.time(s.expires),
      s.preview,
      s.sourceName,
    ];
    await t.add(t.count + 1, s.created, s.created, s.deleted, values);
  }
  await t.flush();
  counts.shares = t.count;
}

async function writeWebdavs(t: Table, rng: Rng, users: UserPlan[], missingUserId: number, state: State): Promise<void> {
  const roots = ['/', '/Documents', '/Photos/2023'];
  const clients = ['Windows Explorer', 'RaiDrive', 'Finder', 'Infuse', '手机 📱', 'nPlayer', 'Cyberduck', 'Kodi'];
  const add = async (userId: number, after: number) => {
    // The first accounts cover every root and all four readonly/use_proxy combinations.
    const n = t.count;
    const combo = n < 4 ? n : rng.int(0, 3);
    const created = between(rng, after, NOW);
    const values = [rng.pick(clients), rng.alnum(32), userId, n < 3 ? roots[n]! : rng.pick(roots), (combo & 1) === 1, (combo & 2) === 2];
    await t.add(n + 1, created, created, null, values);
  };
  for (const u of users) {
    const accounts = u.id <= 2 ? 2 : rng.chance(0.08) ? rng.int(1, 2) : 0;
    for (let i = 0; i < accounts; i++) await add(u.id, u.registered);
  }
  await add(missingUserId, INSTALLED);
  bump(state, 'webdavsOfMissingUser');
}

/** Rows V4 drops entirely: background tasks, aria2 downloads, sidebar tags. */
async function writeTasksDownloadsTags(tasks: Table, downloads: Table, tags: Table, rng: Rng, users: UserPlan[]): Promise<void> {
  const live = users.filter((u) => u.deleted === null);
  const transferTasks: number[] = [];
  const taskCount = Math.max(6, Math.round(users.length / 4));
  for (let id = 1; id <= taskCount; id++) {
    const u = rng.pick(live);
    // 0 compress, 1 decompress, 2 transfer, 3 import, 4 recycle; the first five tasks have one of each.
    const type = id <= 5 ? id - 1 : rng.int(0, 4);
    const status = rng.weighted([4, 2, 0, 1, 3], [70, 12, 6, 6, 6]);
    const gid = rng.hex(16);
    const props = [
      `{"dirs":[${rng.int(2, 50)}],"files":[${rng.int(1, 900)},${rng.int(1, 900)}],"dst":"/"}`,
      `{"src":"/Downloads/archive ${id}.zip","dst":"/Downloads","encoding":"gbk"}`,
      `{"policy":1,"src":["/tmp/aria2/${gid}/ubuntu.iso"],"parent":${rng.int(1, 9)},"dst":"/Downloads","trim":"/tmp/aria2/${gid}","node_id":2}`,
      `{"policy_id":2,"src":"/OneDrive/导入","is_recursive":true,"dst":"/","uid":${u.id}}`,
      `{"download_gid":"${gid}"}`,
    ][type]!;
    if (type === 2) transferTasks.push(id);
    const created = between(rng, u.registered, NOW);
    const error =
      status === 2 ? rng.pick(['文件已存在', 'context deadline exceeded', 'failed to open archive: zip: not a valid zip file']) : '';
    await tasks.add(id, created, created + rng.int(1, 600_000), null, [
      status,
      type,
      u.id,
      status === 4 ? 100 : rng.int(0, 99),
      error,
      props,
    ]);
  }

  const downloadCount = Math.max(4, Math.round(users.length / 6));
  const states = ['waiting', 'active', 'paused', 'error', 'complete', 'removed', 'unknown', 'active'];
  for (let id = 1; id <= downloadCount; id++) {
    const u = rng.pick(live);
    const torrent = rng.chance(0.4);
    const total = rng.logUniform(1e6, 8e9);
    const status = rng.weighted([4, 1, 2, 3, 5, 7], [55, 10, 5, 15, 10, 5]);
    const gid = rng.hex(16);
    const done = status === 4 || status === 7 ? total : Math.floor(total * rng.next());
    const source = torrent
      ? `magnet:?xt=urn:btih:${rng.hex(40)}&dn=ubuntu-22.04`
      : `https://mirror.example.com/files/${rng.pick(['ubuntu.iso', '电影.mkv', 'dataset.tar.gz'])}`;
    const file = torrent ? `ubuntu-22.04-${id}.iso` : `download ${id} 🎬.mkv`;
    const fileJson = `{"index":"1","path":"/tmp/aria2/${gid}/${file}","length":"${total}","completedLength":"${done}","selected":"true"}`;
    const attrs = `{"gid":"${gid}","status":"${states[status]}","totalLength":"${total}","completedLength":"${done}","uploadLength":"0","downloadSpeed":"0","connections":"0","dir":"/tmp/aria2/${gid}","files":[${fileJson}]}`;
    const created = between(rng, u.registered, NOW);
    const taskId = status === 4 && transferTasks.length > 0 ? rng.pick(transferTasks) : 0;
    const speed = status === 1 ? rng.int(1e4, 5e7) : 0;
    const error = status === 3 ? 'aria2: download aborted' : '';
    const values = [
      status,
      torrent ? 1 : 0,
      source,
      total,
      done,
      gid,
      speed,
      `/tmp/aria2/${gid}`,
      attrs,
      error,
      '/Downloads',
      u.id,
      taskId,
      rng.chance(0.8) ? 2 : 1,
    ];
    await downloads.add(id, created, created + rng.int(1, 3_600_000), null, values);
  }

  // type 0: a file-type filter (expression: globs), type 1: a link to a folder (expression: its path).
  const tagKinds = [
    ['图片', 'Circular', '#4caf50', 0, '*.jpg\n*.jpeg\n*.png\n*.gif'],
    ['Documents', 'FileWordBox', '#2196f3', 0, '*.pdf\n*.docx\n*.xlsx'],
    ['Music 🎵', 'MusicCircle', '#e91e63', 0, '*.mp3\n*.flac'],
    ['工作', 'FolderHeartOutline', '', 1, '/工作资料'],
    ['Photos 2023', 'FolderHeartOutline', '', 1, '/Photos/2023'],
  ];
  const tagCount = Math.max(4, Math.round(users.length / 5));
  for (let id = 1; id <= tagCount; id++) {
    const u = rng.pick(live);
    const created = between(rng, u.registered, NOW);
    await tags.add(id, created, created, null, [...(id % 2 === 1 ? rng.pick(tagKinds.slice(0, 3)) : rng.pick(tagKinds.slice(3))), u.id]);
  }
}

// ---- Avatars: V3 keeps avatar_<uid>_{0,1,2}.png (50, 130, 200 px) under avatar_path. ----

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let c = -1;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A square RGB PNG in one colour with a lighter diagonal, so that sizes differ visibly and in bytes. */
export function tinyPng(size: number, rgb: readonly [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter method, no interlace
  const stride = size * 3 + 1;
  const raw = Buffer.alloc(size * stride);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const light = Math.abs(x - y) < 2 ? 60 : 0;
      for (let c = 0; c < 3; c++) raw[y * stride + 1 + x * 3 + c] = Math.min(255, rgb[c]! + light);
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

function writeAvatars(dir: string, users: UserPlan[]): number {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (const u of users) {
    if (u.avatar !== 'file') continue;
    const rgb = [(u.id * 67) % 200, (u.id * 131) % 200, (u.id * 29) % 200] as const;
    [50, 130, 200].forEach((size, i) => {
      writeFileSync(join(dir, `avatar_${u.id}_${i}.png`), tinyPng(size, rgb));
      written++;
    });
  }
  return written;
}
