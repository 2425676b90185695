/**
 * Runs one command as a child process and measures it: wall-clock seconds and peak resident memory. Every timed
 * thing in the benchmark (native pipelines and ferry alike) goes through here, so both sides are measured the
 * same way, including process start-up.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Measured {
  seconds: number;
  /** Peak RSS of the process (for a shell pipeline: of its largest process), in MB; undefined when unknown. */
  peakRssMb?: number;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** GNU time reports a child's peak RSS (`%M`, in KB) for any command, shell pipelines included. */
const GNU_TIME = '/usr/bin/time';
/** Without GNU time, a node child reports its own peak RSS through this preloaded module (rss-hook.ts). */
const RSS_HOOK = fileURLToPath(new URL('./rss-hook.js', import.meta.url));

/** Keeps only the end of a child's output: enough for an error message or a JSON result, never unbounded. */
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Throws when the command exits with a code not in `okCodes`: a failed run has no time worth reporting. */
export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv = {}, okCodes: number[] = [0]): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-rss-'));
  const rssFile = join(dir, 'rss');
  let argv: string[];
  if (existsSync(GNU_TIME)) argv = [GNU_TIME, '-f', '%M', '-o', rssFile, command, ...args];
  else if (command === process.execPath) argv = [command, '--import', RSS_HOOK, ...args];
  else argv = [command, ...args];
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await run(argv, { ...process.env, ...env, BENCH_RSS_FILE: rssFile });
    const seconds = (performance.now() - started) / 1000;
    if (code === null || !okCodes.includes(code)) {
      const output = [stdout.slice(-3000).trim(), stderr.slice(-2000).trim()].filter(Boolean).join('\n');
      throw new Error(`${[command, ...args].join(' ').slice(0, 300)}\nexited with ${code}:\n${output}`);
    }
    const kb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
    return { seconds, peakRssMb: Number.isFinite(kb) ? kb / 1024 : undefined, stdout, stderr, exitCode: code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout = (stdout + s).slice(-MAX_OUTPUT)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-MAX_OUTPUT)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Quotes one argument for `bash -c` (native pipelines are shell pipelines: the data never passes through node). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A measured `a | b` pipeline that fails when any of its commands fails; its output goes to `outputFile` when given. */
export function measurePipeline(commands: string[][], env: NodeJS.ProcessEnv = {}, outputFile?: string): Promise<Measured> {
  const script = commands.map((c) => c.map(shellQuote).join(' ')).join(' | ') + (outputFile ? ` > ${shellQuote(outputFile)}` : '');
  return measure('bash', ['-o', 'pipefail', '-c', script], env);
}
