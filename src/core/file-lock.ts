import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { FerryError } from './errors.js';

/**
 * A run lock held as a file, created atomically (`wx`) with the owner's process id and host. A lock whose process
 * is gone (a killed run) is taken over; a live one refuses the second run. A lock taken on another host (a shared
 * folder) cannot be checked from here and counts as held.
 */
export class FileLock {
  private held = false;

  /** `what` names the locked thing in messages: "this backup". */
  constructor(
    readonly path: string,
    private readonly what: string,
  ) {}

  acquire(): void {
    if (this.held) return;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.path, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), { flag: 'wx' });
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = this.owner();
        if (owner && isAlive(owner.pid, owner.host)) {
          throw new FerryError(
            'refused',
            `another ferry run (process ${owner.pid} on ${owner.host}, since ${owner.since}) is writing ${this.what}`,
            {
              hint: `wait for it to finish; if no such run exists, remove ${this.path}`,
            },
          );
        }
        rmSync(this.path, { force: true });
      }
    }
    throw new FerryError('refused', `cannot take the lock ${this.path}`, { hint: `remove it if no ferry run is writing ${this.what}` });
  }

  release(): void {
    if (this.held) rmSync(this.path, { force: true });
    this.held = false;
  }

  private owner(): { pid: number; host: string; since: string } | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as { pid: number; host: string; since: string };
    } catch {
      // Unreadable: written by a process killed between creating and filling it.
      return undefined;
    }
  }
}

function isAlive(pid: number, host: string): boolean {
  if (host !== hostname()) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
