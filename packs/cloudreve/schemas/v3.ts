import { col, defineSchema, table } from '../../../src/upgrade/index.js';

/**
 * Cloudreve 3.8 (gorm v1.9.11): reference §2.2. Types are declared as gorm creates them on SQLite, so that a V3
 * database ferry writes (V2 → V3) looks like one Cloudreve made; on other engines ferry's equivalents are used.
 */
const id = () => col.int64().primaryKey().identity().native({ sqlite: 'integer' });
const time = () => col.timestamp().nullable().native({ sqlite: 'datetime' });
const str = (n = 255) => col.text(n).nullable();
const text = () => col.text().nullable();
const int = () => col.int32().nullable().native({ sqlite: 'integer' });
const ref = () => col.int64().nullable().native({ sqlite: 'integer' });
const big = () => col.int64().nullable().native({ sqlite: 'bigint' });
const bool = () => col.boolean().nullable().native({ sqlite: 'bool' });

/** gorm.Model: the four columns every V3 table starts with. */
const model = () => ({ id: id(), created_at: time(), updated_at: time(), deleted_at: time() });
const deletedAt = (t: string) => ({ name: `idx_${t}_deleted_at`, columns: ['deleted_at' as const] });

export const users = table(
  'users',
  {
    ...model(),
    email: str(100),
    nick: str(50),
    password: str(),
    status: int(),
    group_id: ref(),
    storage: big(),
    two_factor: str(),
    avatar: str(),
    options: text(),
    authn: text(),
  },
  { indexes: [deletedAt('users'), { name: 'uix_users_email', columns: ['email'], unique: true }] },
);

export const settings = table(
  'settings',
  { ...model(), type: col.text(255), name: col.text(255), value: text() },
  {
    indexes: [
      deletedAt('settings'),
      { name: 'uix_settings_name', columns: ['name'], unique: true },
      { name: 'setting_key', columns: ['name'] },
    ],
  },
);

export const groups = table(
  'groups',
  {
    ...model(),
    name: str(),
    policies: str(),
    max_storage: big(),
    share_enabled: bool(),
    web_dav_enabled: bool(),
    speed_limit: int(),
    options: text(),
  },
  { indexes: [deletedAt('groups')] },
);

export const policies = table(
  'policies',
  {
    ...model(),
    name: str(),
    type: str(),
    server: str(),
    bucket_name: str(),
    is_private: bool(),
    base_url: str(),
    access_key: text(),
    secret_key: text(),
    max_size: big(),
    auto_rename: bool(),
    dir_name_rule: str(),
    file_name_rule: str(),
    is_origin_link_enable: bool(),
    options: text(),
  },
  { indexes: [deletedAt('policies')] },
);

export const folders = table(
  'folders',
  { ...model(), name: str(), parent_id: ref(), owner_id: ref() },
  {
    indexes: [
      deletedAt('folders'),
      { name: 'parent_id', columns: ['parent_id'] },
      { name: 'owner_id', columns: ['owner_id'] },
      { name: 'idx_only_one_name', columns: ['name', 'parent_id'], unique: true },
    ],
  },
);

export const files = table(
  'files',
  {
    ...model(),
    name: str(),
    source_name: text(),
    user_id: ref(),
    size: big(),
    pic_info: str(),
    folder_id: ref(),
    policy_id: ref(),
    upload_session_id: str(),
    metadata: text(),
  },
  {
    indexes: [
      deletedAt('files'),
      { name: 'user_id', columns: ['user_id'] },
      { name: 'folder_id', columns: ['folder_id'] },
      { name: 'session_id', columns: ['upload_session_id'] },
      { name: 'idx_only_one', columns: ['name', 'user_id', 'folder_id'], unique: true },
      { name: 'session_only_one', columns: ['upload_session_id'], unique: true },
    ],
  },
);

export const shares = table(
  'shares',
  {
    ...model(),
    password: str(),
    is_dir: bool(),
    user_id: ref(),
    source_id: ref(),
    views: int(),
    downloads: int(),
    remain_downloads: int(),
    expires: time(),
    preview_enabled: bool(),
    source_name: str(),
  },
  { indexes: [deletedAt('shares'), { name: 'source', columns: ['source_name'] }] },
);

export const tasks = table(
  'tasks',
  { ...model(), status: int(), type: int(), user_id: ref(), progress: int(), error: text(), props: text() },
  { indexes: [deletedAt('tasks')] },
);

export const downloads = table(
  'downloads',
  {
    ...model(),
    status: int(),
    type: int(),
    source: text(),
    total_size: big(),
    downloaded_size: big(),
    g_id: text(),
    speed: int(),
    parent: text(),
    attrs: text(),
    error: text(),
    dst: text(),
    user_id: ref(),
    task_id: ref(),
    node_id: ref(),
  },
  { indexes: [deletedAt('downloads')] },
);

export const tags = table(
  'tags',
  { ...model(), name: str(), icon: str(), color: str(), type: int(), expression: text(), user_id: ref() },
  { indexes: [deletedAt('tags')] },
);

export const webdavs = table(
  'webdavs',
  { ...model(), name: str(), password: str(), user_id: ref(), root: text(), readonly: bool(), use_proxy: bool() },
  { indexes: [deletedAt('webdavs'), { name: 'password_only_on', columns: ['password', 'user_id'], unique: true }] },
);

export const nodes = table(
  'nodes',
  {
    ...model(),
    status: int(),
    name: str(),
    type: int(),
    server: str(),
    slave_key: text(),
    master_key: text(),
    aria2_enabled: bool(),
    aria2_options: text(),
    rank: int(),
  },
  { indexes: [deletedAt('nodes')] },
);

export const sourceLinks = table(
  'source_links',
  { ...model(), file_id: ref(), name: str(), downloads: int() },
  { indexes: [deletedAt('source_links')] },
);

/** Cloudreve 3.8 (3.8.0 to 3.8.3): thirteen tables, in gorm's AutoMigrate order. */
export const v3 = defineSchema(
  users,
  settings,
  groups,
  policies,
  folders,
  files,
  shares,
  tasks,
  downloads,
  tags,
  webdavs,
  nodes,
  sourceLinks,
);
