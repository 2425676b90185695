/**
 * The benchmark's settings, all from the environment (see bench/README.md), read once here so that every other
 * file takes plain values.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/bench/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Default total rows: enough that fixed costs (process start, connections, DDL) stay a small share. */
const DEFAULT_ROWS = 2_500_000;

export interface BenchConfig {
  /** Rows in the `wide` and `narrow` tables. */
  rows: { wide: number; narrow: number };
  /** Where the generated SQLite dataset is cached. */
  cacheDir: string;
  /** Where latest.json (and profiles) are written. */
  resultsDir: string;
  postgresUrl: string;
  mysqlUrl: string;
  /** Scenario ids or group names (`migrate`, `backup`) to run (all when empty). */
  only: string[];
  /** Runs of each side per scenario; the median is reported. */
  repeat: number;
  /** Also run ferry once more per scenario under --cpu-prof (untimed) and summarise where its time goes. */
  profile: boolean;
  /** Also compare the native targets' content with the source (`ferry verify`, untimed). */
  checkNativeContent: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const total = totalRows(env.BENCH_ROWS);
  // 40 % wide, 60 % narrow: the default is 1,000,000 wide rows and 1,500,000 narrow ones.
  const wide = Math.max(1, Math.round(total * 0.4));
  return {
    rows: { wide, narrow: Math.max(1, total - wide) },
    cacheDir: env.BENCH_DIR ?? join(tmpdir(), 'ferry-bench'),
    resultsDir: join(ROOT, 'bench', 'results'),
    // The same servers and variables as the test suite (test/helpers/servers.ts).
    postgresUrl: (env.FERRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
    mysqlUrl: (env.FERRY_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, ''),
    only: (env.BENCH_SCENARIOS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    repeat: Math.max(1, Math.floor(Number(env.BENCH_REPEAT ?? 1)) || 1),
    profile: flag(env.BENCH_PROFILE),
    checkNativeContent: flag(env.BENCH_CHECK_NATIVE),
  };
}

/** `BENCH_ROWS`: a scale factor of the default when below 1000 (`0.1`), else the total row count (`200000`). */
function totalRows(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ROWS;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_ROWS must be a positive number, not "${value}"`);
  return Math.round(n < 1000 ? DEFAULT_ROWS * n : n);
}

function flag(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.toLowerCase());
}
