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
  TOP_FOLDERS,
  email,
  fileName,
  fileSize,
  isImage,
  nickName,
  picInfo,
  subFolderName,
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
  /** Also an `s3` and a `remote` policy with a few files each: the official V2→V3 tool refuses both. */
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

const SALT = 'sdshare';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

// V2 wrote wall-clock times in the site's zone (PHP date()): the sink session is set to +08:00 to match.
const INSTALLED = Date.UTC(2018, 1, 4, 2, 54, 9);
const NOW = Date.UTC(2019, 10, 30, 12, 0, 0);
const DAY = 86_400_000;
const ZONE = 8 * 3_600_000;

const wall = (ms: number) => new Date(ms + ZONE).toISOString().slice(0, 19).replace('T', ' ');
const ymd = (ms: number) => new Date(ms + ZONE).toISOString().slice(0, 10).replace(/-/g, '');
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

/** sd_options as 2.0.0-Alpha1 ships them (ids with the dump's gaps), values as a site owner left them. */
function optionRows(rng: Rng): [number, string, string, string][] {
  return [
    [1, 'siteURL', 'https://cloud.example.com/', 'basic'],
    [2, 'siteName', 'Example Cloud', 'basic'],
    [3, 'siteStatus', 'open', 'basic'],
    [4, 'regStatus', '0', 'register'],
    [5, 'defaultGroup', '3', 'register'],
    [6, 'siteKeywords', '网盘，网盘', 'basic'],
    [7, 'siteDes', 'Cloudreve', 'basic'],
    [8, 'siteTitle', '平步云端', 'basic'],
    [9, 'fromName', 'Example Cloud', 'mail'],
    [10, 'fromAdress', 'no-reply@example.com', 'mail'],
    [11, 'smtpHost', 'smtp.example.com', 'mail'],
    [12, 'smtpPort', '25', 'mail'],
    [13, 'replyTo', 'support@example.com', 'mail'],
    [14, 'smtpUser', 'no-reply@example.com', 'mail'],
    [15, 'smtpPass', rng.alnum(12), 'mail'],
    [16, 'encriptionType', 'no', 'mail'],
    [22, 'maxEditSize', '100000', 'file_edit'],
    [23, 'allowdVisitorDownload', 'false', 'share'],
    [24, 'login_captcha', '0', 'login'],
    [28, 'reg_captcha', '0', 'login'],
    [29, 'email_active', '0', 'register'],
    [
      30,
      'mail_activation_template',
      mailTemplate('激活{siteTitle}账户', '感谢您注册{siteTitle}，请点击下方链接完成账户激活。', 'activationUrl'),
      'mail_template',
    ],
    [31, 'forget_captcha', '0', 'login'],
    [
      32,
      'mail_reset_pwd_template',
      mailTemplate('重设{siteTitle}密码', '请点击下方链接完成密码重设。如果非你本人操作，请忽略此邮件。', 'resetUrl'),
      'mail_template',
    ],
    [33, 'database_version', '5', 'version'],
    [34, 'hot_share_num', '10', 'share'],
    [35, 'gravatar_server', 'https://v2ex.assets.uxengine.net/gravatar/', 'avatar'],
    [36, 'admin_color_body', 'fixed-nav', 'admin'],
    [37, 'admin_color_nav', 'navbar-dark bg-dark', 'admin'],
    [38, 'js_code', '<script>var _hmt = _hmt || [];</script>', 'basic'],
    [39, 'sendfile', '0', 'download'],
    [40, 'header', 'X-Sendfile', 'download'],
    [41, 'themes', THEMES_JSON, 'basic'],
    [42, 'defaultTheme', '#3f51b5', 'basic'],
    [43, 'aria2_tmppath', '/var/www/cloudreve/public/downloads', 'aria2'],
    [44, 'aria2_token', rng.alnum(16), 'aria2'],
    [45, 'aria2_rpcurl', 'http://127.0.0.1:6800/', 'aria2'],
    [46, 'aria2_options', '{"max-tries":5}', 'aria2'],
    [47, 'task_queue_token', rng.alnum(32), 'task'],
    [48, 'timeout', '3600', 'oss'],
    [49, 'refererCheck', 'true', 'share'],
  ];
}

interface PolicyV2 {
  id: number;
  row: unknown[];
  /** How pre_name looks: {date}/{uid} directories, then the name rule. */
  key: (rng: Rng, uid: number, name: string, when: number) => string;
}

function policies(rng: Rng, unsupported: boolean): PolicyV2[] {
  const dated = (rng: Rng, uid: number, name: string, when: number) => `${ymd(when)}/${uid}/${uid}_${rng.alnum(8)}_${name}`;
  const list: PolicyV2[] = [
    {
      id: 1,
      // The seed row, kept as installed ('http://cloudreve.org/...' is not the literal the installer rewrites).
      row: [
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
        '{date}/{uid}',
        '{uid}_{randomkey8}_{originname}',
        0,
      ],
      key: dated,
    },
    {
      id: 2,
      row: [
        '七牛云存储',
        'qiniu',
        'http://up-z0.qiniup.com',
        'cr-qiniu',
        0,
        'https://qiniu.example.com/',
        rng.alnum(40),
        rng.alnum(40),
        '0',
        '0',
        '[]',
        '0',
        104857600,
        1,
        '{date}/{uid}',
        '{uid}_{randomkey8}_{originname}',
        1,
      ],
      key: dated,
    },
    {
      id: 3,
      row: [
        '又拍云',
        'upyun',
        'http://v0.api.upyun.com',
        'cr-upyun',
        1,
        'https://upyun.example.com/',
        '0',
        rng.alnum(32),
        'operator1',
        rng.alnum(24),
        '[{"title":"图片","ext":"jpg,png,gif"},{"title":"文档","ext":"pdf,docx,xlsx"}]',
        '0',
        52428800,
        1,
        '{date}/{uid}',
        '{randomkey16}_{originname}',
        0,
      ],
      key: (rng, uid, name, when) => `${ymd(when)}/${uid}/${rng.alnum(16)}_${name}`,
    },
  ];
  if (unsupported) {
    list.push(
      {
        id: 4,
        row: [
          'Amazon S3',
          's3',
          'https://s3.amazonaws.com',
          'cr-s3-bucket',
          1,
          'https://cr-s3-bucket.s3.amazonaws.com/',
          `AKIA${rng.alnum(16).toUpperCase()}`,
          rng.alnum(40),
          'us-east-1',
          '0',
          '[]',
          '0',
          0,
          1,
          '{date}/{uid}',
          '{uid}_{randomkey8}_{originname}',
          0,
        ],
        key: dated,
      },
      {
        id: 5,
        row: [
          '远程服务器',
          'remote',
          'https://remote.example.com/Upload',
          '0',
          0,
          'https://remote.example.com/public/uploads/',
          '0',
          rng.alnum(32),
          '0',
          '0',
          '[]',
          '0',
          0,
          1,
          '{date}/{uid}',
          '{uid}_{randomkey8}_{originname}',
          0,
        ],
        key: dated,
      },
    );
  }
  return list;
}

const GROUP_ROWS: unknown[][] = [
  [1, '管理员', 1, 1073741824, '', '', 1, 'danger', '1', 1, 1, '0,0,0'],
  [2, '游客', 1, 0, '', '', 1, 'default', '1', 0, 0, '0,0,0'],
  [3, '注册会员', 1, 52428800, '', '', 1, 'default', '1', 1, 1, '0,0,0'],
  [4, '高级会员', 2, 10737418240, '', '512', 1, 'success', '1,2', 1, 1, '1,1,1'],
];

interface UserV2 {
  id: number;
  email: string;
  group: number;
  registered: number;
  quota: number;
  storage: number;
  policy: number;
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
    const list = V2_TABLE_NAMES.map((n) => `'${n}'`).join(',');
    const existing = await sink.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = database() AND table_name IN (${list})`,
    );
    if (existing.length > 0) throw new Error(`${url} already has Cloudreve V2 tables: generate into an empty database`);
    for (const statement of v2Ddl()) await sink.exec(statement);
    await sink.exec("SET time_zone = '+08:00'");
    const counts = await fill(sink, root, fileCount, userCount, options.unsupportedPolicies ?? false);
    return { counts };
  } finally {
    await sink.close();
  }
}

async function insertAll(sink: Sink, counts: Record<string, number>, table: string, rows: unknown[][]): Promise<void> {
  const columns = ['id', ...V2_TABLES.find((t) => t.name === table)!.columns.map(([name]) => name)];
  await sink.insert(table, columns, rows);
  counts[table] = (counts[table] ?? 0) + rows.length;
}

async function fill(sink: Sink, root: Rng, fileCount: number, userCount: number, unsupported: boolean): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const fixed = root.fork('fixed');
  await insertAll(sink, counts, 'sd_options', optionRows(fixed));
  await insertAll(sink, counts, 'sd_groups', GROUP_ROWS);
  const pols = policies(fixed, unsupported);
  await insertAll(
    sink,
    counts,
    'sd_policy',
    pols.map((p) => [p.id, ...p.row]),
  );
  const corn = Math.floor(NOW / 1000) - 120;
  await insertAll(sink, counts, 'sd_corn', [
    [1, 2, 'delete_unseful_chunks', '删除分片上传产生的失效文件块', corn - 1800, 3600, 1],
    [2, 1, 'delete_callback_data', '删除callback记录', corn - 40_000, 86400, 1],
    [3, 1, 'flush_aria2', '刷新离线下载状态', corn, 30, 1],
    [4, 1, 'flush_onedrive_token', '刷新Onedrive Token', corn - 600, 3000, 1],
    // The dump swaps interval_s and enable on this row.
    [5, 1, 'delete_remote_downloader_failed_folder', '删除离线下载失败的残留文件夹', 0, 1, 1800],
  ]);

  // Users: the seeded admin, then registrations.
  const rng = root.fork('users');
  const users: UserV2[] = [];
  const weights: number[] = [];
  for (let id = 1; id <= userCount; id++) {
    const admin = id === 1;
    const mail = admin ? 'admin@cloudreve.org' : email(rng, id);
    const password = v2Password(id);
    const group = admin ? 1 : id === 3 || id === 4 ? 2 : id % 25 === 0 ? 1 : rng.chance(0.12) ? 4 : 3;
    const registered = admin ? INSTALLED : between(rng, INSTALLED + DAY, INSTALLED + ((NOW - INSTALLED) * id) / (userCount + 1));
    const status = admin
      ? 0
      : rng.weighted([
          [0, 90],
          [1, 10],
        ] as const);
    // user_status 1 is either "not activated yet" (a token) or "banned" ('n'): V3 tells them apart by the key.
    const activation = status === 1 && rng.chance(0.5) ? rng.hex(32) : 'n';
    const avatar = admin
      ? 'default'
      : rng.weighted([
          ['default', 60],
          [`g.${md5(mail)}`, 20],
          [`f.${id}_${rng.hex(8)}.png`, 20],
        ] as const);
    const timed = group === 4 && rng.chance(0.7);
    const policy = group === 4 ? 2 : !admin && rng.chance(0.1) ? 3 : 1;
    users.push({
      id,
      email: mail,
      group,
      registered,
      quota: 0,
      storage: 0,
      policy,
      row: [
        id,
        mail,
        admin ? 'Admin' : withoutAstral(nickName(rng)) || `user${id}`,
        md5(SALT + password),
        wall(registered),
        status,
        group,
        timed ? 3 : 0,
        activation,
        0,
        rng.chance(0.05) ? rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16) : '0',
        timed ? Math.floor((NOW + rng.int(-60, 300) * DAY) / 1000) : 0,
        avatar,
        rng.chance(0.8) ? 1 : 0,
        admin ? md5(SALT + password) : md5(`${mail}:CloudreveWebDav:${password}`),
        admin ? '' : rng.chance(0.3) ? `{"preferTheme":"${rng.pick(['#3f51b5', '#2196f3', '#673AB7', '#E91E63'])}"}` : '',
      ],
    });
    weights.push(rng.pareto() * (admin ? 3 : status === 1 && activation !== 'n' ? 0.05 : 1));
  }
  // Three files on each unsupported policy, in the admin's root, on top of the others.
  const unsupportedFiles = unsupported ? 6 : 0;
  const main = fileCount - unsupportedFiles;
  const total = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  users.forEach((u, i) => {
    u.quota = Math.floor((main * weights[i]!) / total);
    given += u.quota;
  });
  for (let i = 0; given < main; i = (i + 1) % users.length, given++) users[i]!.quota++;

  // Folders and files, user by user.
  const treeRng = root.fork('folders');
  const fileRng = root.fork('files');
  const shareRng = root.fork('shares');
  let folderId = 1;
  let fileId = 1;
  const folderRows: unknown[][] = [];
  const fileRows: unknown[][] = [];
  const shares: unknown[][] = [];
  const shareKeys = new Set<string>();
  const flush = async (force = false) => {
    if (force || folderRows.length >= 5000) await insertAll(sink, counts, 'sd_folders', folderRows.splice(0));
    if (force || fileRows.length >= 5000) await insertAll(sink, counts, 'sd_files', fileRows.splice(0));
  };
  const addShare = (owner: number, source: string, originName: string, type: 'file' | 'dir', after: number) => {
    let key = shareRng.alnum(8);
    while (shareKeys.has(key)) key = shareRng.alnum(8);
    shareKeys.add(key);
    const pwd = shareRng.chance(0.3) ? shareRng.chars('abcdefghijkmnpqrstuvwxyz23456789', 4) : '0';
    const views = shareRng.chance(0.2) ? 0 : shareRng.logUniform(1, 5000);
    shares.push([
      shares.length + 1,
      pwd === '0' ? 'public' : 'private',
      wall(between(shareRng, after, NOW)),
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
      let parent = rootFolder;
      if (!treeRng.chance(0.4)) {
        const p = treeRng.pick(folders);
        if (p.depth < 4) parent = p;
      }
      const [raw, theme] = parent === rootFolder ? treeRng.pick(TOP_FOLDERS) : [subFolderName(treeRng, parent.theme), parent.theme];
      const name = uniqueName(parent.childKeys, withoutAstral(raw) || 'New folder');
      folders.push(make(name, parent, theme, between(treeRng, parent.created, NOW)));
    }
    const w = folders.map((f) => (f.depth === 0 ? 1.5 : 0.3 + treeRng.next() * 2));
    const wt = w.reduce((a, b) => a + b, 0);
    let placed = 0;
    folders.forEach((f, i) => {
      f.files = Math.floor((user.quota * w[i]!) / wt);
      placed += f.files;
    });
    for (; placed < user.quota; placed++) treeRng.pick(folders).files++;
    if (user.id === 1) rootFolder.files += unsupportedFiles;

    for (const f of folders) {
      folderRows.push([f.id, f.name, f.parent, f.position, String(user.id), wall(f.created), f.absolute]);
      if (f.depth > 0 && (shares.length < 2 || shareRng.chance(0.04))) addShare(user.id, f.absolute, f.absolute, 'dir', f.created);
      const used = new Set<string>();
      for (let j = 0; j < f.files; j++) {
        const kind = fileRng.weighted(THEME_KINDS[f.theme]);
        const name = uniqueName(used, withoutAstral(fileName(fileRng, kind)) || `file ${j}`);
        const created = between(fileRng, f.created, NOW);
        const policy = user.id === 1 && f.depth === 0 && j < unsupportedFiles ? 4 + (j % 2) : user.policy;
        const size = fileSize(fileRng, name);
        const id = fileId++;
        const pic = isImage(name)
          ? fileRng.weighted([
              [picInfo(fileRng, name) || '0,0', 80],
              ['0,0', 8],
              ['null,null', 6],
              ['', 6],
            ] as const)
          : fileRng.weighted([
              [' ', 70],
              ['', 30],
            ] as const);
        fileRows.push([
          id,
          name,
          pols.find((p) => p.id === policy)!.key(fileRng, user.id, name, created),
          user.id,
          size,
          wall(created),
          pic,
          f.id,
          policy,
          f.absolute,
        ]);
        user.storage += size;
        if (shareRng.chance(0.02) || shares.length < 4) addShare(user.id, String(id), name, 'file', created);
      }
      await flush();
    }
  }
  await flush(true);
  if (!counts.sd_folders) counts.sd_folders = 0;
  await insertAll(sink, counts, 'sd_shares', shares);
  for (const u of users) u.row[9] = u.storage;
  await insertAll(
    sink,
    counts,
    'sd_users',
    users.map((u) => u.row),
  );

  // The bookkeeping tables V3 does not keep.
  const other = root.fork('other');
  const someone = () => other.pick(users);
  const downloads: unknown[][] = [];
  for (let id = 1; id <= Math.max(3, Math.round(userCount / 8)); id++) {
    const u = someone();
    const gid = other.hex(16);
    const status = other.pick(['complete', 'error', 'active', 'canceled']);
    const total = other.logUniform(1e6, 4e9);
    const info = `{"gid":"${gid}","status":"${status}","totalLength":"${total}","files":[{"path":"/downloads/${gid}/电影 🎬 ${id}.mkv","length":"${total}"}]}`;
    downloads.push([
      id,
      gid,
      `${u.id}_${other.alnum(10)}`,
      u.id,
      '/',
      status,
      wall(between(other, u.registered, NOW)),
      status === 'error' ? 'aria2 error' : '',
      info,
      `magnet:?xt=urn:btih:${other.hex(40)}`,
      0,
      1,
      total,
    ]);
  }
  await insertAll(sink, counts, 'sd_download', downloads);
  const tasks: unknown[][] = [];
  for (let id = 1; id <= Math.max(3, Math.round(userCount / 8)); id++) {
    const u = someone();
    const fname = `视频 ${id}.mp4`;
    const attr = `{"fname":"${fname}","path":"/","objname":"${ymd(NOW)}/${u.id}/${u.id}_${other.alnum(8)}_${fname}","savePath":"/var/www/cloudreve/public/uploads","fsize":${other.logUniform(1e6, 2e9)},"picInfo":" ","policyId":2}`;
    const type = other.pick(['uploadSingleToOnedrive', 'uploadChunksToOnedrive', 'UploadRegularRemoteDownloadFileToOnedrive']);
    tasks.push([
      id,
      `上传 ${fname} 到 OneDrive`,
      attr,
      type,
      other.pick(['todo', 'success', 'error|token expired']),
      u.id,
      wall(between(other, u.registered, NOW)),
    ]);
  }
  await insertAll(sink, counts, 'sd_task', tasks);
  const callbacks: unknown[][] = [];
  for (let id = 1; id <= 3; id++) callbacks.push([id, other.hex(32), other.pick([2, 3]), someone().id]);
  await insertAll(sink, counts, 'sd_callback', callbacks);
  const chunks: unknown[][] = [];
  const obj = other.alnum(16);
  for (let id = 1; id <= 4; id++) chunks.push([id, users[0]!.id, `${other.alnum(120)}`, wall(NOW - 3 * DAY + id * 60_000), obj, id - 1, 4]);
  await insertAll(sink, counts, 'sd_chunks', chunks);
  const packs: unknown[][] = [];
  for (let id = 1; id <= 3; id++) {
    const act = Math.floor(between(other, INSTALLED, NOW) / 1000);
    packs.push([
      id,
      other.pick(['10GB 月付包', '100GB 年付包', '1TB 永久包']),
      someone().id,
      act,
      act + other.pick([30, 365, 3650]) * 86400,
      other.pick([10, 100, 1024]) * 1073741824,
    ]);
  }
  await insertAll(sink, counts, 'sd_storage_pack', packs);

  const ordered: Record<string, number> = {};
  for (const name of V2_TABLE_NAMES) ordered[name] = counts[name] ?? 0;
  return ordered;
}
