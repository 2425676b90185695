/**
 * The native pipelines ferry is measured against: the source's command-line client writes the table as text rows,
 * piped straight into the target's bulk loader (`\copy … FROM STDIN`, `LOAD DATA LOCAL INFILE`), then the primary
 * key and index are built. One mechanism (nativeCopy); each engine declares only how it spells its side.
 *
 * "Native" must still be correct, or a fast-but-wrong pipeline would set the bar: NULL is written as the unquoted
 * word NULL and read back as NULL on both sides, reals are printed with 17 significant digits (sqlite3 prints 15,
 * which rounds), bytes are carried as hex, and the MySQL client's text is escaped for COPY by the query itself
 * (its --batch escaping leaves carriage returns raw, which COPY refuses).
 */
import type { BenchColumn, BenchTable } from './dataset.js';
import { measure, measurePipeline } from './measure.js';
import type { ScratchDb } from './servers.js';

/** `csv`: RFC 4180 quoting (sqlite3 -csv). `text`: tab-separated with backslash escapes (PostgreSQL COPY text). */
type RowFormat = 'csv' | 'text';
/** `pg`: `\x`-prefixed hex, which bytea reads as is. `hex`: bare hex, decoded by the loader (UNHEX). */
type BinaryEncoding = 'pg' | 'hex';

/** How NULL is spelled in the rows: unquoted, so that the text "NULL" would still be quoted apart (CSV). */
const NULL_WORD = 'NULL';

export interface NativeSource {
  format: RowFormat;
  /** The command that prints the table's rows on stdout. */
  exportCommand(table: BenchTable, binary: BinaryEncoding): string[];
  env: NodeJS.ProcessEnv;
}

export interface NativeTarget {
  binary: BinaryEncoding;
  /** The table without its primary key when the key is cheaper to build after the load (heap tables). */
  createSql(table: BenchTable): string;
  loadCommand(table: BenchTable, format: RowFormat): string[];
  /** Primary key (when built after the load) and the secondary index. */
  finishSql(table: BenchTable): string;
  sqlCommand(sql: string): string[];
  env: NodeJS.ProcessEnv;
}

export interface NativeTableResult {
  table: string;
  loadSeconds: number;
  indexSeconds: number;
}

export interface NativeResult {
  seconds: number;
  /** Peak RSS of the largest process of any step (a client: sqlite3, psql or mysql), MB. */
  peakRssMb?: number;
  tables: NativeTableResult[];
}

/** Creates the bare tables, then per table: load, then primary key and index, as ferry does. */
export async function nativeCopy(source: NativeSource, target: NativeTarget, tables: BenchTable[]): Promise<NativeResult> {
  const env = { ...source.env, ...target.env };
  const started = performance.now();
  let peak: number | undefined;
  const track = <T extends { peakRssMb?: number }>(m: T): T => {
    if (m.peakRssMb !== undefined) peak = Math.max(peak ?? 0, m.peakRssMb);
    return m;
  };
  track(await measure(...split(target.sqlCommand(tables.map((t) => target.createSql(t)).join(';\n'))), env));
  const results: NativeTableResult[] = [];
  for (const table of tables) {
    const load = track(await measurePipeline([source.exportCommand(table, target.binary), target.loadCommand(table, source.format)], env));
    const finish = track(await measure(...split(target.sqlCommand(target.finishSql(table))), env));
    results.push({ table: table.name, loadSeconds: load.seconds, indexSeconds: finish.seconds });
  }
  return { seconds: (performance.now() - started) / 1000, peakRssMb: peak, tables: results };
}

const split = (argv: string[]): [string, string[]] => [argv[0]!, argv.slice(1)];

export function sqliteSource(path: string): NativeSource {
  const expression = (c: BenchColumn, binary: BinaryEncoding): string => {
    // hex(NULL) is '' and printf('%g', NULL) is '0': keep NULL as NULL.
    if (c.kind === 'real') return `iif(${c.name} IS NULL, NULL, printf('%!.17g', ${c.name}))`;
    if (c.kind === 'binary') return `iif(${c.name} IS NULL, NULL, ${binary === 'pg' ? `'\\x' || ` : ''}hex(${c.name}))`;
    return c.name;
  };
  return {
    format: 'csv',
    env: {},
    exportCommand: (table, binary) => [
      'sqlite3',
      ...['-readonly', '-bail', '-csv', '-nullvalue', NULL_WORD, '-newline', '\n'],
      path,
      `SELECT ${table.columns.map((c) => expression(c, binary)).join(', ')} FROM ${table.name}`,
    ],
  };
}

export function mysqlSource(db: ScratchDb): NativeSource {
  const { args, env } = mysqlClient(db);
  const expression = (c: BenchColumn, binary: BinaryEncoding): string => {
    // --raw prints values as they are; the query escapes them for COPY text format itself.
    if (c.kind === 'binary') return binary === 'pg' ? String.raw`CONCAT('\\\\x', HEX(${c.name}))` : `HEX(${c.name})`;
    if (c.kind === 'text' || c.kind === 'json') {
      return String.raw`REPLACE(REPLACE(REPLACE(REPLACE(${c.name}, '\\', '\\\\'), '\t', '\\t'), '\n', '\\n'), '\r', '\\r')`;
    }
    return c.name;
  };
  return {
    format: 'text',
    env,
    // --quick streams the rows instead of buffering the whole result in the client.
    exportCommand: (table, binary) => [
      'mysql',
      ...args,
      ...['--batch', '--raw', '--quick', '--skip-column-names', '-e'],
      `SELECT ${table.columns.map((c) => expression(c, binary)).join(', ')} FROM ${table.name}`,
    ],
  };
}

export function postgresTarget(db: ScratchDb): NativeTarget {
  const psql = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url];
  return {
    binary: 'pg',
    env: {},
    createSql: (table) => `CREATE TABLE ${table.name} (${columnsSql(table, 'postgres')})`,
    loadCommand: (table, format) => [
      ...psql,
      '-c',
      `\\copy ${table.name} (${table.columns.map((c) => c.name).join(', ')}) FROM PSTDIN WITH (FORMAT ${format}, NULL '${NULL_WORD}')`,
    ],
    finishSql: (table) => `ALTER TABLE ${table.name} ADD PRIMARY KEY (${table.primaryKey.join(', ')}); ${indexSql(table)}`,
    sqlCommand: (sql) => [...psql, '-c', sql],
  };
}

export function mysqlTarget(db: ScratchDb): NativeTarget {
  const { args, env } = mysqlClient(db);
  return {
    binary: 'hex',
    env,
    // InnoDB clusters rows on the primary key: declared first and loaded in key order; adding it later rebuilds the table.
    createSql: (table) =>
      `CREATE TABLE ${table.name} (${columnsSql(table, 'mysql')}, PRIMARY KEY (${table.primaryKey.join(', ')})) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    loadCommand: (table, format) => {
      if (format !== 'csv') throw new Error(`the MySQL native loader reads CSV, not ${format}`);
      const binaries = table.columns.filter((c) => c.kind === 'binary');
      const fields = table.columns.map((c) => (c.kind === 'binary' ? `@${c.name}` : c.name));
      const set = binaries.length > 0 ? ` SET ${binaries.map((c) => `${c.name} = UNHEX(@${c.name})`).join(', ')}` : '';
      // ESCAPED BY '': CSV escapes quotes by doubling them, and a backslash is an ordinary character.
      return [
        'mysql',
        ...args,
        '--local-infile=1',
        '-e',
        `LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE ${table.name} CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' (${fields.join(', ')})${set}`,
      ];
    },
    finishSql: (table) => indexSql(table),
    sqlCommand: (sql) => ['mysql', ...args, '-e', sql],
  };
}

function columnsSql(table: BenchTable, engine: 'postgres' | 'mysql'): string {
  return table.columns.map((c) => `${c.name} ${c[engine]}${c.notNull ? ' NOT NULL' : ''}`).join(', ');
}

function indexSql(table: BenchTable): string {
  return `CREATE INDEX ${table.index.name} ON ${table.name} (${table.index.columns.join(', ')})`;
}

/** The mysql client's (and mysqldump's) connection arguments for a database; the password goes by environment, not argv. */
export function mysqlClient(db: ScratchDb): { args: string[]; env: NodeJS.ProcessEnv } {
  const url = new URL(db.url);
  const args = [
    '--protocol=TCP',
    '-h',
    url.hostname,
    '-P',
    url.port || '3306',
    '-u',
    decodeURIComponent(url.username),
    '--default-character-set=utf8mb4',
    db.name,
  ];
  return { args, env: url.password ? { MYSQL_PWD: decodeURIComponent(url.password) } : {} };
}
