/**
 * The benchmark dataset: two tables declared once (with the column type each engine gives them), generated from a
 * fixed-seed PRNG into an SQLite file that is cached by row count, so every run and every machine measures the
 * same bytes.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Bump when the generator changes, so that a cached file of the old shape is not reused. */
const DATASET_VERSION = 1;

/** What a native pipeline must know of a column to carry it exactly (reals and bytes need explicit spelling). */
export type ColumnKind = 'integer' | 'decimal' | 'real' | 'boolean' | 'text' | 'timestamp' | 'date' | 'json' | 'binary';

export interface BenchColumn {
  name: string;
  kind: ColumnKind;
  notNull?: boolean;
  /** The declared type on each engine: the source's in SQLite, and what ferry creates on the targets. */
  sqlite: string;
  postgres: string;
  mysql: string;
}

export interface BenchTable {
  name: 'wide' | 'narrow';
  columns: BenchColumn[];
  primaryKey: string[];
  index: { name: string; columns: string[] };
}

const col = (name: string, kind: ColumnKind, sqlite: string, postgres: string, mysql: string, notNull = false): BenchColumn => ({
  name,
  kind,
  sqlite,
  postgres,
  mysql,
  notNull,
});

export const TABLES: BenchTable[] = [
  {
    name: 'wide',
    columns: [
      // INTEGER PRIMARY KEY is SQLite's rowid: the usual shape of an application's id column.
      col('id', 'integer', 'INTEGER', 'bigint', 'bigint(20)', true),
      col('n_int', 'integer', 'INT', 'integer', 'int(11)'),
      col('n_big', 'integer', 'BIGINT', 'bigint', 'bigint(20)'),
      col('amount', 'decimal', 'DECIMAL(12,2)', 'numeric(12,2)', 'decimal(12,2)'),
      col('ratio', 'real', 'DOUBLE', 'double precision', 'double'),
      col('flag', 'boolean', 'BOOLEAN', 'boolean', 'tinyint(1)'),
      col('name', 'text', 'VARCHAR(64)', 'character varying(64)', 'varchar(64)', true),
      col('body', 'text', 'TEXT', 'text', 'longtext'),
      col('created_at', 'timestamp', 'TIMESTAMP(6)', 'timestamp(6) without time zone', 'datetime(6)'),
      col('day', 'date', 'DATE', 'date', 'date'),
      col('meta', 'json', 'JSON', 'json', 'json'),
      col('payload', 'binary', 'BLOB', 'bytea', 'longblob'),
    ],
    primaryKey: ['id'],
    index: { name: 'wide_created_idx', columns: ['created_at'] },
  },
  {
    name: 'narrow',
    columns: [
      col('a', 'integer', 'INT', 'integer', 'int(11)', true),
      col('b', 'integer', 'INT', 'integer', 'int(11)', true),
      col('x', 'integer', 'INT', 'integer', 'int(11)'),
      col('y', 'integer', 'INT', 'integer', 'int(11)'),
      col('label', 'text', 'VARCHAR(32)', 'character varying(32)', 'varchar(32)'),
    ],
    primaryKey: ['a', 'b'],
    index: { name: 'narrow_x_idx', columns: ['x'] },
  },
];

export interface Dataset {
  path: string;
  rows: Record<BenchTable['name'], number>;
}

/** The cached dataset file for these row counts, generated first if it is not there yet. */
export function ensureDataset(cacheDir: string, rows: Dataset['rows'], log: (message: string) => void): Dataset {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `dataset-v${DATASET_VERSION}-${rows.wide}-${rows.narrow}.db`);
  if (!existsSync(path)) {
    log(`generating ${path} (${rows.wide + rows.narrow} rows, once; cached for later runs)`);
    const started = performance.now();
    // Built under a temporary name and renamed: an interrupted generation never leaves a file that looks complete.
    const partial = `${path}.partial`;
    rmSync(partial, { force: true });
    generate(partial, rows);
    renameSync(partial, path);
    log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { path, rows };
}

function generate(path: string, rows: Dataset['rows']): void {
  const db = new Database(path);
  try {
    // A throw-away build: no journal, no fsync.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const rng = new Rng(20240917);
    const text = new TextPool(rng);
    for (const table of TABLES) {
      const pk = table.name === 'wide' ? '' : `, PRIMARY KEY (${table.primaryKey.join(', ')})`;
      const columns = table.columns.map(
        (c) => `${c.name} ${c.sqlite}${c.notNull ? ' NOT NULL' : ''}${c.name === 'id' ? ' PRIMARY KEY' : ''}`,
      );
      db.exec(`CREATE TABLE ${table.name} (${columns.join(', ')}${pk})`);
      const insert = db.prepare(`INSERT INTO ${table.name} VALUES (${table.columns.map(() => '?').join(', ')})`);
      const row = table.name === 'wide' ? (i: number) => wideRow(rng, text, i) : (i: number) => narrowRow(rng, i);
      const insertMany = db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) insert.run(row(i));
      });
      for (let from = 0; from < rows[table.name]; from += 100_000) insertMany(from, Math.min(from + 100_000, rows[table.name]));
      // After the data, as any bulk load does.
      db.exec(`CREATE INDEX ${table.index.name} ON ${table.name} (${table.index.columns.join(', ')})`);
    }
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}

const EPOCH_2015 = Date.UTC(2015, 0, 1);
const TEN_YEARS_MS = 10 * 365.25 * 24 * 3600 * 1000;

/** One `wide` row: every portable type, NULLs in every nullable column, values at the edges of their types. */
function wideRow(rng: Rng, text: TextPool, i: number): unknown[] {
  const orNull = <T>(p: number, value: () => T): T | null => (rng.chance(p) ? null : value());
  return [
    i + 1,
    orNull(0.05, () => rng.next() | 0),
    // One in ten past 2^53, where a JS number would round: the bigint path must be exercised.
    orNull(0.05, () => (rng.chance(0.1) ? BigInt.asIntN(64, (BigInt(rng.next()) << 32n) | BigInt(rng.next())) : rng.int(1_000_000_000))),
    orNull(0.05, () => (rng.int(2_000_000_000) - 1_000_000_000) / 100),
    orNull(0.05, () => (rng.float() - 0.5) * 10 ** (rng.int(40) - 20)),
    orNull(0.03, () => (rng.chance(0.5) ? 1 : 0)),
    text.name(i),
    orNull(0.05, () => text.body()),
    orNull(0.02, () => timestamp(EPOCH_2015 + rng.int(TEN_YEARS_MS), rng.int(1000))),
    orNull(0.02, () => timestamp(EPOCH_2015 + rng.int(TEN_YEARS_MS), 0).slice(0, 10)),
    orNull(0.1, () =>
      JSON.stringify({ id: i, tags: [text.word(), text.word()], score: rng.int(10_000) / 8, active: rng.chance(0.5), note: text.word() }),
    ),
    orNull(0.1, () => rng.bytes(rng.chance(0.02) ? 0 : 1 + rng.int(48))),
  ];
}

/** One `narrow` row, generated in primary-key order (10 `b` per `a`), as an application's link table fills up. */
function narrowRow(rng: Rng, i: number): unknown[] {
  return [
    Math.floor(i / 10) + 1,
    (i % 10) + 1,
    rng.chance(0.02) ? null : rng.int(1_000_000),
    rng.chance(0.05) ? null : rng.next() | 0,
    `tag-${rng.next().toString(36)}`,
  ];
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` */
function timestamp(ms: number, extraMicros: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(extraMicros).padStart(3, '0')}`;
}

/** mulberry32: small, fast, and the same sequence on every platform (Math.random is neither seeded nor stable). */
class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  /** A double in [0, 1) with all 53 bits random, so that reals need their full precision to survive. */
  float(): number {
    return (this.next() * 2 ** 21 + (this.next() >>> 11)) / 2 ** 53;
  }
  chance(p: number): boolean {
    return this.next() < p * 2 ** 32;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/**
 * Text of varying length cut from one pre-generated corpus at word boundaries (fast, and never inside an emoji's
 * surrogate pair). Some words are non-ASCII or carry the characters that CSV and COPY must escape.
 */
class TextPool {
  private static readonly WORDS = (
    'the of and to in is was for on that with as by at from this be are an or it which not have has had but were ' +
    'data table row column index value key migrate server backup restore version upgrade schema batch stream copy'
  ).split(' ');
  private static readonly SPECIAL = [
    'café',
    'naïve',
    'Zürich',
    'Ελληνικά',
    '日本語',
    'Москва',
    '😀',
    '🚀🚀',
    'a "quoted" word',
    'comma,separated',
    'back\\slash',
    'tab\there',
    'line\nbreak',
    'cr\r\nlf',
  ];
  private static readonly FIRST = ['Ada', 'Zoë', 'José', 'Li', 'Søren', 'Amélie', 'Ngozi', 'Yuki', 'Łukasz', 'Omar', '李', 'Ana'];
  private static readonly LAST = ['Lovelace', 'Müller', 'García', 'Wang', 'Kierkegaard', "O'Brien", 'Okafor', 'Tanaka', 'Dvořák', '王'];

  private readonly corpus: string;
  private readonly starts: number[] = [];

  constructor(private readonly rng: Rng) {
    const words: string[] = [];
    let length = 0;
    for (let i = 0; i < 50_000; i++) {
      const pool = rng.chance(0.03) ? TextPool.SPECIAL : TextPool.WORDS;
      const word = pool[rng.int(pool.length)]!;
      this.starts.push(length);
      words.push(word);
      length += word.length + 1;
    }
    this.starts.push(length);
    this.corpus = words.join(' ') + ' ';
  }

  /** 5 to 60 words, with some empty strings and some long texts (about 1,500 characters). */
  body(): string {
    if (this.rng.chance(0.01)) return '';
    const words = this.rng.chance(0.01) ? 250 : 5 + this.rng.int(56);
    const first = this.rng.int(this.starts.length - 1 - words);
    return this.corpus.slice(this.starts[first], this.starts[first + words]! - 1);
  }

  word(): string {
    const k = this.rng.int(this.starts.length - 1);
    return this.corpus.slice(this.starts[k], this.starts[k + 1]! - 1);
  }

  name(i: number): string {
    return `${TextPool.FIRST[this.rng.int(TextPool.FIRST.length)]} ${TextPool.LAST[this.rng.int(TextPool.LAST.length)]} #${i}`;
  }
}
