/**
 * The pg_catalog queries introspection runs, with the shape of their rows. pg_catalog rather than
 * information_schema: it is faster, shows objects whatever their owner, and has what information_schema lacks
 * (enum labels, index methods, identity and generated columns, constraint names on every kind).
 *
 * Objects that belong to an extension (pg_depend deptype 'e') are left out: they come with the extension.
 */
const NOT_FROM_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

export interface RelationRow {
  oid: number;
  name: string;
  /** pg_class.relkind: r table, p partitioned table, v view, m materialized view, f foreign table, S sequence. */
  kind: string;
  partition: boolean;
  /** The table this one is a partition of, or inherits from. */
  parent: string | null;
  /** A sequence owned by a column (serial or identity). */
  owned: boolean;
}

export interface ColumnRow {
  rel: number;
  name: string;
  notnull: boolean;
  typid: number;
  typmod: number;
  typname: string;
  typtype: string;
  formatted: string;
  /** pg_attribute.attidentity: '' or 'a' (ALWAYS) or 'd' (BY DEFAULT). */
  identity: string;
  /** pg_attribute.attgenerated: '' or 's' (stored). */
  generated: string;
  default: string | null;
}

export interface ConstraintRow {
  rel: number;
  name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion. */
  type: string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
  on_delete: string | null;
  on_update: string | null;
  check: string | null;
}

export interface IndexRow {
  rel: number;
  name: string;
  unique: boolean;
  method: string;
  expr: boolean;
  partial: boolean;
  columns: string[];
}

/** The names of attributes `nums` of relation `rel`, in the order of the array. */
const names = (nums: string, rel: string, extra = '') =>
  `ARRAY(SELECT a.attname::text FROM unnest(${nums}) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n ${extra} ORDER BY k.o)`;

export const CATALOG_SQL = {
  relations: `
    SELECT c.oid, c.relname::text AS name, c.relkind::text AS kind, c.relispartition AS partition,
      (SELECT p.relname::text FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid LIMIT 1) AS parent,
      EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
              AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')) AS owned
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')}
    ORDER BY c.relname`,
  columns: `
    SELECT a.attrelid AS rel, a.attname::text AS name, a.attnotnull AS notnull, a.atttypid AS typid, a.atttypmod AS typmod,
      t.typname::text AS typname, t.typtype::text AS typtype, format_type(a.atttypid, a.atttypmod) AS formatted,
      a.attidentity::text AS identity, a.attgenerated::text AS generated, pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum`,
  enums: `
    SELECT e.enumtypid AS typid, e.enumlabel::text AS label FROM pg_enum e
    WHERE e.enumtypid IN (SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]))
    ORDER BY e.enumtypid, e.enumsortorder`,
  constraints: `
    SELECT con.conrelid AS rel, con.conname::text AS name, con.contype::text AS type,
      ${names('con.conkey', 'con.conrelid')} AS columns,
      fn.nspname::text AS ref_schema, fr.relname::text AS ref_table,
      CASE WHEN con.contype = 'f' THEN ${names('con.confkey', 'con.confrelid')} END AS ref_columns,
      con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
      CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check
    FROM pg_constraint con
      LEFT JOIN pg_class fr ON fr.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fr.relnamespace
    WHERE con.conrelid = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c', 'x')
    ORDER BY con.conrelid, con.conname`,
  // Indexes that back a constraint are the constraint's: they are created with it.
  indexes: `
    SELECT i.indrelid AS rel, ic.relname::text AS name, i.indisunique AS unique, am.amname::text AS method,
      i.indexprs IS NOT NULL AS expr, i.indpred IS NOT NULL AS partial,
      ${names('i.indkey::int2[]', 'i.indrelid', 'AND k.o <= i.indnkeyatts')} AS columns
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = ANY($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
    ORDER BY i.indrelid, ic.relname`,
  triggers: `
    SELECT t.tgname::text AS name, c.relname::text AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal ORDER BY c.relname, t.tgname`,
  routines: `
    SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = $1 AND ${NOT_FROM_EXTENSION('pg_proc', 'p.oid')} ORDER BY 1`,
  extensions: `SELECT extname::text AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`,
} as const;
