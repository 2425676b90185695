/**
 * Cloudreve V2 (2.0.0-Alpha1, MySQL) → V3 → V4 through the pack, on a database made by the V2 sample generator
 * plus the edge cases a real V2 site has (names V2 allowed twice, orphans, shares of what is gone): the preflight
 * and its counts, V2 → V3 on SQLite and PostgreSQL checked against the V2 rows (ids, the swapped groups, md5
 * passwords, the folder tree, shares, settings), the file tree (avatars, thumbnails), V2 → V4 in one run checked
 * as V3 → V4 from that V3, and the S3/remote blockers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateV2, v2Password } from '../../packs/cloudreve/sample/generate-v2.js';
import { migrate } from '../../src/ops/migrate.js';
import { ferry } from '../helpers/cli.js';
import { requireServer, scratchDb, sqlOn, tempDir, type EngineName, type ScratchDb } from '../helpers/servers.js';
import { assertV4, readV3 } from './v4-expectations.js';

type Row = Record<string, unknown>;
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const swap = (g: number) => (g === 2 ? 3 : g === 3 ? 2 : g);

const SALT = 'cloudreve-v2-test-salt';
const SIDECAR = '{"thumb_sidecar":"true","thumb_status":"exist"}';
const work = tempDir();
const dbs: ScratchDb[] = [];
after(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => {})));
  work.remove();
});

async function scratch(engine: EngineName, label: string): Promise<ScratchDb> {
  const db = await scratchDb(engine, label);
  dbs.push(db);
  return db;
}

async function rows(engine: EngineName, url: string, table: string): Promise<Row[]> {
  const q = engine === 'mysql' ? '`' : '"';
  const [result] = await sqlOn(engine, url, [`SELECT * FROM ${q}${table}${q} ORDER BY id`]);
  return result as Row[];
}

const TIME = "'2019-05-01 10:00:00'";
/** What a real V2 site has beyond the generator's clean data; ids past the generated ones. */
const EDGE_CASES = [
  // The same name twice in one folder (V2 had no unique index): a copy of file 1, a copy of folder 2.
  `INSERT INTO sd_files (orign_name, pre_name, upload_user, size, upload_date, pic_info, parent_folder, policy_id, dir)
     SELECT orign_name, CONCAT(pre_name, '.copy'), upload_user, size, upload_date, pic_info, parent_folder, policy_id, dir FROM sd_files WHERE id = 1`,
  `INSERT INTO sd_folders (folder_name, parent_folder, position, owner, date, position_absolute)
     SELECT folder_name, parent_folder, position, owner, date, position_absolute FROM sd_folders WHERE id = 2`,
  // Orphan folders: an owner that is not a number, one that does not exist, a parent that does not exist.
  `INSERT INTO sd_folders (folder_name, parent_folder, position, owner, date, position_absolute) VALUES
     ('Lost', 1, '/', 'nobody', ${TIME}, '/Lost'), ('Gone', 1, '/', '9999', ${TIME}, '/Gone'), ('Adrift', 99999, '/x', '1', ${TIME}, '/x/Adrift')`,
  // Orphan files: no folder, no owner, no policy.
  `INSERT INTO sd_files (orign_name, pre_name, upload_user, size, upload_date, pic_info, parent_folder, policy_id, dir) VALUES
     ('stray.txt', 'x/stray.txt', 1, 10, ${TIME}, ' ', 99999, 1, '/nowhere'),
     ('ghost.txt', 'x/ghost.txt', 9999, 10, ${TIME}, ' ', 1, 1, '/'),
     ('nopolicy.txt', 'x/nopolicy.txt', 1, 10, ${TIME}, ' ', 1, 77, '/')`,
  // Shares of a file and a folder that do not exist, and one by a user who does not.
  `INSERT INTO sd_shares (type, share_time, owner, source_name, origin_name, download_num, view_num, source_type, share_key, share_pwd) VALUES
     ('public', ${TIME}, 1, '99999', 'gone.txt', 0, 0, 'file', 'zzzzzzz1', '0'),
     ('public', ${TIME}, 1, '/nope', '/nope', 0, 0, 'dir', 'zzzzzzz2', '0'),
     ('private', ${TIME}, 9999, '1', 'x', 0, 0, 'file', 'zzzzzzz3', 'pw12')`,
  "UPDATE sd_users SET two_step = 'JBSWY3DPEHPK3PXP' WHERE id = 2",
  "UPDATE sd_users SET user_status = 1, user_activation_key = 'n' WHERE id = 5",
  "UPDATE sd_users SET user_status = 1, user_activation_key = 'abc123' WHERE id = 6",
];

/** The V2 database as the assertions need it. */
async function readV2(url: string) {
  const [users, groups, folders, files, shares, options, policies] = await Promise.all(
    ['sd_users', 'sd_groups', 'sd_folders', 'sd_files', 'sd_shares', 'sd_options', 'sd_policy'].map((t) => rows('mysql', url, t)),
  );
  const userIds = new Set(users!.map((u) => n(u.id)));
  const folderIds = new Set(folders!.map((f) => n(f.id)));
  const liveFolders = folders!.filter(
    (f) => /^\d+$/.test(String(f.owner)) && userIds.has(Number(f.owner)) && (n(f.parent_folder) === 0 || folderIds.has(n(f.parent_folder))),
  );
  const liveFolderIds = new Set(liveFolders.map((f) => n(f.id)));
  const policyType = new Map(policies!.map((p) => [n(p.id), String(p.policy_type)]));
  const liveFiles = files!.filter(
    (f) => liveFolderIds.has(n(f.parent_folder)) && userIds.has(n(f.upload_user)) && policyType.has(n(f.policy_id)),
  );
  const copyOfFile1 = Math.max(...files!.filter((f) => f.orign_name === files![0]!.orign_name).map((f) => n(f.id)!));
  const copyOfFolder2 = Math.max(...folders!.filter((f) => f.position_absolute === folders![1]!.position_absolute).map((f) => n(f.id)!));
  const option = (name: string) => String(options!.find((o) => o.option_name === name)?.option_value);
  return { users, groups, folders, files, shares, policies, liveFolders, liveFiles, policyType, copyOfFile1, copyOfFolder2, option };
}
type V2 = Awaited<ReturnType<typeof readV2>>;

/** The V3 database against the V2 one: what §5.2 says each table becomes. */
async function assertV3(v2: V2, engine: EngineName, url: string, v2Salt = 'sdshare'): Promise<void> {
  const [users, groups, folders, files, shares, settings, nodes, policies, tasks] = await Promise.all(
    ['users', 'groups', 'folders', 'files', 'shares', 'settings', 'nodes', 'policies', 'tasks'].map((t) => rows(engine, url, t)),
  );

  // Users keep their ids; V2 groups 2 (guest) and 3 (registered) are V3's 3 (anonymous) and 2 (user).
  assert.deepEqual(
    users!.map((u) => n(u.id)),
    v2.users!.map((u) => n(u.id)),
  );
  for (const u of users!) {
    const old = v2.users!.find((x) => n(x.id) === n(u.id))!;
    assert.equal(n(u.group_id), swap(n(old.user_group)!), `user ${String(u.id)}'s group`);
    const [scheme, hash, salt] = String(u.password).split(':');
    assert.deepEqual([scheme, hash, salt], ['md5', old.user_pass, v2Salt]);
    // The generator's site uses V2's default salt: V3 verifies md5(salt + password) as V2 did.
    if (v2Salt === 'sdshare') assert.equal(hash, md5(`sdshare${v2Password(n(u.id)!)}`), `user ${String(u.id)}'s password verifies`);
    assert.equal(u.email, old.user_email);
    assert.equal(n(u.storage), n(old.used_storage));
    const status = n(old.user_status) === 0 ? 0 : old.user_activation_key === 'n' ? 2 : 1;
    assert.equal(n(u.status), status, `user ${String(u.id)}'s status`);
    const avatar = String(old.avatar);
    assert.equal(u.avatar, avatar.startsWith('f.') ? 'file' : avatar.startsWith('g.') ? 'gravatar' : '');
    assert.equal(u.two_factor, '');
    const options = JSON.parse(String(u.options)) as { profile_off?: boolean };
    assert.equal(options.profile_off ?? false, !truthy(old.profile));
  }
  assert.equal(n(users!.find((u) => n(u.id) === 5)!.status), 2, 'status 1 with an activated key: banned');
  assert.equal(n(users!.find((u) => n(u.id) === 6)!.status), 1, 'status 1 with a pending key: not activated');
  assert.ok(
    v2.users!.some((u) => n(u.user_group) === 3),
    'the sample has registered users',
  );

  assert.deepEqual(groups!.map((g) => [n(g.id), g.name]).sort(), v2.groups!.map((g) => [swap(n(g.id)!), g.group_name]).sort());
  assert.equal(groups!.find((g) => n(g.id) === 3)!.name, '游客', 'V2 guest is V3 anonymous');
  const premium = groups!.find((g) => n(g.id) === 4)!;
  assert.deepEqual([premium.policies, n(premium.speed_limit)], ['[2]', 512 * 1024]);
  assert.equal(JSON.parse(String(premium.options)).aria2, true, 'aria2 "1,1,1"');

  const local = policies!.find((p) => p.type === 'local')!;
  assert.equal(local.dir_name_rule, 'public/uploads/{date}/{uid}');
  const upyun = policies!.find((p) => p.type === 'upyun')!;
  const upyunV2 = v2.policies!.find((p) => p.policy_type === 'upyun')!;
  assert.deepEqual([upyun.access_key, upyun.secret_key], [upyunV2.op_name, upyunV2.op_pwd]);
  assert.deepEqual(JSON.parse(String(upyun.options)), {
    token: upyunV2.sk,
    file_type: ['jpg', 'png', 'gif', 'pdf', 'docx', 'xlsx'],
    mimetype: '',
    chunk_size: 26214400,
    s3_path_style: false,
  });

  // The folder tree: every file's path from its owner's root is V2's dir + name.
  assert.deepEqual(
    folders!.map((f) => n(f.id)),
    v2.liveFolders.map((f) => n(f.id)),
  );
  const byId = new Map(folders!.map((f) => [n(f.id)!, f]));
  const path = (id: number): string => {
    const f = byId.get(id)!;
    return f.parent_id === null ? '' : `${path(n(f.parent_id)!)}/${String(f.name)}`;
  };
  for (const f of folders!) {
    const old = v2.folders!.find((x) => n(x.id) === n(f.id))!;
    if (n(f.id) === v2.copyOfFolder2) continue;
    assert.equal(path(n(f.id)!) || '/', old.position_absolute, `folder ${String(f.id)}'s path`);
    assert.equal(n(f.owner_id), Number(old.owner));
  }
  const copy = byId.get(v2.copyOfFolder2)!;
  assert.equal(copy.name, `${v2.copyOfFolder2}_${String(v2.folders![1]!.folder_name)}`, 'a repeated folder name is renamed <id>_<name>');
  assert.deepEqual(
    files!.map((f) => n(f.id)),
    v2.liveFiles.map((f) => n(f.id)),
  );
  for (const f of files!) {
    const old = v2.liveFiles.find((x) => n(x.id) === n(f.id))!;
    const name = n(f.id) === v2.copyOfFile1 ? `${v2.copyOfFile1}_${String(old.orign_name)}` : String(old.orign_name);
    const dir = String(old.dir);
    assert.equal(`${path(n(f.folder_id)!)}/${String(f.name)}`, `${dir === '/' ? '' : dir}/${name}`, `file ${String(f.id)}'s path`);
    assert.equal(n(f.user_id), n(old.upload_user));
    assert.equal(n(f.size), n(old.size));
    const local = v2.policyType.get(n(old.policy_id)) === 'local';
    assert.equal(f.source_name, local ? `public/uploads/${String(old.pre_name)}` : old.pre_name);
    assert.match(String(f.pic_info), /^(|[1-9]\d*,[1-9]\d*)$/);
  }

  // Shares resolve to the same file, or the folder at the same path of the same owner.
  const v2Live = v2.shares!.filter((s) => n(s.owner) !== 9999 && !['99999', '/nope'].includes(String(s.source_name)));
  assert.deepEqual(
    shares!.map((s) => n(s.id)),
    v2Live.map((s) => n(s.id)),
  );
  for (const s of shares!) {
    const old = v2Live.find((x) => n(x.id) === n(s.id))!;
    assert.equal(truthy(s.is_dir), old.source_type === 'dir');
    if (truthy(s.is_dir)) {
      assert.equal(path(n(s.source_id)!) || '/', old.source_name, `share ${String(s.id)}'s folder`);
      assert.equal(n(byId.get(n(s.source_id)!)!.owner_id), n(old.owner));
    } else assert.equal(n(s.source_id), Number(old.source_name), `share ${String(s.id)}'s file`);
    assert.equal(s.password, old.share_pwd === '0' ? '' : old.share_pwd);
    assert.deepEqual(
      [n(s.views), n(s.downloads), n(s.remain_downloads), truthy(s.preview_enabled)],
      [n(old.view_num), n(old.download_num), -1, true],
    );
  }
  assert.ok(shares!.some((s) => truthy(s.is_dir)) && shares!.some((s) => !truthy(s.is_dir)));

  // Settings: the obvious mapping, and no db_version row (V3 seeds its defaults on its first start).
  const setting = (name: string) => settings!.find((s) => s.name === name);
  assert.equal(setting('siteURL')?.value, v2.option('siteURL'));
  assert.equal(setting('siteName')?.value, v2.option('siteName'));
  assert.deepEqual([setting('register_enabled')?.value, setting('register_enabled')?.type], ['1', 'register'], "regStatus '0' is open");
  assert.equal(setting('default_group')?.value, '2', 'defaultGroup 3 (registered) is V3 group 2');
  assert.equal(setting('smtpEncryption')?.value, '0');
  assert.equal(setting('siteScript')?.value, v2.option('js_code'));
  for (const gone of ['siteStatus', 'regStatus', 'themes', 'database_version', 'aria2_rpcurl'])
    assert.equal(setting(gone), undefined, `${gone} is not a V3 setting`);
  assert.ok(!settings!.some((s) => String(s.name).startsWith('db_version_')));

  assert.equal(nodes!.length, 1);
  const node = nodes![0]!;
  assert.deepEqual([n(node.id), n(node.type), truthy(node.aria2_enabled)], [1, 1, true]);
  assert.equal(JSON.parse(String(node.aria2_options)).server, v2.option('aria2_rpcurl'));
  assert.equal(tasks!.length, 0);
}

const postgres = await requireServer('postgres');

describe('Cloudreve V2 (MySQL) → V3 → V4', await requireServer('mysql'), () => {
  let v2db: ScratchDb;
  let v2: V2;
  const root = join(work.path, 'v2-site');
  let thumbFile: Row;
  let avatarUser: Row;

  before(async () => {
    v2db = await scratch('mysql', 'cr2');
    await generateV2(v2db.url, { users: 30, files: 1500, seed: 23 });
    await sqlOn('mysql', v2db.url, EDGE_CASES);
    v2 = await readV2(v2db.url);
    // The V2 root: a local upload with its thumbnail, an avatar in its three sizes, leftovers V3 does not take.
    thumbFile = v2.liveFiles.find((f) => v2.policyType.get(n(f.policy_id)) === 'local')!;
    avatarUser = v2.users!.find((u) => String(u.avatar).startsWith('f.'))!;
    const save = String(avatarUser.avatar).slice(2);
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    put(`public/uploads/${String(thumbFile.pre_name)}`, 'content');
    put(`public/thumb/${String(thumbFile.pre_name)}_thumb`, 'thumbnail');
    for (const [suffix, size] of [
      ['', 200],
      ['_130', 130],
      ['_50', 50],
    ])
      put(`public/avatars/${save}${suffix}`, `avatar ${size}`);
    put('public/avatars/nobody.png', 'unused');
    put('public/uploads/chunks/abc.chunk', 'piece');
  });

  test('check: detected, no blockers, every loss counted', async () => {
    const run = await ferry(['check', v2db.url, '--app', 'cloudreve', '--to', '3.8', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const findings = (
      JSON.parse(run.stdout) as { findings: { code: string; severity: string; table?: string; count?: number; ids?: unknown[] }[] }
    ).findings;
    const find = (code: string, table?: string) => findings.filter((f) => f.code === code && (!table || f.table === table));
    assert.equal(find('version')[0]?.severity, 'info');
    assert.deepEqual(
      findings.filter((f) => f.severity === 'blocker'),
      [],
    );
    const [counts] = await sqlOn('mysql', v2db.url, [
      `SELECT ${['sd_callback', 'sd_chunks', 'sd_corn', 'sd_download', 'sd_task', 'sd_storage_pack'].map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`,
    ]);
    for (const [table, count] of Object.entries((counts as Row[])[0]!)) {
      assert.equal(find('dropped-table', table)[0]?.count, Number(count), `the loss of ${table} is counted`);
    }
    const twoFactor = v2.users!.filter((u) => !['', '0'].includes(String(u.two_step)));
    assert.deepEqual(
      find('two-factor').map((f) => [f.severity, f.count]),
      [['loss', twoFactor.length]],
    );
    assert.ok(find('two-factor')[0]!.ids!.includes(2));
    assert.equal(find('dropped-column', 'sd_shares')[0]?.count, v2.shares!.length, 'V2 share links');
    assert.equal(find('dropped-column', 'sd_users').length, 3, 'timed groups (2 columns), WebDAV keys');
    assert.deepEqual(
      find('duplicate-names').map((f) => [f.severity, f.table, f.ids]),
      [
        ['warning', 'sd_folders', [v2.copyOfFolder2]],
        ['warning', 'sd_files', [v2.copyOfFile1]],
      ],
    );
    assert.deepEqual(
      find('orphans')
        .map((f) => [f.table, f.count])
        .sort(),
      [
        ['sd_files', 1],
        ['sd_files', 1],
        ['sd_files', 1],
        ['sd_folders', 1],
        ['sd_folders', 1],
        ['sd_folders', 1],
        ['sd_shares', 1],
        ['sd_shares', 2],
      ].sort(),
    );
    assert.ok(find('dropped-rows', 'sd_options').length > 10, 'unsupported settings, by key');
    // Repeated names are expected in V2, not a pack's duplicate keys; every column is read or declared.
    assert.deepEqual(
      findings.filter((f) => ['unread-column', 'duplicate-keys'].includes(f.code)),
      [],
    );
  });

  test('V2 → V3 on SQLite: rows, the folder tree, shares, settings; the file tree with avatars and thumbnails', async () => {
    const target = `sqlite:${join(work.path, 'v3.db')}`;
    const v3root = join(work.path, 'v3-site');
    const run = await ferry([
      'migrate',
      v2db.url,
      target,
      '--app',
      'cloudreve',
      '--to',
      '3.8',
      '--yes',
      '--files',
      root,
      '--files-to',
      v3root,
      '--set',
      `v3Root=${root}`,
      '--state',
      join(work.path, 'v3-state.json'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    await assertV3(v2, 'sqlite', target);

    const uid = n(avatarUser.id)!;
    for (const [size, text] of [
      [2, 'avatar 200'],
      [1, 'avatar 130'],
      [0, 'avatar 50'],
    ])
      assert.equal(readFileSync(join(v3root, 'avatar', `avatar_${uid}_${size}.png`), 'utf8'), text);
    assert.equal(readFileSync(join(v3root, 'public', 'uploads', `${String(thumbFile.pre_name)}._thumb`), 'utf8'), 'thumbnail');
    assert.equal(readFileSync(join(v3root, 'public', 'uploads', String(thumbFile.pre_name)), 'utf8'), 'content');
    for (const gone of ['public/avatars', 'public/thumb', 'public/uploads/chunks'])
      assert.ok(!existsSync(join(v3root, gone)), `${gone} is left behind`);
    // The thumbnail found in the V2 root is recorded as V3's sidecar; other files have no metadata.
    const [meta] = await sqlOn('sqlite', target, ['SELECT id, metadata FROM files WHERE metadata IS NOT NULL']);
    assert.deepEqual(meta, [{ id: n(thumbFile.id), metadata: SIDECAR }]);
  });

  test('V2 → V3 on PostgreSQL', postgres, async () => {
    const dst = await scratch('postgres', 'cr3');
    const result = await migrate({
      source: v2db.url,
      target: dst.url,
      app: 'cloudreve',
      to: '3.8',
      // A site whose config.php changed V2's salt: V3 must verify with that one.
      inputs: { v2Salt: 'site-salt' },
      yes: true,
      statePath: join(work.path, 'pg-state.json'),
      rejectsDir: join(work.path, 'pg-rejects'),
    });
    assert.ok(result.verified);
    assert.equal(
      result.tables.reduce((s, t) => s + t.rejected, 0),
      0,
      'nothing rejected',
    );
    assert.deepEqual(
      result.upgrade!.account.tables.filter((t) => t.carried + t.dropped + t.skipped + t.rejected !== t.rows),
      [],
    );
    await assertV3(v2, 'postgres', dst.url, 'site-salt');
  });

  test('V2 → V4 on SQLite in one run: the same as V3 → V4 from the V3 made above, avatars included', async () => {
    const target = join(work.path, 'v4.db');
    const v4root = join(work.path, 'v4-site');
    const run = await ferry([
      'migrate',
      v2db.url,
      `sqlite:${target}`,
      '--app',
      'cloudreve',
      '--to',
      '4.0',
      '--set',
      `hashIdSalt=${SALT}`,
      '--set',
      'md5Passwords=keep',
      '--yes',
      '--files',
      root,
      '--files-to',
      v4root,
      '--state',
      join(work.path, 'v4-state.json'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /cloudreve 2\.0\.0-Alpha1 → 4\.0/);
    const v3 = await readV3({ engine: 'sqlite', url: `sqlite:${join(work.path, 'v3.db')}` });
    await assertV4(v3, { engine: 'sqlite', url: `sqlite:${target}` }, SALT);
    // V4's groups: V2's registered users (group 3) are V4's users (group 2); admin is 1, anonymous 3.
    const [users] = await sqlOn('sqlite', `sqlite:${target}`, ['SELECT id, group_users FROM users ORDER BY id']);
    assert.deepEqual(
      (users as Row[]).map((u) => [n(u.id), n(u.group_users)]),
      v2.users!.map((u) => [n(u.id), swap(n(u.user_group)!)]),
    );
    assert.equal(readFileSync(join(v4root, 'avatar', `avatar_${n(avatarUser.id)}.png`), 'utf8'), 'avatar 200');
  });
});

test('S3 and remote policies are blockers, with their ids and files: exit 3, nothing written', await requireServer('mysql'), async () => {
  const db = await scratch('mysql', 'cr2u');
  await generateV2(db.url, { users: 6, files: 80, seed: 5, unsupportedPolicies: true });
  const target = join(work.path, 'never.db');
  const run = await ferry([
    'migrate',
    db.url,
    `sqlite:${target}`,
    '--app',
    'cloudreve',
    '--to',
    '3.8',
    '--yes',
    '--state',
    join(work.path, 'never-state.json'),
  ]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /1 S3 storage policy \(id 4\) with 3 file\(s\).*delete them and their files in V2 first/);
  assert.match(run.stderr, /1 remote \(slave\) storage policy \(id 5\) with 3 file\(s\)/);
  assert.ok(!existsSync(target), 'nothing written');
  const check = await ferry(['check', db.url, '--app', 'cloudreve', '--to', '3.8', '--json']);
  assert.equal(check.code, 3);
  // With --json, stdout is one document: the findings, blockers included.
  const blockers = (JSON.parse(check.stdout) as { findings: { severity: string; code: string; ids?: unknown[] }[] }).findings.filter(
    (f) => f.severity === 'blocker',
  );
  assert.deepEqual(
    blockers.map((b) => [b.code, b.ids]),
    [
      ['unsupported-policies', [4]],
      ['unsupported-policies', [5]],
    ],
  );
});
