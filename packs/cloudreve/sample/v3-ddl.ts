/**
 * Cloudreve 3.8.3's schema as gorm v1.9.11 AutoMigrate creates it on each engine (reference §2.1–2.2). The columns
 * are written once, by the kind of Go field and tag behind them, because that is what decides each engine's type:
 * on PostgreSQL gorm gives a string without a size tag `text`, where SQLite and MySQL get varchar(255).
 */
import type { SinkEngine } from './sink.js';

type Kind =
  | 'str' // string, no size/type tag
  | 'varchar100' // type:varchar(100)
  | 'varchar50' // size:50
  | 'text' // type:text
  | 'long' // size ≥ 65532, or a size tag that does not parse (settings.value, downloads.g_id)
  | 'int'
  | 'uint'
  | 'uint64'
  | 'bool'
  | 'booltag' // type:bool, used verbatim
  | 'time'; // *time.Time

interface Column {
  name: string;
  kind: Kind;
  /** Extra words gorm appends from tags (`not null`, `unique`). */
  extra?: string;
}

interface Index {
  /** `{t}` stands for the (prefixed) table name: gorm names its automatic indexes after it. */
  name: string;
  columns: string[];
  unique?: boolean;
}

interface Table {
  name: string;
  columns: Column[];
  indexes: Index[];
}

const c = (name: string, kind: Kind, extra?: string): Column => ({ name, kind, extra });
const deletedAt: Index = { name: 'idx_{t}_deleted_at', columns: ['deleted_at'] };

/** The tables in AutoMigrate order, each without gorm.Model's id/created_at/updated_at/deleted_at. */
export const V3_TABLES: readonly Table[] = [
  {
    name: 'users',
    columns: [
      c('email', 'varchar100'),
      c('nick', 'varchar50'),
      c('password', 'str'),
      c('status', 'int'),
      c('group_id', 'uint'),
      c('storage', 'uint64'),
      c('two_factor', 'str'),
      c('avatar', 'str'),
      c('options', 'long'),
      c('authn', 'long'),
    ],
    indexes: [deletedAt, { name: 'uix_{t}_email', columns: ['email'], unique: true }],
  },
  {
    name: 'settings',
    columns: [c('type', 'str', 'NOT NULL'), c('name', 'str', 'NOT NULL UNIQUE'), c('value', 'long')],
    indexes: [deletedAt, { name: 'setting_key', columns: ['name'] }],
  },
  {
    name: 'groups',
    columns: [
      c('name', 'str'),
      c('policies', 'str'),
      c('max_storage', 'uint64'),
      c('share_enabled', 'bool'),
      c('web_dav_enabled', 'bool'),
      c('speed_limit', 'int'),
      c('options', 'long'),
    ],
    indexes: [deletedAt],
  },
  {
    name: 'policies',
    columns: [
      c('name', 'str'),
      c('type', 'str'),
      c('server', 'str'),
      c('bucket_name', 'str'),
      c('is_private', 'bool'),
      c('base_url', 'str'),
      c('access_key', 'text'),
      c('secret_key', 'text'),
      c('max_size', 'uint64'),
      c('auto_rename', 'bool'),
      c('dir_name_rule', 'str'),
      c('file_name_rule', 'str'),
      c('is_origin_link_enable', 'bool'),
      c('options', 'text'),
    ],
    indexes: [deletedAt],
  },
  {
    name: 'folders',
    columns: [c('name', 'str'), c('parent_id', 'uint'), c('owner_id', 'uint')],
    indexes: [
      deletedAt,
      { name: 'parent_id', columns: ['parent_id'] },
      { name: 'owner_id', columns: ['owner_id'] },
      { name: 'idx_only_one_name', columns: ['name', 'parent_id'], unique: true },
    ],
  },
  {
    name: 'files',
    columns: [
      c('name', 'str'),
      c('source_name', 'text'),
      c('user_id', 'uint'),
      c('size', 'uint64'),
      c('pic_info', 'str'),
      c('folder_id', 'uint'),
      c('policy_id', 'uint'),
      c('upload_session_id', 'str'),
      c('metadata', 'text'),
    ],
    indexes: [
      deletedAt,
      { name: 'user_id', columns: ['user_id'] },
      { name: 'folder_id', columns: ['folder_id'] },
      { name: 'session_id', columns: ['upload_session_id'] },
      { name: 'idx_only_one', columns: ['name', 'user_id', 'folder_id'], unique: true },
      { name: 'session_only_one', columns: ['upload_session_id'], unique: true },
    ],
  },
  {
    name: 'shares',
    columns: [
      c('password', 'str'),
      c('is_dir', 'bool'),
      c('user_id', 'uint'),
      c('source_id', 'uint'),
      c('views', 'int'),
      c('downloads', 'int'),
      c('remain_downloads', 'int'),
      c('expires', 'time'),
      c('preview_enabled', 'bool'),
      c('source_name', 'str'),
    ],
    indexes: [deletedAt, { name: 'source', columns: ['source_name'] }],
  },
  {
    name: 'tasks',
    columns: [c('status', 'int'), c('type', 'int'), c('user_id', 'uint'), c('progress', 'int'), c('error', 'text'), c('props', 'text')],
    indexes: [deletedAt],
  },
  {
    name: 'downloads',
    columns: [
      c('status', 'int'),
      c('type', 'int'),
      c('source', 'text'),
      c('total_size', 'uint64'),
      c('downloaded_size', 'uint64'),
      c('g_id', 'long'),
      c('speed', 'int'),
      c('parent', 'text'),
      c('attrs', 'long'),
      c('error', 'text'),
      c('dst', 'text'),
      c('user_id', 'uint'),
      c('task_id', 'uint'),
      c('node_id', 'uint'),
    ],
    indexes: [deletedAt],
  },
  {
    name: 'tags',
    columns: [c('name', 'str'), c('icon', 'str'), c('color', 'str'), c('type', 'int'), c('expression', 'text'), c('user_id', 'uint')],
    indexes: [deletedAt],
  },
  {
    name: 'webdavs',
    columns: [
      c('name', 'str'),
      c('password', 'str'),
      c('user_id', 'uint'),
      c('root', 'text'),
      c('readonly', 'booltag'),
      c('use_proxy', 'booltag'),
    ],
    indexes: [deletedAt, { name: 'password_only_on', columns: ['password', 'user_id'], unique: true }],
  },
  {
    name: 'nodes',
    columns: [
      c('status', 'int'),
      c('name', 'str'),
      c('type', 'int'),
      c('server', 'str'),
      c('slave_key', 'text'),
      c('master_key', 'text'),
      c('aria2_enabled', 'bool'),
      c('aria2_options', 'text'),
      c('rank', 'int'),
    ],
    indexes: [deletedAt],
  },
  {
    name: 'source_links',
    columns: [c('file_id', 'uint'), c('name', 'str'), c('downloads', 'int')],
    indexes: [deletedAt],
  },
];

/** The V3 table names in AutoMigrate order, without prefix. */
export const V3_TABLE_NAMES: readonly string[] = V3_TABLES.map((t) => t.name);

const TYPES: Record<Kind, Record<SinkEngine, string>> = {
  str: { sqlite: 'varchar(255)', mysql: 'varchar(255)', postgres: 'text' },
  varchar100: { sqlite: 'varchar(100)', mysql: 'varchar(100)', postgres: 'varchar(100)' },
  varchar50: { sqlite: 'varchar(50)', mysql: 'varchar(50)', postgres: 'varchar(50)' },
  text: { sqlite: 'text', mysql: 'text', postgres: 'text' },
  long: { sqlite: 'text', mysql: 'longtext', postgres: 'text' },
  int: { sqlite: 'integer', mysql: 'int', postgres: 'integer' },
  uint: { sqlite: 'integer', mysql: 'int unsigned', postgres: 'integer' },
  uint64: { sqlite: 'bigint', mysql: 'bigint unsigned', postgres: 'bigint' },
  bool: { sqlite: 'bool', mysql: 'boolean', postgres: 'boolean' },
  booltag: { sqlite: 'bool', mysql: 'bool', postgres: 'bool' },
  time: { sqlite: 'datetime', mysql: 'timestamp NULL', postgres: 'timestamp with time zone' },
};

const MODEL_COLUMNS: Record<SinkEngine, string[]> = {
  sqlite: ['integer primary key autoincrement', 'datetime', 'datetime', 'datetime'],
  mysql: ['int unsigned AUTO_INCREMENT', 'timestamp NULL', 'timestamp NULL', 'timestamp NULL'],
  postgres: ['serial', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone'],
};

/**
 * The statements gorm runs for a fresh 3.8.3 install, in its order: each CREATE TABLE, then that table's indexes.
 * The TablePrefix goes on table names and on gorm's automatic index names (`idx_<prefix>users_deleted_at`,
 * `uix_<prefix>users_email`); indexes named in tags (`user_id`, `idx_only_one`, …) keep their bare names.
 */
export function v3Ddl(engine: SinkEngine, prefix = ''): string[] {
  const q = engine === 'mysql' ? (n: string) => `\`${n}\`` : (n: string) => `"${n}"`;
  const out: string[] = [];
  for (const table of V3_TABLES) {
    const name = prefix + table.name;
    const model = ['id', 'created_at', 'updated_at', 'deleted_at'].map((col, i) => `${q(col)} ${MODEL_COLUMNS[engine][i]}`);
    const cols = table.columns.map((col) => `${q(col.name)} ${TYPES[col.kind][engine]}${col.extra ? ` ${col.extra}` : ''}`);
    const body = [...model, ...cols].join(',');
    // gorm's layout: "(<columns> )" where SQLite's primary key is in the column type, else ", PRIMARY KEY (id))".
    if (engine === 'sqlite') out.push(`CREATE TABLE ${q(name)} (${body} )`);
    else if (engine === 'postgres') out.push(`CREATE TABLE ${q(name)} (${body} , PRIMARY KEY (${q('id')}))`);
    else out.push(`CREATE TABLE ${q(name)} (${body} , PRIMARY KEY (${q('id')})) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    for (const index of table.indexes) {
      const indexName = index.name.replace('{t}', name);
      const cols = index.columns.map(q).join(', ');
      out.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${indexName} ON ${q(name)}(${cols})`);
    }
  }
  return out;
}
