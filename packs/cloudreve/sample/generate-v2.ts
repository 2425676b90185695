/**
 * A realistic, deterministic Cloudreve 2.0.0-Alpha1 database (MySQL only, as V2 was), for the V2→V3 hop's tests
 * and the demo: the install seeds of `mysql.sql` plus what a site gathers in use: users with md5 passwords,
 * folder trees with their redundant path columns, files on several policies, file and folder shares, and the
 * bookkeeping tables V3 drops (downloads, tasks, callbacks, chunks, storage packs, cron).
 *
 * V2's tables are utf8 (3-byte) except sd_download and sd_task, so names here carry no emoji.
 */
import { createHash } from 'node:crypto';
import {
  Rng,
  THEME_KINDS,
  email,
  fileName,
  fileSize,
  isImage,
  nickName,
  picInfo,
  subFolderName,
  topFolder,
  uniqueName,
  withoutAstral,
  type Theme,
} from './random.js';
import { openSink, type Sink } from './sink.js';
import { V2_TABLE_NAMES, V2_TABLES, v2Ddl } from './v2-ddl.js';

export interface V2Options {
  /** sd_files rows (default 2000, at least 50). */
  files?: number;
  /** sd_users rows (default files/40, at least 5). */
  users?: number;
  seed?: number;
  /** Also an `s3` and a `remote` policy with three files each: the official V2→V3 tool refuses both. */
  unsupportedPolicies?: boolean;
}

export interface V2SampleInfo {
  /** Rows written per table. */
  counts: Record<string, number>;
}

/** Every generated user's plaintext password (the seeded admin keeps the seed's `admin`). */
export function v2Password(userId: number): string {
  return userId === 1 ? 'admin' : `pass-${userId}`;
}

/** application/config.php's default salt. */
const SALT = 'sdshare';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// V2 wrote wall-clock times in the site's zone (PHP date()): the sink session is set to +08:00 to match.
const INSTALLED = Date.UTC(2018, 1, 4, 2, 54, 9);
const NOW = Date.UTC(2019, 10, 30, 12, 0, 0);
const DAY = 86_400_000;
const ZONE = 8 * 3_600_000;

const wall = (ms: number) => new Date(ms + ZONE).toISOString().slice(0, 19).replace('T', ' ');
const ymd = (ms: number) => wall(ms).slice(0, 10).replace(/-/g, '');
const between = (rng: Rng, from: number, to: number) => Math.floor(from + rng.next() * Math.max(0, to - from));

const THEMES_JSON =
  '{"#3f51b5":{"palette":{"primary":{"main":"#3f51b5"},"secondary":{"main":"#f50057"}}},' +
  '"#2196f3":{"palette":{"primary":{"main":"#2196f3"},"secondary":{"main":"#FFC107"}}},' +
  '"#673AB7":{"palette":{"primary":{"main":"#673AB7"},"secondary":{"main":"#2196F3"}}},' +
  '"#E91E63":{"palette":{"primary":{"main":"#E91E63"},"secondary":{"main":"#42A5F5","contrastText":"#fff"}}}}';

function mailTemplate(title: string, body: string, link: string): string {
  return (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />' +
    `<title>${title}</title></head>\r\n<body style="background-color: #f6f6f6;">\r\n<p>亲爱的 <strong>{userName}</strong> ：</p>\r\n` +
    `<p>${body}</p>\r\n<p><a href="{${link}}">${title}</a></p>\r\n<p>此邮件由系统自动发送，请不要直接回复。</p>\r\n</body></html>\r\n`
  );
}

/** sd_options as 2.0.0-Alpha1 ships them (ids with the dump's gaps, `id|name|value|type`), as a site owner left them. */
const OPTIONS = `
1|siteURL|https://cloud.example.com/|basic
2|siteName|Example Cloud|basic
3|siteStatus|open|basic
4|regStatus|0|register
5|defaultGroup|3|register
6|siteKeywords|网盘，网盘|basic
7|siteDes|Cloudreve|basic
8|siteTitle|平步云端|basic
9|fromName|Example Cloud|mail
10|fromAdress|no-reply@example.com|mail
11|smtpHost|smtp.example.com|mail
12|smtpPort|25|mail
13|replyTo|support@example.com|mail
14|smtpUser|no-reply@example.com|mail
15|smtpPass|*|mail
16|encriptionType|no|mail
22|maxEditSize|100000|file_edit
23|allowdVisitorDownload|false|share
24|login_captcha|0|login
28|reg_captcha|0|login
29|email_active|0|register
30|mail_activation_template|*|mail_template
31|forget_captcha|0|login
32|mail_reset_pwd_template|*|mail_template
33|database_version|5|version
34|hot_share_num|10|share
35|gravatar_server|https://v2ex.assets.uxengine.net/gravatar/|avatar
36|admin_color_body|fixed-nav|admin
37|admin_color_nav|navbar-dark bg-dark|admin
38|js_code|<script>var _hmt = _hmt || [];</script>|basic
39|sendfile|0|download
40|header|X-Sendfile|download
41|themes|*|basic
42|defaultTheme|#3f51b5|basic
43|aria2_tmppath|/var/www/cloudreve/public/downloads|aria2
44|aria2_token|*|aria2
45|aria2_rpcurl|http://127.0.0.1:6800/|aria2
46|aria2_options|{"max-tries":5}|aria2
47|task_queue_token|*|task
48|timeout|3600|oss
49|refererCheck|true|share`;

function optionRows(rng: Rng): unknown[][] {
  const made: Record<string, string> = {
    smtpPass: rng.alnum(12),
    mail_activation_template: mailTemplate('激活{siteTitle}账户', '感谢您注册{siteTitle}，请点击下方链接完成账户激活。', 'activationUrl'),
    mail_reset_pwd_template: mailTemplate(
      '重设{siteTitle}密码',
      '请点击下方链接完成密码重设。如果非你本人操作，请忽略此邮件。',
      'resetUrl',
    ),
    themes: THEMES_JSON,
    aria2_token: rng.alnum(16),
    task_queue_token: rng.alnum(32),
  };
  return OPTIONS.trim()
    .split('\n')
    .map((line) => {
      // js_code holds a '|' of its own: the name is the second field, the type the last.
      const parts = line.split('|');
      const [id, name, type] = [Number(parts[0]), parts[1]!, parts[parts.length - 1]!];
      const value = parts.slice(2, -1).join('|');
      return [id, name, value === '*' ? made[name]! : value, type];
    });
}

/** How a policy names objects: `{date}/{uid}` directories, then its name rule. */
type KeyRule = (rng: Rng, uid: number, name: string, when: number) => string;
const dated: KeyRule = (rng, uid, name, when) => `${ymd(when)}/${uid}/${uid}_${rng.alnum(8)}_${name}`;

/** sd_policy rows after the id: the seed (kept as installed), Qiniu, Upyun; S3 and remote when asked. */
function policies(rng: Rng, unsupported: boolean): [id: number, values: unknown[], key: KeyRule][] {
  const rules = ['{date}/{uid}', '{uid}_{randomkey8}_{originname}'];
  const upyunTypes = '[{"title":"图片","ext":"jpg,png,gif"},{"title":"文档","ext":"pdf,docx,xlsx"}]';
  const list: [number, unknown[], KeyRule][] = [
    [
      1,
      [
        '默认上传策略',
        'local',
        '/Upload',
        '0',
        0,
        'http://cloudreve.org/public/uploads/',
        '0',
        '0',
        '0',
        '0',
        '[]',
        '0',
        10485760,
        1,
        ...rules,
        0,
      ],
      dated,
    ],
    [2, ['七牛云存储', 'qiniu', 'http://up-z0.qiniup.com', 'cr-qiniu', 0, 'https://qiniu.example.com/', rng.alnum(40), rng.alnum(40), '0', '0', '[]', '0', 104857600, 1, ...rules, 1], dated], // prettier-ignore
    [3, ['又拍云', 'upyun', 'http://v0.api.upyun.com', 'cr-upyun', 1, 'https://upyun.example.com/', '0', rng.alnum(32), 'operator1', rng.alnum(24), upyunTypes, '0', 52428800, 1, '{date}/{uid}', '{randomkey16}_{originname}', 0], (r, uid, name, when) => `${ymd(when)}/${uid}/${r.alnum(16)}_${name}`], // prettier-ignore
  ];
  if (unsupported) {
    list.push(
      [4, ['Amazon S3', 's3', 'https://s3.amazonaws.com', 'cr-s3-bucket', 1, 'https://cr-s3-bucket.s3.amazonaws.com/', `AKIA${rng.alnum(16).toUpperCase()}`, rng.alnum(40), 'us-east-1', '0', '[]', '0', 0, 1, ...rules, 0], dated], // prettier-ignore
      [5, ['远程服务器', 'remote', 'https://remote.example.com/Upload', '0', 0, 'https://remote.example.com/public/uploads/', '0', rng.alnum(32), '0', '0', '[]', '0', 0, 1, ...rules, 0], dated], // prettier-ignore
    );
  }
  return list;
}

/** The three seeds (2 = guest, 3 = registered: the reverse of V3) and a paid group with a speed limit and aria2. */
const GROUP_ROWS: unknown[][] = [
  [1, '管理员', 1, 1073741824, '', '', 1, 'danger', '1', 1, 1, '0,0,0'],
  [2, '游客', 1, 0, '', '', 1, 'default', '1', 0, 0, '0,0,0'],
  [3, '注册会员', 1, 52428800, '', '', 1, 'default', '1', 1, 1, '0,0,0'],
  [4, '高级会员', 2, 10737418240, '', '512', 1, 'success', '1,2', 1, 1, '1,1,1'],
];

interface UserV2 {
  id: number;
  registered: number;
  quota: number;
  storage: number;
  policy: number;
  /** The sd_users row; used_storage (index 9) is filled in last. */
  row: unknown[];
}

interface FolderV2 {
  id: number;
  name: string;
  parent: number;
  position: string;
  absolute: string;
  theme: Theme;
  depth: number;
  created: number;
  childKeys: Set<string>;
  files: number;
}

/** Creates the 13 `sd_` tables in the MySQL database at `url` (which must not have them yet) and fills them. */
export async function generateV2(url: string, options: V2Options = {}): Promise<V2SampleInfo> {
  const fileCount = Math.max(50, Math.floor(options.files ?? 2_000));
  const userCount = Math.max(5, Math.floor(options.users ?? fileCount / 40));
  const root = new Rng(options.seed ?? 1);
  const sink = await openSink(url);
  try {
    if (sink.engine !== 'mysql') throw new Error('Cloudreve V2 ran on MySQL only: give a mysql:// URL');
    const names = V2_TABLE_NAMES.map((n) => `'${n}'`).join(',');
    const existing = await sink.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = database() AND table_name IN (${names})`,
    );
    if (existing.length > 0) throw new Error(`${url} already has Cloudreve V2 tables: generate into an empty database`);
    for (const statement of v2Ddl()) await sink.exec(statement);
    await sink.exec("SET time_zone = '+08:00'");
    return { counts: await fill(sink, root, fileCount, userCount, options.unsupportedPolicies ?? false) };
  } finally {
    await sink.close();
  }
}

async function fill(sink: Sink, root: Rng, fileCount: number, userCount: number, unsupported: boolean): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(V2_TABLE_NAMES.map((name) => [name, 0]));
  const insert = async (table: string, rows: unknown[][]) => {
    await sink.insert(table, ['id', ...V2_TABLES.find((t) => t.name === table)!.columns.map(([name]) => name)], rows);
    counts[table]! += rows.length;
  };
  const fixed = root.fork('fixed');
  await insert('sd_options', optionRows(fixed));
  await insert('sd_groups', GROUP_ROWS);
  const pols = policies(fixed, unsupported);
  await insert(
    'sd_policy',
    pols.map(([id, values]) => [id, ...values]),
  );
  const ran = Math.floor(NOW / 1000) - 120;
  await insert('sd_corn', [
    [1, 2, 'delete_unseful_chunks', '删除分片上传产生的失效文件块', ran - 1800, 3600, 1],
    [2, 1, 'delete_callback_data', '删除callback记录', ran - 40_000, 86400, 1],
    [3, 1, 'flush_aria2', '刷新离线下载状态', ran, 30, 1],
    [4, 1, 'flush_onedrive_token', '刷新Onedrive Token', ran - 600, 3000, 1],
    // The dump swaps interval_s and enable on this row; tinyint(1) could not hold 1800 and MySQL kept 127.
    [5, 1, 'delete_remote_downloader_failed_folder', '删除离线下载失败的残留文件夹', 0, 1, 127],
  ]);

  const users = planUsers(root.fork('users'), userCount, fileCount - (unsupported ? 6 : 0));
  const shares = await writeTrees(insert, root, users, pols, unsupported);
  await insert('sd_shares', shares);
  for (const u of users) u.row[9] = u.storage;
  await insert(
    'sd_users',
    users.map((u) => u.row),
  );
  await writeBookkeeping(insert, root.fork('other'), users);
  return counts;
}

function planUsers(rng: Rng, count: number, mainFiles: number): UserV2[] {
  const users: UserV2[] = [];
  const weights: number[] = [];
  for (let id = 1; id <= count; id++) {
    const admin = id === 1;
    const mail = admin ? 'admin@cloudreve.org' : email(rng, id);
    const password = v2Password(id);
    // Mostly registered members (3); two in the guest group (2), a few admins, some in the paid group (4).
    const group = admin ? 1 : id === 3 || id === 4 ? 2 : id % 25 === 0 ? 1 : rng.chance(0.12) ? 4 : 3;
    const registered = admin ? INSTALLED : between(rng, INSTALLED + DAY, INSTALLED + ((NOW - INSTALLED) * id) / (count + 1));
    const status = admin ? 0 : rng.weighted([0, 1], [90, 10]);
    // user_status 1 is either "not activated yet" (a token) or "banned" ('n'): V3 tells them apart by the key.
    const activation = status === 1 && rng.chance(0.5) ? rng.hex(32) : 'n';
    const avatar = admin ? 'default' : rng.weighted(['default', `g.${md5(mail)}`, `f.${id}_${rng.hex(8)}.png`], [60, 20, 20]);
    // A timed group: back to group_primary (3) at delay_time.
    const timed = group === 4 && rng.chance(0.7);
    const nick = admin ? 'Admin' : withoutAstral(nickName(rng)) || `user${id}`;
    const twoStep = rng.chance(0.05) ? rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16) : '0';
    const delay = timed ? Math.floor((NOW + rng.int(-60, 300) * DAY) / 1000) : 0;
    // WebDAV's digest HA1; the seeded admin has the password hash there instead.
    const webdavKey = admin ? md5(SALT + password) : md5(`${mail}:CloudreveWebDav:${password}`);
    const options = admin ? '' : rng.chance(0.3) ? `{"preferTheme":"${rng.pick(['#3f51b5', '#2196f3', '#673AB7', '#E91E63'])}"}` : '';
    const profile = rng.chance(0.8) ? 1 : 0;
    users.push({
      id,
      registered,
      quota: 0,
      storage: 0,
      policy: group === 4 ? 2 : !admin && rng.chance(0.1) ? 3 : 1,
      row: [
        id,
        mail,
        nick,
        md5(SALT + password),
        wall(registered),
        status,
        group,
        timed ? 3 : 0,
        activation,
        0,
        twoStep,
        delay,
        avatar,
        profile,
        webdavKey,
        options,
      ],
    });
    weights.push(rng.pareto() * (admin ? 3 : status === 1 && activation !== 'n' ? 0.05 : 1));
  }
  const total = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  users.forEach((u, i) => {
    u.quota = Math.floor((mainFiles * weights[i]!) / total);
    given += u.quota;
  });
  for (let i = 0; given < mainFiles; i = (i + 1) % users.length, given++) users[i]!.quota++;
  return users;
}

/** sd_folders and sd_files, user by user; returns the sd_shares rows. */
async function writeTrees(
  insert: (table: string, rows: unknown[][]) => Promise<void>,
  root: Rng,
  users: UserV2[],
  pols: [number, unknown[], KeyRule][],
  unsupported: boolean,
): Promise<unknown[][]> {
  const treeRng = root.fork('folders');
  const fileRng = root.fork('files');
  const shareRng = root.fork('shares');
  let folderId = 1;
  let fileId = 1;
  const folderRows: unknown[][] = [];
  const fileRows: unknown[][] = [];
  const shares: unknown[][] = [];
  const shareKeys = new Set<string>();
  const keyRules = new Map(pols.map(([id, , key]) => [id, key]));

  // A file share names the file id (as text), a dir share the folder's position_absolute; share_pwd '0' = public.
  const addShare = (owner: number, source: string, originName: string, type: 'file' | 'dir', after: number) => {
    let key = shareRng.alnum(8);
    while (shareKeys.has(key)) key = shareRng.alnum(8);
    shareKeys.add(key);
    const pwd = shareRng.chance(0.3) ? shareRng.chars('abcdefghijkmnpqrstuvwxyz23456789', 4) : '0';
    const views = shareRng.chance(0.2) ? 0 : shareRng.logUniform(1, 5000);
    const when = wall(between(shareRng, after, NOW));
    shares.push([
      shares.length + 1,
      pwd === '0' ? 'public' : 'private',
      when,
      owner,
      source,
      originName,
      Math.floor(views * shareRng.next() * 0.5),
      views,
      type,
      key,
      pwd,
    ]);
  };

  for (const user of users) {
    const make = (name: string, parent: FolderV2 | null, theme: Theme, created: number): FolderV2 => ({
      id: folderId++,
      name,
      parent: parent ? parent.id : 0,
      position: parent ? parent.absolute : '.',
      absolute: parent ? `${parent.absolute === '/' ? '' : parent.absolute}/${name}` : '/',
      theme,
      depth: parent ? parent.depth + 1 : 0,
      created,
      childKeys: new Set(),
      files: 0,
    });
    const rootFolder = make('根目录', null, 'misc', user.registered);
    const folders = [rootFolder];
    const wanted = user.quota === 0 ? treeRng.int(0, 1) : Math.min(400, Math.max(1, Math.round(user.quota / 9)));
    for (let i = 0; i < wanted; i++) {
      const pick = treeRng.chance(0.4) ? rootFolder : treeRng.pick(folders);
      const parent = pick.depth < 4 ? pick : rootFolder;
      const [raw, theme] = parent === rootFolder ? topFolder(treeRng) : [subFolderName(treeRng, parent.theme), parent.theme];
      const name = uniqueName(parent.childKeys, withoutAstral(raw) || 'New folder');
      folders.push(make(name, parent, theme, between(treeRng, parent.created, NOW)));
    }
    const weights = folders.map((f) => (f.depth === 0 ? 1.5 : 0.3 + treeRng.next() * 2));
    const total = weights.reduce((a, b) => a + b, 0);
    let placed = 0;
    folders.forEach((f, i) => {
      f.files = Math.floor((user.quota * weights[i]!) / total);
      placed += f.files;
    });
    for (; placed < user.quota; placed++) treeRng.pick(folders).files++;
    // The admin's first root files went to the S3 and remote policies.
    const onUnsupported = user.id === 1 && unsupported ? 6 : 0;
    rootFolder.files += onUnsupported;

    for (const f of folders) {
      folderRows.push([f.id, f.name, f.parent, f.position, String(user.id), wall(f.created), f.absolute]);
      if (f.depth > 0 && (shares.length < 2 || shareRng.chance(0.04))) addShare(user.id, f.absolute, f.absolute, 'dir', f.created);
      const used = new Set<string>();
      for (let j = 0; j < f.files; j++) {
        const kind = fileRng.weightedKey(THEME_KINDS[f.theme]);
        const name = uniqueName(used, withoutAstral(fileName(fileRng, kind, 2016, 2019)) || `file ${j}`);
        const created = between(fileRng, f.created, NOW);
        const policy = f === rootFolder && j < onUnsupported ? 4 + (j % 2) : user.policy;
        const size = fileSize(fileRng, name);
        const id = fileId++;
        // V2 left pic_info in several shapes: "w,h", "0,0", "null,null", " " and "".
        const pic = isImage(name)
          ? fileRng.weighted([picInfo(fileRng, name) || '0,0', '0,0', 'null,null', ''], [80, 8, 6, 6])
          : fileRng.weighted([' ', ''], [70, 30]);
        const preName = keyRules.get(policy)!(fileRng, user.id, name, created);
        fileRows.push([id, name, preName, user.id, size, wall(created), pic, f.id, policy, f.absolute]);
        user.storage += size;
        if (shareRng.chance(0.02) || shares.length < 4) addShare(user.id, String(id), name, 'file', created);
      }
      if (folderRows.length >= 5000) await insert('sd_folders', folderRows.splice(0));
      if (fileRows.length >= 5000) await insert('sd_files', fileRows.splice(0));
    }
  }
  await insert('sd_folders', folderRows);
  await insert('sd_files', fileRows);
  return shares;
}

/** The tables V3 does not keep: aria2 downloads, OneDrive upload tasks, callbacks, chunks, storage packs. */
async function writeBookkeeping(insert: (table: string, rows: unknown[][]) => Promise<void>, rng: Rng, users: UserV2[]): Promise<void> {
  const someone = () => rng.pick(users);
  const many = Math.max(3, Math.round(users.length / 8));
  const downloads: unknown[][] = [];
  for (let id = 1; id <= many; id++) {
    const u = someone();
    const gid = rng.hex(16);
    const status = rng.pick(['complete', 'error', 'active', 'canceled']);
    const total = rng.logUniform(1e6, 4e9);
    // sd_download is utf8mb4: aria2's file names may carry emoji.
    const info = `{"gid":"${gid}","status":"${status}","totalLength":"${total}","files":[{"path":"/downloads/${gid}/电影 🎬 ${id}.mkv","length":"${total}"}]}`;
    const when = wall(between(rng, u.registered, NOW));
    downloads.push([
      id,
      gid,
      `${u.id}_${rng.alnum(10)}`,
      u.id,
      '/',
      status,
      when,
      status === 'error' ? 'aria2 error' : '',
      info,
      `magnet:?xt=urn:btih:${rng.hex(40)}`,
      0,
      1,
      total,
    ]);
  }
  await insert('sd_download', downloads);

  const tasks: unknown[][] = [];
  for (let id = 1; id <= many; id++) {
    const u = someone();
    const fname = `视频 ${id}.mp4`;
    const objname = `${ymd(NOW)}/${u.id}/${u.id}_${rng.alnum(8)}_${fname}`;
    const attr = `{"fname":"${fname}","path":"/","objname":"${objname}","savePath":"/var/www/cloudreve/public/uploads","fsize":${rng.logUniform(1e6, 2e9)},"picInfo":" ","policyId":2}`;
    const type = rng.pick(['uploadSingleToOnedrive', 'uploadChunksToOnedrive', 'UploadRegularRemoteDownloadFileToOnedrive']);
    tasks.push([
      id,
      `上传 ${fname} 到 OneDrive`,
      attr,
      type,
      rng.pick(['todo', 'success', 'error|token expired']),
      u.id,
      wall(between(rng, u.registered, NOW)),
    ]);
  }
  await insert('sd_task', tasks);

  await insert(
    'sd_callback',
    [1, 2, 3].map((id) => [id, rng.hex(32), rng.pick([2, 3]), someone().id]),
  );
  const obj = rng.alnum(16);
  await insert(
    'sd_chunks',
    [1, 2, 3, 4].map((id) => [id, 1, rng.alnum(120), wall(NOW - 3 * DAY + id * 60_000), obj, id - 1, 4]),
  );
  const packs = [1, 2, 3].map((id) => {
    const act = Math.floor(between(rng, INSTALLED, NOW) / 1000);
    return [
      id,
      rng.pick(['10GB 月付包', '100GB 年付包', '1TB 永久包']),
      someone().id,
      act,
      act + rng.pick([30, 365, 3650]) * 86400,
      rng.pick([10, 100, 1024]) * 1073741824,
    ];
  });
  await insert('sd_storage_pack', packs);
}
