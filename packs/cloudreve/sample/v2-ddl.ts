/**
 * Cloudreve 2.0.0-Alpha1's MySQL schema (`mysql.sql`, reference §1.3): 13 `sd_` tables, each keyed by
 * `id int(11) AUTO_INCREMENT` and nothing else, every other column NOT NULL, engines and charsets as the dump has
 * them. Only sd_download and sd_task are utf8mb4: the other tables cannot hold 4-byte characters (emoji).
 */

interface V2Table {
  name: string;
  engine: 'MyISAM' | 'InnoDB';
  charset: 'utf8' | 'utf8mb4';
  /** Column definitions after `id`, NOT NULL added below. */
  columns: [string, string][];
}

export const V2_TABLES: readonly V2Table[] = [
  {
    name: 'sd_callback',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['callback_key', 'text'],
      ['pid', 'int(11)'],
      ['uid', 'int(11)'],
    ],
  },
  {
    name: 'sd_chunks',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['user', 'int(11)'],
      ['ctx', 'text'],
      ['time', 'datetime'],
      ['obj_name', 'text'],
      ['chunk_id', 'int(11)'],
      ['sum', 'int(11)'],
    ],
  },
  {
    name: 'sd_corn',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['rank', 'int(11)'],
      ['name', 'text'],
      ['des', 'text'],
      ['last_excute', 'int(11)'],
      ['interval_s', 'int(11)'],
      ['enable', 'tinyint(1)'],
    ],
  },
  {
    name: 'sd_files',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['orign_name', 'text'],
      ['pre_name', 'text'],
      ['upload_user', 'int(11)'],
      ['size', 'bigint(20)'],
      ['upload_date', 'datetime'],
      ['pic_info', 'text'],
      ['parent_folder', 'int(11)'],
      ['policy_id', 'int(11)'],
      ['dir', 'text'],
    ],
  },
  {
    name: 'sd_folders',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['folder_name', 'text'],
      ['parent_folder', 'int(11)'],
      ['position', 'text'],
      ['owner', 'text'],
      ['date', 'datetime'],
      ['position_absolute', 'text'],
    ],
  },
  {
    name: 'sd_groups',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['group_name', 'text'],
      ['policy_name', 'int(11)'],
      ['max_storage', 'bigint(20)'],
      ['grade_policy', 'text'],
      ['speed', 'text'],
      ['allow_share', 'tinyint(1)'],
      ['color', 'text'],
      ['policy_list', 'text'],
      ['range_transfer', 'tinyint(1)'],
      ['webdav', 'tinyint(1)'],
      ['aria2', 'text'],
    ],
  },
  {
    name: 'sd_options',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['option_name', 'text'],
      ['option_value', 'text'],
      ['option_type', 'text'],
    ],
  },
  {
    name: 'sd_policy',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['policy_name', 'text'],
      ['policy_type', 'text'],
      ['server', 'text'],
      ['bucketname', 'text'],
      ['bucket_private', 'tinyint(1)'],
      ['url', 'text'],
      ['ak', 'text'],
      ['sk', 'text'],
      ['op_name', 'text'],
      ['op_pwd', 'text'],
      ['filetype', 'text'],
      ['mimetype', 'text'],
      ['max_size', 'bigint(20)'],
      ['autoname', 'tinyint(1)'],
      ['dirrule', 'text'],
      ['namerule', 'text'],
      ['origin_link', 'tinyint(1)'],
    ],
  },
  {
    name: 'sd_shares',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['type', 'text'],
      ['share_time', 'datetime'],
      ['owner', 'int(11)'],
      ['source_name', 'text'],
      ['origin_name', 'text'],
      ['download_num', 'int(11)'],
      ['view_num', 'int(11)'],
      ['source_type', 'text'],
      ['share_key', 'text'],
      ['share_pwd', 'text'],
    ],
  },
  {
    name: 'sd_storage_pack',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['p_name', 'text'],
      ['uid', 'int(11)'],
      ['act_time', 'bigint(20)'],
      ['dlay_time', 'bigint(20)'],
      ['pack_size', 'bigint(11)'],
    ],
  },
  {
    name: 'sd_users',
    engine: 'MyISAM',
    charset: 'utf8',
    columns: [
      ['user_email', 'varchar(100)'],
      ['user_nick', 'varchar(50)'],
      ['user_pass', 'varchar(255)'],
      // The dump declares no default; MySQL 5.x (explicit_defaults_for_timestamp=OFF) gave the first TIMESTAMP
      // column CURRENT_TIMESTAMP. Spelled out so MariaDB/MySQL 8 in either setting accept the table.
      ['user_date', 'timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP'],
      ['user_status', 'int(11)'],
      ['user_group', 'int(11)'],
      ['group_primary', 'int(11)'],
      ['user_activation_key', 'varchar(255)'],
      ['used_storage', 'bigint(20)'],
      ['two_step', 'text'],
      ['delay_time', 'bigint(20)'],
      ['avatar', 'text'],
      ['profile', 'tinyint(1)'],
      ['webdav_key', 'text'],
      ['options', 'text'],
    ],
  },
  {
    name: 'sd_download',
    engine: 'MyISAM',
    charset: 'utf8mb4',
    columns: [
      ['pid', 'text'],
      ['path_id', 'text'],
      ['owner', 'int(11)'],
      ['save_dir', 'text'],
      ['status', 'text'],
      ['last_update', 'timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP'],
      ['msg', 'text'],
      ['info', 'text'],
      ['source', 'text'],
      ['file_index', 'int(11)'],
      ['is_single', 'tinyint(1)'],
      ['total_size', 'bigint(20)'],
    ],
  },
  {
    name: 'sd_task',
    engine: 'InnoDB',
    charset: 'utf8mb4',
    columns: [
      ['task_name', 'text'],
      ['attr', 'text'],
      ['type', 'text'],
      ['status', 'text'],
      ['uid', 'int(11)'],
      ['addtime', 'timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP'],
    ],
  },
];

export const V2_TABLE_NAMES: readonly string[] = V2_TABLES.map((t) => t.name);

/** CREATE TABLE statements for the 13 tables (MySQL/MariaDB only: V2 supported nothing else). */
export function v2Ddl(): string[] {
  return V2_TABLES.map((t) => {
    const cols = t.columns.map(([name, type]) => `  \`${name}\` ${type.includes('NOT NULL') ? type : `${type} NOT NULL`}`);
    return (
      `CREATE TABLE \`${t.name}\` (\n  \`id\` int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,\n${cols.join(',\n')}\n)` +
      ` ENGINE=${t.engine} DEFAULT CHARSET=${t.charset}`
    );
  });
}
