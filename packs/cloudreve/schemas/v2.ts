import { col, defineSchema, table } from '../../../src/upgrade/index.js';

/**
 * Cloudreve 2.0.0-Alpha1 (PHP, MySQL only): reference §1.3, the thirteen `sd_` tables of its `mysql.sql`. Every
 * table is keyed by `id int(11) AUTO_INCREMENT` and nothing else; every other column is NOT NULL. Types are declared
 * as the dump has them on MySQL (`tinyint(1)` reads as a boolean, `timestamp` as a time with a zone).
 */
const id = () => col.int32().primaryKey().identity();
const int = () => col.int32().native({ mysql: 'int(11)' });
const big = (width = 20) => col.int64().native({ mysql: `bigint(${width})` });
const text = () => col.text().native({ mysql: 'text' });
const varchar = (n: number) => col.text(n).native({ mysql: `varchar(${n})` });
const flag = () => col.boolean().native({ mysql: 'tinyint(1)' });
const datetime = () => col.timestamp().native({ mysql: 'datetime' });
/** MySQL TIMESTAMP: an instant, read in UTC (`+00:00`). */
const stamp = () => col.timestamp({ tz: true }).native({ mysql: 'timestamp' }).default({ now: 'current_timestamp' });

export const sdCallback = table('sd_callback', { id: id(), callback_key: text(), pid: int(), uid: int() });

export const sdChunks = table('sd_chunks', {
  id: id(),
  user: int(),
  ctx: text(),
  time: datetime(),
  obj_name: text(),
  chunk_id: int(),
  sum: int(),
});

/** Timed tasks ("corn", sic). */
export const sdCorn = table('sd_corn', {
  id: id(),
  rank: int(),
  name: text(),
  des: text(),
  last_excute: int(),
  interval_s: int(),
  enable: flag(),
});

export const sdFiles = table('sd_files', {
  id: id(),
  orign_name: text(), // display name (sic)
  pre_name: text(), // object key inside the policy; local: public/uploads/<pre_name>
  upload_user: int(),
  size: big(),
  upload_date: datetime(),
  pic_info: text(), // "width,height" for images; " ", "", "0,0" or "null,null" otherwise
  parent_folder: int(),
  policy_id: int(),
  dir: text(), // the parent folder's path (redundant with parent_folder)
});

export const sdFolders = table('sd_folders', {
  id: id(),
  folder_name: text(), // a user's root is 根目录
  parent_folder: int(), // 0 for a root
  position: text(),
  owner: text(), // the user id, as text
  date: datetime(),
  position_absolute: text(), // the folder's full path: / for a root, /a, /a/b
});

export const sdGroups = table('sd_groups', {
  id: id(),
  group_name: text(),
  policy_name: int(), // the policy id, despite the name
  max_storage: big(),
  grade_policy: text(),
  speed: text(), // KB/s; '' = unlimited, '0' = downloads blocked
  allow_share: flag(),
  color: text(),
  policy_list: text(),
  range_transfer: flag(),
  webdav: flag(),
  aria2: text(), // "1,1,1" or "0,0,0"
});

export const sdOptions = table('sd_options', { id: id(), option_name: text(), option_value: text(), option_type: text() });

export const sdPolicy = table('sd_policy', {
  id: id(),
  policy_name: text(),
  policy_type: text(), // local, qiniu, oss, upyun, s3, remote, onedrive
  server: text(),
  bucketname: text(),
  bucket_private: flag(),
  url: text(),
  ak: text(),
  sk: text(),
  op_name: text(),
  op_pwd: text(),
  filetype: text(), // JSON: [{"title":…,"ext":"jpg,png"}]; [] = any
  mimetype: text(),
  max_size: big(),
  autoname: flag(),
  dirrule: text(),
  namerule: text(),
  origin_link: flag(),
});

export const sdShares = table('sd_shares', {
  id: id(),
  type: text(), // public or private
  share_time: datetime(),
  owner: int(),
  source_name: text(), // file share: the file id as text; dir share: the folder's position_absolute
  origin_name: text(),
  download_num: int(),
  view_num: int(),
  source_type: text(), // file or dir
  share_key: text(),
  share_pwd: text(), // "0" when public
});

export const sdStoragePack = table('sd_storage_pack', {
  id: id(),
  p_name: text(),
  uid: int(),
  act_time: big(),
  dlay_time: big(),
  pack_size: big(11),
});

export const sdUsers = table('sd_users', {
  id: id(),
  user_email: varchar(100),
  user_nick: varchar(50),
  user_pass: varchar(255), // md5(salt + password)
  user_date: stamp(),
  user_status: int(), // 0 normal; 1 not activated or banned
  user_group: int(),
  group_primary: int(),
  user_activation_key: varchar(255), // 'n' once activated
  used_storage: big(),
  two_step: text(), // "0" = off, else the TOTP secret
  delay_time: big(),
  avatar: text(), // default, f.<savename>, g.<md5(email)>
  profile: flag(),
  webdav_key: text(),
  options: text(), // JSON: {"preferTheme":"#…"}, or ''
});

export const sdDownload = table('sd_download', {
  id: id(),
  pid: text(),
  path_id: text(),
  owner: int(),
  save_dir: text(),
  status: text(),
  last_update: stamp(),
  msg: text(),
  info: text(),
  source: text(),
  file_index: int(),
  is_single: flag(),
  total_size: big(),
});

export const sdTask = table('sd_task', {
  id: id(),
  task_name: text(),
  attr: text(),
  type: text(),
  status: text(),
  uid: int(),
  addtime: stamp(),
});

/** Cloudreve 2.0.0-Alpha1: thirteen tables, in the order of its `mysql.sql`. */
export const v2 = defineSchema(
  sdCallback,
  sdChunks,
  sdCorn,
  sdFiles,
  sdFolders,
  sdGroups,
  sdOptions,
  sdPolicy,
  sdShares,
  sdStoragePack,
  sdUsers,
  sdDownload,
  sdTask,
);
