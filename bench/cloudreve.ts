/**
 * The Cloudreve pack at scale (issue #6): a V3 site with a million files (SQLite, made by the sample generator)
 * upgraded to V4 by `ferry migrate --app cloudreve`, into SQLite and into PostgreSQL, measured as a user would run
 * it (a child process: wall time, rows/s, peak RSS), beside sqlite3's own page copy of the V3 file (`.backup`).
 * A plain `ferry migrate` of the V3 file is no baseline: V3 writes SQLite times with a zone offset into `datetime`
 * columns, which a plain copy rejects as values its timestamp type cannot hold; the pack converts them to UTC.
 *
 *   npm run build && node dist/bench/cloudreve.js [files]      (default 1,000,000)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateV3 } from '../packs/cloudreve/sample/generate-v3.js';
import { measure } from './measure.js';

const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const PG = process.env.FERRY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const SALT = 'bench-salt';

async function main(): Promise<void> {
  const files = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-cloudreve-'));
  try {
    const v3 = join(dir, 'v3.db');
    let started = performance.now();
    const made = await generateV3(`sqlite:${v3}`, { files, seed: 1, hashIdSalt: SALT });
    const rows = Object.values(made.counts).reduce((s, n) => s + n, 0);
    console.log(`V3 site: ${files.toLocaleString('en-US')} files, ${rows.toLocaleString('en-US')} rows (generated in ${s(started)})`);

    const pack = ['--app', 'cloudreve', '--set', `hashIdSalt=${SALT}`, '--set', 'md5Passwords=keep', '--yes', '--quiet'];
    const results: [string, Awaited<ReturnType<typeof measure>>][] = [];
    const run = async (label: string, args: string[]) => {
      const state = join(dir, `${label.replace(/\W+/g, '-')}.json`);
      const m = await measure(process.execPath, [FERRY, 'migrate', ...args, '--state', state, '--rejects-dir', join(dir, 'rejects')]);
      results.push([label, m]);
      console.log(
        `${label.padEnd(44)} ${m.seconds.toFixed(1).padStart(7)} s  ${Math.round(rows / m.seconds)
          .toLocaleString('en-US')
          .padStart(9)} rows/s  ${(m.peakRssMb === undefined ? '?' : m.peakRssMb.toFixed(0)).padStart(5)} MB`,
      );
    };
    started = performance.now();
    execFileSync('sqlite3', [v3, `.backup ${join(dir, 'native-copy.db')}`]);
    console.log(`${'native: sqlite3 .backup (a page copy)'.padEnd(44)} ${s(started).padStart(9)}`);
    await run('ferry migrate --app cloudreve → SQLite', [`sqlite:${v3}`, `sqlite:${join(dir, 'v4.db')}`, ...pack]);
    const name = `ferry_bench_cr_${process.pid}`;
    try {
      await run('ferry migrate --app cloudreve → PostgreSQL', [`sqlite:${v3}`, `${PG}/${name}`, ...pack]);
    } finally {
      const c = new pg.Client({ connectionString: `${PG}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function s(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

await main();
