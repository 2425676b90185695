import { col, defineSchema, table } from '../../../src/upgrade/index.js';

/**
 * Cloudreve 4.0.0 (ent v0.13 + Atlas): reference §3.2. On SQLite every column is declared with the type name V4's
 * own DDL uses (`bool`, `json`, `datetime`, `uuid`, `blob`), so that V4 finds the schema it would have created; on
 * MySQL and PostgreSQL ferry's equivalents of the same portable types are used (strings as varchar(255), as ent
 * makes them on MySQL, so that the unique indexes on names work there).
 */
const id = () => col.int64().primaryKey().identity().native({ sqlite: 'integer' });
const int = () => col.int64().native({ sqlite: 'integer' });
const str = (n = 255) => col.text(n).native({ sqlite: 'text' });
const text = () => col.text().native({ sqlite: 'text' });
const bool = () => col.boolean().native({ sqlite: 'bool' });
const time = () => col.timestamp({ precision: 3 }).native({ sqlite: 'datetime' });
const json = () => col.json().native({ sqlite: 'json' });
const blob = () => col.binary().native({ sqlite: 'blob' });
const uuid = () => col.uuid().native({ sqlite: 'uuid' });

/** The mixin every V4 entity table starts with. */
const mixin = () => ({ id: id(), created_at: time(), updated_at: time(), deleted_at: time().nullable() });

export const davAccounts = table(
  'dav_accounts',
  {
    ...mixin(),
    name: str(),
    uri: text(),
    password: str(),
    options: blob(),
    props: json().nullable(),
    owner_id: int().references('users', 'id', { name: 'dav_accounts_users_dav_accounts', onDelete: 'no action' }),
  },
  { indexes: [{ name: 'davaccount_owner_id_password', columns: ['owner_id', 'password'], unique: true }] },
);

export const directLinks = table('direct_links', {
  ...mixin(),
  name: str(),
  downloads: int(),
  speed: int(),
  file_id: int().references('files', 'id', { name: 'direct_links_files_direct_links', onDelete: 'no action' }),
});

export const entities = table('entities', {
  ...mixin(),
  type: int(),
  source: text(),
  size: int(),
  reference_count: int().default(1),
  upload_session_id: uuid().nullable(),
  recycle_options: json().nullable(),
  storage_policy_entities: int().references('storage_policies', 'id', {
    name: 'entities_storage_policies_entities',
    onDelete: 'no action',
  }),
  created_by: int().nullable().references('users', 'id', { name: 'entities_users_entities', onDelete: 'set null' }),
});

export const files = table(
  'files',
  {
    ...mixin(),
    type: int(),
    name: str(),
    size: int().default(0),
    primary_entity: int().nullable(),
    is_symbolic: bool().default(false),
    props: json().nullable(),
    file_children: int().nullable().references('files', 'id', { name: 'files_files_children', onDelete: 'set null' }),
    storage_policy_files: int()
      .nullable()
      .references('storage_policies', 'id', { name: 'files_storage_policies_files', onDelete: 'set null' }),
    owner_id: int().references('users', 'id', { name: 'files_users_files', onDelete: 'no action' }),
  },
  {
    indexes: [
      { name: 'file_file_children_name', columns: ['file_children', 'name'], unique: true },
      { name: 'file_file_children_type_updated_at', columns: ['file_children', 'type', 'updated_at'] },
      { name: 'file_file_children_type_size', columns: ['file_children', 'type', 'size'] },
    ],
  },
);

export const groups = table('groups', {
  ...mixin(),
  name: str(),
  max_storage: int().nullable(),
  speed_limit: int().nullable(),
  permissions: blob(),
  settings: json().nullable(),
  storage_policy_id: int()
    .nullable()
    .references('storage_policies', 'id', { name: 'groups_storage_policies_groups', onDelete: 'set null' }),
});

export const metadata = table(
  'metadata',
  {
    ...mixin(),
    name: str(),
    value: text(),
    is_public: bool().default(false),
    file_id: int().references('files', 'id', { name: 'metadata_files_metadata', onDelete: 'no action' }),
  },
  { indexes: [{ name: 'metadata_file_id_name', columns: ['file_id', 'name'], unique: true }] },
);

export const nodes = table('nodes', {
  ...mixin(),
  status: col.enum('active', 'suspended').native({ sqlite: 'text' }),
  name: str(),
  type: col.enum('master', 'slave').native({ sqlite: 'text' }),
  server: str().nullable(),
  slave_key: text().nullable(),
  capabilities: blob(),
  settings: json().nullable(),
  weight: int().default(0),
});

export const passkeys = table(
  'passkeys',
  {
    ...mixin(),
    credential_id: str(),
    name: str(),
    credential: json(),
    used_at: time().nullable(),
    user_id: int().references('users', 'id', { name: 'passkeys_users_passkey', onDelete: 'no action' }),
  },
  { indexes: [{ name: 'passkey_user_id_credential_id', columns: ['user_id', 'credential_id'], unique: true }] },
);

export const settings = table(
  'settings',
  { ...mixin(), name: str(), value: text().nullable() },
  { indexes: [{ name: 'settings_name_key', columns: ['name'], unique: true }] },
);

export const shares = table('shares', {
  ...mixin(),
  password: str().nullable(),
  views: int().default(0),
  downloads: int().default(0),
  expires: time().nullable(),
  remain_downloads: int().nullable(),
  props: json().nullable(),
  file_shares: int().nullable().references('files', 'id', { name: 'shares_files_shares', onDelete: 'set null' }),
  user_shares: int().nullable().references('users', 'id', { name: 'shares_users_shares', onDelete: 'set null' }),
});

export const storagePolicies = table('storage_policies', {
  ...mixin(),
  name: str(),
  type: str(),
  server: str().nullable(),
  bucket_name: str().nullable(),
  is_private: bool().nullable(),
  access_key: text().nullable(),
  secret_key: text().nullable(),
  max_size: int().nullable(),
  dir_name_rule: str().nullable(),
  file_name_rule: str().nullable(),
  settings: json().nullable(),
  node_id: int().nullable().references('nodes', 'id', { name: 'storage_policies_nodes_storage_policy', onDelete: 'set null' }),
});

export const tasks = table('tasks', {
  ...mixin(),
  type: str(),
  status: col.enum('queued', 'processing', 'suspending', 'error', 'canceled', 'completed').native({ sqlite: 'text' }).default('queued'),
  public_state: json(),
  private_state: text().nullable(),
  correlation_id: uuid().nullable(),
  user_tasks: int().nullable().references('users', 'id', { name: 'tasks_users_tasks', onDelete: 'set null' }),
});

export const users = table(
  'users',
  {
    ...mixin(),
    email: str(100),
    nick: str(100),
    password: str().nullable(),
    status: col.enum('active', 'inactive', 'manual_banned', 'sys_banned').native({ sqlite: 'text' }).default('active'),
    storage: int().default(0),
    two_factor_secret: str().nullable(),
    avatar: str().nullable(),
    settings: json().nullable(),
    group_users: int().references('groups', 'id', { name: 'users_groups_users', onDelete: 'no action' }),
  },
  { indexes: [{ name: 'users_email_key', columns: ['email'], unique: true }] },
);

export const fileEntities = table(
  'file_entities',
  {
    file_id: int().references('files', 'id', { name: 'file_entities_file_id', onDelete: 'cascade' }),
    entity_id: int().references('entities', 'id', { name: 'file_entities_entity_id', onDelete: 'cascade' }),
  },
  { primaryKey: ['file_id', 'entity_id'] },
);

/** Cloudreve 4.0: fourteen tables, in the reference DDL's order. */
export const v4 = defineSchema(
  davAccounts,
  directLinks,
  entities,
  files,
  groups,
  metadata,
  nodes,
  passkeys,
  settings,
  shares,
  storagePolicies,
  tasks,
  users,
  fileEntities,
);
