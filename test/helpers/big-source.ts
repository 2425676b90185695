/**
 * A generated SQLite source big enough for interruptions to land mid-table: `big` (200,000 rows with a key),
 * `nokey` (a table without any key, which restarts rather than resumes) and `child` (a foreign key to big).
 * Deterministic: the same rows every time.
 */
import Database from 'better-sqlite3';

export const BIG_ROWS = 200_000;
export const NOKEY_ROWS = 12_000;
export const CHILD_ROWS = 3_000;

export function createBigSource(path: string): void {
  const db = new Database(path);
  try {
    db.exec(`
      CREATE TABLE big (id INTEGER PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(40), price DECIMAL(10,2), at TIMESTAMP, payload BLOB);
      CREATE INDEX big_n_idx ON big (n);
      CREATE TABLE nokey (a BIGINT, b TEXT);
      CREATE TABLE child (id INTEGER PRIMARY KEY, big_id BIGINT NOT NULL REFERENCES big (id), note TEXT);
    `);
    db.transaction(() => {
      const big = db.prepare('INSERT INTO big VALUES (?, ?, ?, ?, ?, ?)');
      for (let i = 1; i <= BIG_ROWS; i++) {
        big.run(
          i,
          (i * 7919) % 1_000_003,
          i % 13 === 0 ? null : `label ${i} ✓`,
          ((i % 10_000) / 100).toFixed(2),
          `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}.${String(i % 1_000_000).padStart(6, '0')}`,
          i % 5 === 0 ? null : Buffer.from([i & 255, 0, (i >> 8) & 255]),
        );
      }
      const nokey = db.prepare('INSERT INTO nokey VALUES (?, ?)');
      for (let i = 0; i < NOKEY_ROWS; i++) nokey.run(i % 1000, `row ${i % 777}`);
      const child = db.prepare('INSERT INTO child VALUES (?, ?, ?)');
      for (let i = 1; i <= CHILD_ROWS; i++) child.run(i, 1 + ((i * 31) % BIG_ROWS), i % 3 ? `note ${i}` : null);
    })();
  } finally {
    db.close();
  }
}
