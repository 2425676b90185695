import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
// Resolved here, not from the child's working directory, which tests set to scratch folders.
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the ferry command line (from source, through tsx) as a user would, and collects its output. */
export function ferry(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; started?: (pid: number) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) options.started?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // A process killed by a signal has no exit code: -1 stands for that.
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Whether a process is stopped by a signal (Linux: the state letter in /proc/PID/stat). */
export function isStopped(pid: number): boolean {
  try {
    return pid > 0 && /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Stops a child that a failed assertion could leave running (or stopped) for ever; one that has ended is left be. */
export function killIfRunning(pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // It has ended: nothing to stop.
  }
}
