import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The scratch store of a run through hops: one SQLite file (`<workdir>/remap.db`) holding the lookups, remaps,
 * values and counts the hops prepare, so that memory stays bounded at any table size and a resumed run finds them.
 *
 * Each item is built from scratch into its own tables, and marked complete (with a fingerprint of what it was
 * built from) in the same transaction as its last rows. An item without that mark was interrupted: it is built
 * again. An item whose fingerprint differs (another source, another pack version) is built again too.
 */
export class ScratchStore {
  readonly path: string;
  readonly db: Database.Database;
  private readonly lookupDone: Database.Statement;
  private readonly markDone: Database.Statement;
  private readonly forget: Database.Statement;

  constructor(workdir: string, options: { reset?: boolean } = {}) {
    mkdirSync(workdir, { recursive: true });
    this.path = join(workdir, 'remap.db');
    if (options.reset) for (const suffix of ['', '-wal', '-shm']) rmSync(this.path + suffix, { force: true });
    this.db = new Database(this.path);
    // WAL with NORMAL sync: a killed process loses nothing committed; a power cut may lose the last items, which
    // then lack their completion mark and are rebuilt.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS _ferry_done (item TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, value TEXT) WITHOUT ROWID');
    this.lookupDone = this.db.prepare('SELECT fingerprint, value FROM _ferry_done WHERE item = ?');
    this.markDone = this.db.prepare('INSERT OR REPLACE INTO _ferry_done (item, fingerprint, value) VALUES (?, ?, ?)');
    this.forget = this.db.prepare('DELETE FROM _ferry_done WHERE item = ?');
  }

  /** The value recorded when the item was completed with this fingerprint; undefined when it must be built. */
  completed(item: string, fingerprint: string): { value: string | null } | undefined {
    const row = this.lookupDone.get(item) as { fingerprint: string; value: string | null } | undefined;
    return row && row.fingerprint === fingerprint ? { value: row.value } : undefined;
  }

  /** Starts building an item: its completion mark goes, and its tables are created empty (a definition per table suffix: `(k TEXT, …)`). */
  begin(item: string, tables: Record<string, string>): Record<string, string> {
    const names: Record<string, string> = {};
    this.db.transaction(() => {
      this.forget.run(item);
      for (const [suffix, definition] of Object.entries(tables)) {
        const name = tableName(item, suffix);
        this.db.exec(`DROP TABLE IF EXISTS ${name}`);
        this.db.exec(`CREATE TABLE ${name} ${definition}`);
        names[suffix] = name;
      }
    })();
    return names;
  }

  /** The table names of an item (built or being built). */
  tables(item: string, suffixes: string[]): Record<string, string> {
    return Object.fromEntries(suffixes.map((s) => [s, tableName(item, s)]));
  }

  /** Runs `work` and marks the item complete in one transaction. */
  complete(item: string, fingerprint: string, value: string | null, work: () => void = () => {}): void {
    this.db.transaction(() => {
      work();
      this.markDone.run(item, fingerprint, value);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A fingerprint of the things an item is built from. */
export function fingerprintOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** Item names are free text (hop, kind, name): tables get a digest of it, always a valid identifier. */
function tableName(item: string, suffix: string): string {
  return `s_${createHash('sha256').update(item).digest('hex').slice(0, 16)}_${suffix}`;
}
