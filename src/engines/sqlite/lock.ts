import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { FerryError } from '../../core/errors.js';

/**
 * The run lock of an SQLite target: a file beside the database, created atomically (`wx`), holding the owner's
 * process id. A lock whose process is gone (a killed run) is taken over; a live one refuses the second run.
 */
export class SqliteRunLock {
  private held = false;

  constructor(private readonly path: string) {}

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.path, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), { flag: 'wx' });
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = this.owner();
        if (owner && isAlive(owner.pid, owner.host)) {
          throw new FerryError('refused', `another ferry run (process ${owner.pid}, since ${owner.since}) is writing into this database`, {
            hint: `wait for it to finish; if no such run exists, remove ${this.path}`,
          });
        }
        rmSync(this.path, { force: true });
      }
    }
    throw new FerryError('refused', `cannot take the lock ${this.path}`, {
      hint: 'remove it if no ferry run is writing into this database',
    });
  }

  release(): void {
    if (this.held) rmSync(this.path, { force: true });
    this.held = false;
  }

  private owner(): { pid: number; host: string; since: string } | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as { pid: number; host: string; since: string };
    } catch {
      return undefined;
    }
  }
}

function isAlive(pid: number, host: string): boolean {
  // A lock taken on another machine (a shared folder) cannot be checked from here: treat it as held.
  if (host !== hostname()) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
