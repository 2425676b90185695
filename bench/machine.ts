/**
 * Whether the machine is quiet enough to time a run. Other work (a test suite, a build, or a database server still
 * purging the previous run's rows) steals CPU from whichever side runs then, so before each timed run the
 * benchmark waits for the CPUs to fall idle, and records who kept them busy when they would not.
 * Linux only (/proc); elsewhere the check is skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface CpuUse {
  /** CPUs kept busy (1.0 = one CPU all the time), all processes together. */
  cpus: number;
  /** The busiest processes, `name (pid)`. */
  top: { process: string; cpus: number }[];
}

/** Idle enough: background noise (a few daemons) stays below this. */
const QUIET_CPUS = 0.25;
/** Ticks per second of /proc's CPU times (USER_HZ, 100 on every mainstream Linux). */
const TICKS = 100;

/** Waits (up to `maxSeconds`) until the CPUs are idle; returns the last sample when they never were. */
export async function waitForQuiet(maxSeconds = 60): Promise<CpuUse | undefined> {
  const deadline = performance.now() + maxSeconds * 1000;
  for (;;) {
    const use = await cpuUse();
    if (!use || use.cpus < QUIET_CPUS) return undefined;
    if (performance.now() > deadline) return use;
  }
}

/** CPU use of every process over one second. */
export async function cpuUse(): Promise<CpuUse | undefined> {
  if (!existsSync('/proc/self/stat')) return undefined;
  const before = processTimes();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = processTimes();
  const seconds = (performance.now() - started) / 1000;
  const top: CpuUse['top'] = [];
  for (const [key, ticks] of after) {
    const used = (ticks - (before.get(key) ?? ticks)) / TICKS / seconds;
    if (used > 0.01) top.push({ process: key, cpus: Math.round(used * 100) / 100 });
  }
  top.sort((a, b) => b.cpus - a.cpus);
  return { cpus: Math.round(top.reduce((s, p) => s + p.cpus, 0) * 100) / 100, top: top.slice(0, 3) };
}

/** user + system ticks of every process, by `name (pid)`. */
function processTimes(): Map<string, number> {
  const times = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      times.set(`${stat.slice(stat.indexOf('(') + 1, close)} (${pid})`, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  return times;
}
