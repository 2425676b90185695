/**
 * The Cloudreve sample generators: the V3 schema each engine gets against the reference (docs: cloudreve fact
 * sheet §2.2), the special situations the V3→V4 hop must meet (counted by SQL, as the pack's tests count them),
 * the unique indexes, determinism, and V2's shape on MySQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateV2, v2Password } from '../../packs/cloudreve/sample/generate-v2.js';
import { generateV3, v3Password } from '../../packs/cloudreve/sample/generate-v3.js';
import { requireServer, scratchDb, sqlOn, tempDir, type EngineName } from '../helpers/servers.js';

/** The reference's reconstructed SQLite DDL (§2.2), verbatim. */
const REFERENCE_SQLITE_DDL = `
CREATE TABLE "users" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"email" varchar(100),"nick" varchar(50),"password" varchar(255),"status" integer,"group_id" integer,"storage" bigint,"two_factor" varchar(255),"avatar" varchar(255),"options" text,"authn" text );
CREATE INDEX idx_users_deleted_at ON "users"("deleted_at");
CREATE UNIQUE INDEX uix_users_email ON "users"("email");
CREATE TABLE "settings" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"type" varchar(255) NOT NULL,"name" varchar(255) NOT NULL UNIQUE,"value" text );
CREATE INDEX idx_settings_deleted_at ON "settings"("deleted_at");
CREATE INDEX setting_key ON "settings"("name");
CREATE TABLE "groups" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"name" varchar(255),"policies" varchar(255),"max_storage" bigint,"share_enabled" bool,"web_dav_enabled" bool,"speed_limit" integer,"options" text );
CREATE INDEX idx_groups_deleted_at ON "groups"("deleted_at");
CREATE TABLE "policies" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"name" varchar(255),"type" varchar(255),"server" varchar(255),"bucket_name" varchar(255),"is_private" bool,"base_url" varchar(255),"access_key" text,"secret_key" text,"max_size" bigint,"auto_rename" bool,"dir_name_rule" varchar(255),"file_name_rule" varchar(255),"is_origin_link_enable" bool,"options" text );
CREATE INDEX idx_policies_deleted_at ON "policies"("deleted_at");
CREATE TABLE "folders" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"name" varchar(255),"parent_id" integer,"owner_id" integer );
CREATE INDEX idx_folders_deleted_at ON "folders"("deleted_at");
CREATE INDEX parent_id ON "folders"("parent_id");
CREATE INDEX owner_id ON "folders"("owner_id");
CREATE UNIQUE INDEX idx_only_one_name ON "folders"("name", "parent_id");
CREATE TABLE "files" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"name" varchar(255),"source_name" text,"user_id" integer,"size" bigint,"pic_info" varchar(255),"folder_id" integer,"policy_id" integer,"upload_session_id" varchar(255),"metadata" text );
CREATE INDEX idx_files_deleted_at ON "files"("deleted_at");
CREATE INDEX user_id ON "files"("user_id");
CREATE INDEX folder_id ON "files"("folder_id");
CREATE INDEX session_id ON "files"("upload_session_id");
CREATE UNIQUE INDEX idx_only_one ON "files"("name", "user_id", "folder_id");
CREATE UNIQUE INDEX session_only_one ON "files"("upload_session_id");
CREATE TABLE "shares" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"password" varchar(255),"is_dir" bool,"user_id" integer,"source_id" integer,"views" integer,"downloads" integer,"remain_downloads" integer,"expires" datetime,"preview_enabled" bool,"source_name" varchar(255) );
CREATE INDEX idx_shares_deleted_at ON "shares"("deleted_at");
CREATE INDEX source ON "shares"("source_name");
CREATE TABLE "tasks" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"status" integer,"type" integer,"user_id" integer,"progress" integer,"error" text,"props" text );
CREATE INDEX idx_tasks_deleted_at ON "tasks"("deleted_at");
CREATE TABLE "downloads" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"status" integer,"type" integer,"source" text,"total_size" bigint,"downloaded_size" bigint,"g_id" text,"speed" integer,"parent" text,"attrs" text,"error" text,"dst" text,"user_id" integer,"task_id" integer,"node_id" integer );
CREATE INDEX idx_downloads_deleted_at ON "downloads"("deleted_at");
CREATE TABLE "tags" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"name" varchar(255),"icon" varchar(255),"color" varchar(255),"type" integer,"expression" text,"user_id" integer );
CREATE INDEX idx_tags_deleted_at ON "tags"("deleted_at");
CREATE TABLE "webdavs" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"name" varchar(255),"password" varchar(255),"user_id" integer,"root" text,"readonly" bool,"use_proxy" bool );
CREATE INDEX idx_webdavs_deleted_at ON "webdavs"("deleted_at");
CREATE UNIQUE INDEX password_only_on ON "webdavs"("password", "user_id");
CREATE TABLE "nodes" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"status" integer,"name" varchar(255),"type" integer,"server" varchar(255),"slave_key" text,"master_key" text,"aria2_enabled" bool,"aria2_options" text,"rank" integer );
CREATE INDEX idx_nodes_deleted_at ON "nodes"("deleted_at");
CREATE TABLE "source_links" ("id" integer primary key autoincrement,"created_at" datetime,"updated_at" datetime,"deleted_at" datetime,"file_id" integer,"name" varchar(255),"downloads" integer );
CREATE INDEX idx_source_links_deleted_at ON "source_links"("deleted_at");
`;

/** The reference DDL as it reads with a TablePrefix: prefixed table names and automatic index names only. */
function referenceDdl(prefix: string): string[] {
  return REFERENCE_SQLITE_DDL.trim()
    .split('\n')
    .map((line) =>
      line
        .replace(/;$/, '')
        .replace(/(CREATE TABLE |ON )"(\w+)"/g, `$1"${prefix}$2"`)
        .replace(/ (idx|uix)_(\w+?)_(deleted_at|email) /g, ` $1_${prefix}$2_$3 `),
    );
}

const TABLES = [
  'users',
  'settings',
  'groups',
  'policies',
  'folders',
  'files',
  'shares',
  'tasks',
  'downloads',
  'tags',
  'webdavs',
  'nodes',
  'source_links',
];

/** Reference §2.2's MySQL column types, for the columns whose type is easy to get wrong. */
const MYSQL_TYPES: Record<string, string> = {
  'users.id': 'int unsigned',
  'users.created_at': 'timestamp',
  'users.email': 'varchar(100)',
  'users.status': 'int',
  'users.group_id': 'int unsigned',
  'users.storage': 'bigint unsigned',
  'users.options': 'longtext',
  'users.authn': 'longtext',
  'settings.value': 'longtext',
  'groups.share_enabled': 'tinyint(1)',
  'groups.options': 'longtext',
  'policies.access_key': 'text',
  'policies.options': 'text',
  'folders.parent_id': 'int unsigned',
  'files.source_name': 'text',
  'files.size': 'bigint unsigned',
  'shares.expires': 'timestamp',
  'downloads.g_id': 'longtext',
  'downloads.attrs': 'longtext',
  'webdavs.readonly': 'tinyint(1)',
  'nodes.rank': 'int',
};

/** The indexes every engine must have, by (prefix-free) name: [table, unique, columns]. */
const INDEXES: Record<string, [string, boolean, string]> = {
  uix_users_email: ['users', true, 'email'],
  setting_key: ['settings', false, 'name'],
  parent_id: ['folders', false, 'parent_id'],
  owner_id: ['folders', false, 'owner_id'],
  idx_only_one_name: ['folders', true, 'name,parent_id'],
  user_id: ['files', false, 'user_id'],
  folder_id: ['files', false, 'folder_id'],
  session_id: ['files', false, 'upload_session_id'],
  idx_only_one: ['files', true, 'name,user_id,folder_id'],
  session_only_one: ['files', true, 'upload_session_id'],
  source: ['shares', false, 'source_name'],
  password_only_on: ['webdavs', true, 'password,user_id'],
  idx_files_deleted_at: ['files', false, 'deleted_at'],
};

const onPostgres = await requireServer('postgres');
const onMysql = await requireServer('mysql');

const n = (rows: unknown[]) => Number((rows[0] as Record<string, unknown>).n);

/** Counts of the situations the V3→V4 hop must handle, and violations of V3's unique indexes. */
async function situations(engine: EngineName, url: string, p: string): Promise<Record<string, number>> {
  const q: Record<string, string> = {
    copies: `SELECT count(*) AS n FROM (SELECT source_name, policy_id FROM ${p}files GROUP BY source_name, policy_id HAVING count(*) > 1) x`,
    conflicts: `SELECT count(*) AS n FROM ${p}files f JOIN ${p}folders d ON d.parent_id = f.folder_id AND d.name = f.name AND d.owner_id = f.user_id WHERE f.deleted_at IS NULL AND d.deleted_at IS NULL`,
    filesOfMissingFolders: `SELECT count(*) AS n FROM ${p}files f WHERE NOT EXISTS (SELECT 1 FROM ${p}folders d WHERE d.id = f.folder_id)`,
    filesOfMissingUsers: `SELECT count(*) AS n FROM ${p}files f WHERE NOT EXISTS (SELECT 1 FROM ${p}users u WHERE u.id = f.user_id)`,
    filesOfMissingPolicies: `SELECT count(*) AS n FROM ${p}files f WHERE NOT EXISTS (SELECT 1 FROM ${p}policies x WHERE x.id = f.policy_id)`,
    filesOfDeletedPolicies: `SELECT count(*) AS n FROM ${p}files f JOIN ${p}policies x ON x.id = f.policy_id WHERE x.deleted_at IS NOT NULL`,
    liveFilesInDeletedFolders: `SELECT count(*) AS n FROM ${p}files f JOIN ${p}folders d ON d.id = f.folder_id WHERE f.deleted_at IS NULL AND d.deleted_at IS NOT NULL`,
    filesOfDeletedUsers: `SELECT count(*) AS n FROM ${p}files f JOIN ${p}users u ON u.id = f.user_id WHERE u.deleted_at IS NOT NULL`,
    deletedUsers: `SELECT count(*) AS n FROM ${p}users WHERE deleted_at IS NOT NULL`,
    deletedFolders: `SELECT count(*) AS n FROM ${p}folders WHERE deleted_at IS NOT NULL`,
    deletedFiles: `SELECT count(*) AS n FROM ${p}files WHERE deleted_at IS NOT NULL`,
    deletedShares: `SELECT count(*) AS n FROM ${p}shares WHERE deleted_at IS NOT NULL`,
    deletedAria2Settings: `SELECT count(*) AS n FROM ${p}settings WHERE deleted_at IS NOT NULL AND type = 'aria2'`,
    deletedPolicies: `SELECT count(*) AS n FROM ${p}policies WHERE deleted_at IS NOT NULL`,
    md5Passwords: `SELECT count(*) AS n FROM ${p}users WHERE password LIKE 'md5:%'`,
    rootShares: `SELECT count(*) AS n FROM ${p}shares s JOIN ${p}folders d ON d.id = s.source_id WHERE s.is_dir AND d.parent_id IS NULL`,
    sharesOfMissingFiles: `SELECT count(*) AS n FROM ${p}shares s WHERE NOT s.is_dir AND NOT EXISTS (SELECT 1 FROM ${p}files f WHERE f.id = s.source_id)`,
    sharesOfDeletedUsers: `SELECT count(*) AS n FROM ${p}shares s JOIN ${p}users u ON u.id = s.user_id WHERE u.deleted_at IS NOT NULL`,
    expiredShares: `SELECT count(*) AS n FROM ${p}shares WHERE expires < '2024-06-28 10:00:00'`,
    futureShares: `SELECT count(*) AS n FROM ${p}shares WHERE expires > '2024-06-28 10:00:00'`,
    exhaustedShares: `SELECT count(*) AS n FROM ${p}shares WHERE remain_downloads = 0`,
    limitedShares: `SELECT count(*) AS n FROM ${p}shares WHERE remain_downloads = 5`,
    movedFolders: `SELECT count(*) AS n FROM ${p}folders WHERE parent_id > id`,
    parentZero: `SELECT count(*) AS n FROM ${p}folders WHERE parent_id = 0`,
    foldersOfMissingUsers: `SELECT count(*) AS n FROM ${p}folders d WHERE NOT EXISTS (SELECT 1 FROM ${p}users u WHERE u.id = d.owner_id)`,
    rootsMissing: `SELECT count(*) AS n FROM ${p}users u WHERE NOT EXISTS (SELECT 1 FROM ${p}folders d WHERE d.owner_id = u.id AND d.parent_id IS NULL AND d.name = '/')`,
    placeholders: `SELECT count(*) AS n FROM ${p}files WHERE upload_session_id IS NOT NULL`,
    renamedLinks: `SELECT count(*) AS n FROM ${p}source_links l JOIN ${p}files f ON f.id = l.file_id WHERE l.name <> f.name`,
    linksOfMissingFiles: `SELECT count(*) AS n FROM ${p}source_links l WHERE NOT EXISTS (SELECT 1 FROM ${p}files f WHERE f.id = l.file_id)`,
    webdavsOfMissingUsers: `SELECT count(*) AS n FROM ${p}webdavs w WHERE NOT EXISTS (SELECT 1 FROM ${p}users u WHERE u.id = w.user_id)`,
    webdavCombos: `SELECT count(*) AS n FROM (SELECT readonly, use_proxy FROM ${p}webdavs GROUP BY readonly, use_proxy) x`,
    thumbs: `SELECT count(*) AS n FROM ${p}files WHERE metadata LIKE '%"thumb_status":"exist"%'`,
    dupFiles: `SELECT count(*) AS n FROM (SELECT name FROM ${p}files GROUP BY name, user_id, folder_id HAVING count(*) > 1) x`,
    dupFolders: `SELECT count(*) AS n FROM (SELECT name FROM ${p}folders WHERE parent_id IS NOT NULL GROUP BY name, parent_id HAVING count(*) > 1) x`,
    dupEmails: `SELECT count(*) AS n FROM (SELECT email FROM ${p}users GROUP BY email HAVING count(*) > 1) x`,
    dupSettings: `SELECT count(*) AS n FROM (SELECT name FROM ${p}settings GROUP BY name HAVING count(*) > 1) x`,
    dupWebdavs: `SELECT count(*) AS n FROM (SELECT password FROM ${p}webdavs GROUP BY password, user_id HAVING count(*) > 1) x`,
    dupSessions: `SELECT count(*) AS n FROM (SELECT upload_session_id FROM ${p}files WHERE upload_session_id IS NOT NULL GROUP BY upload_session_id HAVING count(*) > 1) x`,
    storageMismatches: `SELECT count(*) AS n FROM ${p}users u WHERE u.storage <> (SELECT coalesce(sum(f.size), 0) FROM ${p}files f WHERE f.user_id = u.id AND f.deleted_at IS NULL)`,
  };
  const names = Object.keys(q);
  const results = await sqlOn(engine, url, Object.values(q));
  return Object.fromEntries(names.map((name, i) => [name, n(results[i]!)]));
}

function assertSituations(s: Record<string, number>, files: number): void {
  const atLeast: Record<string, number> = {
    copies: Math.floor(files * 0.005),
    conflicts: 3,
    filesOfMissingFolders: 1,
    filesOfMissingUsers: 1,
    filesOfMissingPolicies: 1,
    filesOfDeletedPolicies: 1,
    liveFilesInDeletedFolders: 1,
    filesOfDeletedUsers: 1,
    deletedUsers: 1,
    deletedFolders: 2,
    deletedFiles: 1,
    deletedShares: 1,
    deletedAria2Settings: 2,
    deletedPolicies: 1,
    md5Passwords: 2,
    rootShares: 1,
    sharesOfMissingFiles: 1,
    sharesOfDeletedUsers: 1,
    expiredShares: 1,
    futureShares: 1,
    exhaustedShares: 1,
    limitedShares: 1,
    movedFolders: 3,
    parentZero: 1,
    foldersOfMissingUsers: 1,
    placeholders: 2,
    renamedLinks: 1,
    linksOfMissingFiles: 1,
    webdavsOfMissingUsers: 1,
    webdavCombos: 4,
    thumbs: 1,
  };
  for (const [key, min] of Object.entries(atLeast)) assert.ok(s[key]! >= min, `${key}: ${s[key]} < ${min}`);
  for (const key of [
    'dupFiles',
    'dupFolders',
    'dupEmails',
    'dupSettings',
    'dupWebdavs',
    'dupSessions',
    'rootsMissing',
    'storageMismatches',
  ]) {
    assert.equal(s[key], 0, key);
  }
  assert.equal(s.placeholders, 2);
  assert.equal(s.parentZero, 1);
}

/** Passwords verify as V3 checks them: sha1(password + salt) or md5('sdshare' + password). */
async function assertPasswords(engine: EngineName, url: string, p: string): Promise<void> {
  const [rows] = await sqlOn(engine, url, [`SELECT id, password FROM ${p}users ORDER BY id`]);
  for (const row of rows as { id: number | string; password: string }[]) {
    const plain = v3Password(Number(row.id));
    const parts = row.password.split(':');
    if (parts[0] === 'md5') assert.equal(parts[1], createHash('md5').update(`sdshare${plain}`).digest('hex'));
    else
      assert.equal(
        parts[1],
        createHash('sha1')
          .update(plain + parts[0])
          .digest('hex'),
        `user ${row.id}`,
      );
    assert.ok(parts[0] === 'md5' || /^[0-9a-zA-Z]{16}$/.test(parts[0]!));
  }
}

describe('Cloudreve V3 sample', () => {
  test('SQLite: the reference DDL, every special situation, unique indexes, verifiable passwords, determinism', async () => {
    const a = await scratchDb('sqlite', 'cr');
    const b = await scratchDb('sqlite', 'cr');
    const avatars = tempDir();
    try {
      const files = 1500;
      const info = await generateV3(a.url, { files, seed: 5, avatarDir: avatars.path, hashIdSalt: 'salt' });
      assert.equal(info.counts.files, files);
      assert.equal(info.hashIdSalt, 'salt');
      const [master, counts] = await sqlOn('sqlite', a.url, [
        `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'`,
        `SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM settings WHERE deleted_at IS NULL) AS settings`,
      ]);
      assert.deepEqual((master as { sql: string }[]).map((r) => r.sql).sort(), referenceDdl('').sort());
      assert.deepEqual(counts, [{ files, users: 37, settings: info.counts.settings! - 3 }]);
      assertSituations(await situations('sqlite', a.url, ''), files);
      await assertPasswords('sqlite', a.url, '');

      const [times] = await sqlOn('sqlite', a.url, [`SELECT created_at FROM files WHERE id = 1`]);
      assert.match((times as { created_at: string }[])[0]!.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?\+08:00$/);
      const pngs = readdirSync(avatars.path);
      assert.ok(pngs.length >= 3 && pngs.every((f) => /^avatar_\d+_[012]\.png$/.test(f)));
      assert.deepEqual([...readFileSync(join(avatars.path, pngs[0]!)).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

      // Same seed, same data; and a database that already has the tables is refused.
      await generateV3(b.url, { files, seed: 5, hashIdSalt: 'salt' });
      const digest = async (url: string) => {
        const dump = await sqlOn(
          'sqlite',
          url,
          TABLES.map((t) => `SELECT * FROM ${t} ORDER BY id`),
        );
        return createHash('sha256').update(JSON.stringify(dump)).digest('hex');
      };
      assert.equal(await digest(a.url), await digest(b.url));
      await assert.rejects(generateV3(a.url, { files: 100 }), /already has Cloudreve V3 tables/);
    } finally {
      await a.drop();
      await b.drop();
      avatars.remove();
    }
  });

  test('SQLite with TablePrefix cr_: prefixed tables and automatic index names, bare explicit index names', async () => {
    const db = await scratchDb('sqlite', 'cr');
    try {
      await generateV3(db.url, { files: 400, prefix: 'cr_', seed: 9 });
      const [master] = await sqlOn('sqlite', db.url, [`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'`]);
      const ddl = (master as { sql: string }[]).map((r) => r.sql).sort();
      assert.deepEqual(ddl, referenceDdl('cr_').sort());
      assert.ok(ddl.includes('CREATE INDEX idx_cr_users_deleted_at ON "cr_users"("deleted_at")'));
      assert.ok(ddl.includes('CREATE UNIQUE INDEX uix_cr_users_email ON "cr_users"("email")'));
      assert.ok(ddl.includes('CREATE INDEX user_id ON "cr_files"("user_id")'));
      assertSituations(await situations('sqlite', db.url, 'cr_'), 400);
    } finally {
      await db.drop();
    }
  });

  test('PostgreSQL: gorm postgres types, the same index names, the special situations', onPostgres, async () => {
    const db = await scratchDb('postgres', 'cr');
    try {
      const files = 800;
      await generateV3(db.url, { files, seed: 3 });
      const [columns, indexes, seq] = await sqlOn('postgres', db.url, [
        `SELECT table_name || '.' || column_name AS col, data_type, character_maximum_length AS len FROM information_schema.columns WHERE table_schema = 'public'`,
        `SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
        `SELECT last_value FROM files_id_seq`,
      ]);
      const type = new Map(
        (columns as { col: string; data_type: string; len: number | null }[]).map((c) => [
          c.col,
          c.len ? `${c.data_type}(${c.len})` : c.data_type,
        ]),
      );
      assert.equal(new Set([...type.keys()].map((k) => k.split('.')[0])).size, TABLES.length);
      // gorm's postgres dialect: a string with no size tag is text, not varchar(255).
      assert.equal(type.get('users.email'), 'character varying(100)');
      assert.equal(type.get('users.nick'), 'character varying(50)');
      assert.equal(type.get('users.password'), 'text');
      assert.equal(type.get('files.size'), 'bigint');
      assert.equal(type.get('files.folder_id'), 'integer');
      assert.equal(type.get('shares.is_dir'), 'boolean');
      assert.equal(type.get('webdavs.readonly'), 'boolean');
      assert.equal(type.get('shares.expires'), 'timestamp with time zone');
      const byName = new Map((indexes as { indexname: string; tablename: string; indexdef: string }[]).map((i) => [i.indexname, i]));
      for (const [name, [table, unique, cols]] of Object.entries(INDEXES)) {
        const index = byName.get(name);
        assert.ok(index, `index ${name}`);
        assert.equal(index.tablename, table);
        assert.equal(index.indexdef.includes('UNIQUE'), unique, name);
        assert.ok(index.indexdef.replace(/"/g, '').endsWith(`(${cols.replace(/,/g, ', ')})`), index.indexdef);
      }
      assert.ok(Number((seq as { last_value: string }[])[0]!.last_value) >= files);
      assertSituations(await situations('postgres', db.url, ''), files);
      await assertPasswords('postgres', db.url, '');
    } finally {
      await db.drop();
    }
  });

  test('MySQL: the reference MySQL types, InnoDB, the same index names, the special situations', onMysql, async () => {
    const db = await scratchDb('mysql', 'cr');
    try {
      const files = 800;
      await generateV3(db.url, { files, seed: 4 });
      const [columns, indexes, engines] = await sqlOn('mysql', db.url, [
        `SELECT concat(table_name, '.', column_name) AS col, column_type AS type FROM information_schema.columns WHERE table_schema = database()`,
        `SELECT index_name AS name, table_name AS tbl, non_unique AS nu, group_concat(column_name ORDER BY seq_in_index) AS cols FROM information_schema.statistics WHERE table_schema = database() GROUP BY index_name, table_name, non_unique`,
        `SELECT DISTINCT engine AS engine FROM information_schema.tables WHERE table_schema = database()`,
      ]);
      const type = new Map((columns as { col: string; type: string }[]).map((c) => [c.col, c.type.replace(/^(int|bigint)\(\d+\)/, '$1')]));
      for (const [col, expected] of Object.entries(MYSQL_TYPES)) assert.equal(type.get(col), expected, col);
      assert.deepEqual(engines, [{ engine: 'InnoDB' }]);
      const byName = new Map((indexes as { name: string; tbl: string; nu: number | string; cols: string }[]).map((i) => [i.name, i]));
      for (const [name, [table, unique, cols]] of Object.entries(INDEXES)) {
        const index = byName.get(name);
        assert.ok(index, `index ${name}`);
        assert.deepEqual([index.tbl, Number(index.nu) === 0, index.cols], [table, unique, cols], name);
      }
      assertSituations(await situations('mysql', db.url, ''), files);
      await assertPasswords('mysql', db.url, '');
    } finally {
      await db.drop();
    }
  });
});

describe('Cloudreve V2 sample', () => {
  test('MySQL: 13 sd_ tables as mysql.sql has them, seeds, consistent paths, md5 passwords, shares that resolve', onMysql, async () => {
    const db = await scratchDb('mysql', 'cr');
    try {
      const files = 600;
      const { counts } = await generateV2(db.url, { files, seed: 2, unsupportedPolicies: true });
      assert.equal(counts.sd_files, files);
      const checks = await sqlOn('mysql', db.url, [
        `SELECT table_name AS name, engine, table_collation AS coll FROM information_schema.tables WHERE table_schema = database() ORDER BY table_name`,
        `SELECT count(*) AS n FROM information_schema.statistics WHERE table_schema = database() AND index_name <> 'PRIMARY'`,
        `SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = database() AND is_nullable = 'YES'`,
        `SELECT option_value AS v, option_type AS t FROM sd_options WHERE option_name = 'database_version'`,
        `SELECT id, group_name AS name, speed, aria2 FROM sd_groups ORDER BY id`,
        `SELECT id, user_pass AS pass FROM sd_users ORDER BY id`,
        // Every user has one root; every child's position is its parent's position_absolute.
        `SELECT count(*) AS n FROM sd_users u WHERE (SELECT count(*) FROM sd_folders f WHERE f.owner = u.id AND f.parent_folder = 0 AND f.folder_name = '根目录' AND f.position = '.' AND f.position_absolute = '/') <> 1`,
        `SELECT count(*) AS n FROM sd_folders c JOIN sd_folders p ON p.id = c.parent_folder WHERE c.position <> p.position_absolute OR c.position_absolute <> concat(CASE p.position_absolute WHEN '/' THEN '' ELSE p.position_absolute END, '/', c.folder_name) OR c.owner <> p.owner`,
        `SELECT count(*) AS n FROM sd_files f JOIN sd_folders d ON d.id = f.parent_folder WHERE f.dir <> d.position_absolute OR d.owner <> f.upload_user`,
        `SELECT count(*) AS n FROM sd_shares s WHERE s.source_type = 'file' AND NOT EXISTS (SELECT 1 FROM sd_files f WHERE f.id = s.source_name AND f.upload_user = s.owner)`,
        `SELECT count(*) AS n FROM sd_shares s WHERE s.source_type = 'dir' AND NOT EXISTS (SELECT 1 FROM sd_folders d WHERE d.position_absolute = s.source_name AND d.owner = s.owner)`,
        `SELECT count(*) AS n FROM sd_shares WHERE source_type = 'dir'`,
        `SELECT count(*) AS n FROM sd_shares WHERE (share_pwd = '0') <> (type = 'public')`,
        `SELECT policy_id AS p, count(*) AS n FROM sd_files WHERE policy_id IN (4, 5) GROUP BY policy_id ORDER BY policy_id`,
        `SELECT count(DISTINCT pic_info) AS n FROM sd_files WHERE pic_info IN (' ', '', '0,0', 'null,null')`,
        `SELECT count(*) AS n FROM sd_users u WHERE used_storage <> (SELECT coalesce(sum(size), 0) FROM sd_files f WHERE f.upload_user = u.id)`,
        `SELECT id, interval_s, enable FROM sd_corn WHERE id = 5`,
      ]);
      const [
        tables,
        secondary,
        nullable,
        version,
        groups,
        users,
        roots,
        paths,
        dirs,
        fileShares,
        dirShares,
        dirShareCount,
        pwd,
        unsupported,
        pics,
        storage,
        corn,
      ] = checks;
      assert.equal(tables!.length, 13);
      for (const t of tables as { name: string; engine: string; coll: string }[]) {
        const [engine, charset] =
          t.name === 'sd_task' ? ['InnoDB', 'utf8mb4'] : t.name === 'sd_download' ? ['MyISAM', 'utf8mb4'] : ['MyISAM', 'utf8'];
        assert.equal(t.engine, engine, t.name);
        assert.ok(t.coll.replace('utf8mb3', 'utf8').startsWith(`${charset}_`), `${t.name}: ${t.coll}`);
      }
      assert.equal(n(secondary!), 0);
      assert.equal(n(nullable!), 0);
      assert.deepEqual(version, [{ v: '5', t: 'version' }]);
      assert.deepEqual(
        (groups as { id: number; name: string }[]).map((g) => [g.id, g.name]),
        [
          [1, '管理员'],
          [2, '游客'],
          [3, '注册会员'],
          [4, '高级会员'],
        ],
      );
      assert.deepEqual(groups![3], { id: 4, name: '高级会员', speed: '512', aria2: '1,1,1' });
      const passes = users as { id: number; pass: string }[];
      assert.equal(passes[0]!.pass, 'd8446059f8846a2c111a7f53515665fb');
      for (const u of passes)
        assert.equal(
          u.pass,
          createHash('md5')
            .update(`sdshare${v2Password(u.id)}`)
            .digest('hex'),
        );
      for (const check of [roots, paths, dirs, fileShares, dirShares, pwd, storage]) assert.equal(n(check!), 0);
      assert.ok(n(dirShareCount!) >= 1);
      assert.deepEqual(
        (unsupported as { p: number; n: number | string }[]).map((r) => [r.p, Number(r.n)]),
        [
          [4, 3],
          [5, 3],
        ],
      );
      assert.ok(n(pics!) >= 3);
      assert.deepEqual(corn, [{ id: 5, interval_s: 1, enable: 127 }]);
    } finally {
      await db.drop();
    }
  });
});
