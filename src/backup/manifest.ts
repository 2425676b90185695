import { FerryError } from '../core/errors.js';
import type { NotCarried, TableSchema } from '../core/schema.js';
import { damaged, pathProblem, TABLES_DIR } from './layout.js';

/** The format's name and version, as every manifest states them (docs/backup-format.md). */
export const FORMAT_NAME = 'ferry-backup';
export const FORMAT_VERSION = 1;

/** Where the data came from. `endpoint` never holds a password: a backup never contains a secret. */
export interface BackupOrigin {
  /** `sqlite`, `postgres`, `mysql`… */
  engine: string;
  /** The server version as the reader reported it: `PostgreSQL 15.4`. */
  version: string;
  endpoint: string;
}

/** The application and its version, when an app pack recognized them. */
export interface BackupApp {
  name: string;
  version: string;
}

export interface ManifestTable {
  /** The table's real name (the file name is only a safe spelling of it). */
  name: string;
  schema: TableSchema;
  rows: number;
  /** `tables/0001-users.ndjson.gz`, relative to the backup's root. */
  file: string;
  /** sha256 of the data file's bytes, lowercase hex. */
  sha256: string;
  /** ferry's content digest of the table (core/digest.ts), or null when the writer did not compute one. */
  digest: string | null;
}

export interface ManifestFile {
  /** The path in the dataset's file tree, relative to `files/`, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT_NAME;
  version: typeof FORMAT_VERSION;
  /** When the backup was started (ISO 8601, UTC). */
  createdAt: string;
  ferryVersion: string;
  origin: BackupOrigin;
  app: BackupApp | null;
  tables: ManifestTable[];
  notCarried: NotCarried[];
  files: ManifestFile[];
}

/** The manifest as stored: pretty-printed JSON, UTF-8, one trailing newline. */
export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/**
 * Parses and validates a manifest. Every problem is a FerryError('endpoint') that starts with `where` (the
 * backup's path) and names the field: a backup that is not what it says is never read further.
 */
export function readManifest(text: string, where: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw damaged(where, `manifest.json is not valid JSON (${(e as Error).message})`, e);
  }
  const fail = (at: string, what: string) => damaged(where, `manifest.json: ${at} ${what}`);
  const m = object(data, 'the manifest', fail);
  if (m.format !== FORMAT_NAME) {
    throw damaged(where, `is not a ferry backup (manifest.json says format ${JSON.stringify(m.format)}, not "${FORMAT_NAME}")`);
  }
  if (m.version !== FORMAT_VERSION) {
    throw new FerryError(
      'endpoint',
      `${where}: unknown backup format version ${JSON.stringify(m.version)}: this ferry reads version ${FORMAT_VERSION}`,
      {
        hint: 'read it with the ferry that wrote it (or a newer one)',
      },
    );
  }
  const createdAt = string(m.createdAt, 'createdAt', fail);
  if (Number.isNaN(Date.parse(createdAt))) throw fail('createdAt', 'is not a date');
  string(m.ferryVersion, 'ferryVersion', fail);
  const origin = object(m.origin, 'origin', fail);
  for (const k of ['engine', 'version', 'endpoint']) string(origin[k], `origin.${k}`, fail);
  if (m.app !== null) {
    const app = object(m.app, 'app', fail);
    string(app.name, 'app.name', fail);
    string(app.version, 'app.version', fail);
  }

  const names = new Set<string>();
  const files = new Set<string>();
  array(m.tables, 'tables', fail).forEach((t, i) => {
    const at = `tables[${i}]`;
    const table = object(t, at, fail);
    const name = string(table.name, `${at}.name`, fail);
    if (names.has(name)) throw fail(`${at}.name`, `repeats the table ${JSON.stringify(name)}`);
    names.add(name);
    checkTableSchema(table.schema, `${at}.schema`, fail);
    if ((table.schema as TableSchema).name !== name)
      throw fail(`${at}.schema.name`, `differs from the table's name ${JSON.stringify(name)}`);
    count(table.rows, `${at}.rows`, fail);
    const file = string(table.file, `${at}.file`, fail);
    const problem = pathProblem(file);
    if (problem || !file.startsWith(`${TABLES_DIR}/`) || file.split('/').length !== 2 || !file.endsWith('.ndjson.gz')) {
      throw fail(
        `${at}.file`,
        `${JSON.stringify(file)} is not a file name in tables/ ending in .ndjson.gz${problem ? ` (${problem})` : ''}`,
      );
    }
    if (files.has(file)) throw fail(`${at}.file`, `repeats the file ${file}`);
    files.add(file);
    sha256(table.sha256, `${at}.sha256`, fail);
    if (table.digest !== null) string(table.digest, `${at}.digest`, fail);
  });

  array(m.notCarried, 'notCarried', fail).forEach((n, i) => {
    const item = object(n, `notCarried[${i}]`, fail);
    for (const k of ['kind', 'name', 'reason']) string(item[k], `notCarried[${i}].${k}`, fail);
  });

  const paths = new Set<string>();
  array(m.files, 'files', fail).forEach((f, i) => {
    const at = `files[${i}]`;
    const file = object(f, at, fail);
    const path = string(file.path, `${at}.path`, fail);
    const problem = pathProblem(path);
    if (problem) throw fail(`${at}.path`, `${JSON.stringify(path)} is ${problem}`);
    if (paths.has(path)) throw fail(`${at}.path`, `repeats the file ${path}`);
    paths.add(path);
    count(file.size, `${at}.size`, fail);
    sha256(file.sha256, `${at}.sha256`, fail);
  });
  // A path that is both a file and the folder of another file cannot be extracted.
  for (const path of paths) {
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (paths.has(dir)) throw fail('files', `lists ${dir} both as a file and as the folder of ${path}`);
    }
  }
  return data as Manifest;
}

type Fail = (at: string, what: string) => Error;
type Obj = Record<string, unknown>;

function object(v: unknown, at: string, fail: Fail): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw fail(at, 'must be an object');
  return v as Obj;
}

function array(v: unknown, at: string, fail: Fail): unknown[] {
  if (!Array.isArray(v)) throw fail(at, 'must be an array');
  return v;
}

function string(v: unknown, at: string, fail: Fail): string {
  if (typeof v !== 'string') throw fail(at, 'must be a string');
  return v;
}

function count(v: unknown, at: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw fail(at, 'must be a whole number ≥ 0');
  return v;
}

function sha256(v: unknown, at: string, fail: Fail): void {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw fail(at, 'must be a sha256 in lowercase hex');
}

function strings(v: unknown, at: string, fail: Fail): string[] {
  const list = array(v, at, fail);
  list.forEach((s, i) => string(s, `${at}[${i}]`, fail));
  return list as string[];
}

/** The shape of a TableSchema (core/schema.ts), with the portable types this format version knows. */
function checkTableSchema(v: unknown, at: string, fail: Fail): void {
  const t = object(v, at, fail);
  string(t.name, `${at}.name`, fail);
  array(t.columns, `${at}.columns`, fail).forEach((c, i) => {
    const col = object(c, `${at}.columns[${i}]`, fail);
    string(col.name, `${at}.columns[${i}].name`, fail);
    if (typeof col.nullable !== 'boolean') throw fail(`${at}.columns[${i}].nullable`, 'must be true or false');
    checkType(col.type, `${at}.columns[${i}].type`, fail);
    if (col.default !== undefined)
      string(object(col.default, `${at}.columns[${i}].default`, fail).kind, `${at}.columns[${i}].default.kind`, fail);
  });
  if (t.primaryKey !== undefined) strings(object(t.primaryKey, `${at}.primaryKey`, fail).columns, `${at}.primaryKey.columns`, fail);
  for (const k of ['uniques', 'indexes']) {
    array(t[k], `${at}.${k}`, fail).forEach((x, i) => {
      const index = object(x, `${at}.${k}[${i}]`, fail);
      string(index.name, `${at}.${k}[${i}].name`, fail);
      strings(index.columns, `${at}.${k}[${i}].columns`, fail);
    });
  }
  array(t.foreignKeys, `${at}.foreignKeys`, fail).forEach((x, i) => {
    const fk = object(x, `${at}.foreignKeys[${i}]`, fail);
    string(fk.refTable, `${at}.foreignKeys[${i}].refTable`, fail);
    strings(fk.columns, `${at}.foreignKeys[${i}].columns`, fail);
    strings(fk.refColumns, `${at}.foreignKeys[${i}].refColumns`, fail);
  });
  array(t.checks, `${at}.checks`, fail).forEach((x, i) =>
    string(object(x, `${at}.checks[${i}]`, fail).expression, `${at}.checks[${i}].expression`, fail),
  );
}

function checkType(v: unknown, at: string, fail: Fail): void {
  const t = object(v, at, fail);
  const bad = (what: string) => fail(at, what);
  switch (t.kind) {
    case 'integer':
      if (![16, 32, 64].includes(t.bits as number)) throw bad('is an integer type without bits 16, 32 or 64');
      return;
    case 'real':
      if (![32, 64].includes(t.bits as number)) throw bad('is a real type without bits 32 or 64');
      return;
    case 'timestamp':
      if (typeof t.tz !== 'boolean') throw bad('is a timestamp type without tz true or false');
      return;
    case 'enum':
      strings(t.values, `${at}.values`, fail);
      return;
    case 'decimal':
    case 'boolean':
    case 'text':
    case 'binary':
    case 'date':
    case 'time':
    case 'json':
    case 'uuid':
      return;
    default:
      throw bad(`has the portable type ${JSON.stringify(t.kind)}, which backup format version ${FORMAT_VERSION} does not have`);
  }
}
