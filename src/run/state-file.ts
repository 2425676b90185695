import { accessSync, constants, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FerryError } from '../core/errors.js';
import type { EncodedKey } from './keys.js';

/**
 * migration_state.json: the human-readable mirror of a run's progress (DESIGN.md "Checkpoints and resume"). The
 * authoritative per-batch record is the checkpoint table the writer commits with each batch; this file says which
 * run that is, what it planned, and how far each table has gone, so a rerun of the same command can continue.
 */
export interface RunState {
  format: 1;
  ferryVersion: string;
  command: string;
  runId: string;
  /** Endpoints as given, passwords removed. */
  source: string;
  target: string;
  /** What the run does: tables in order and the options that change what lands in the target. */
  plan: RunPlan;
  /** A fingerprint of the plan, the source schema and the options; a resume requires the same. */
  planFingerprint: string;
  /** Where the run stands: the phase reached, and per table. */
  phase: 'schema' | 'data' | 'constraints' | 'verify' | 'done';
  tables: Record<string, TableState>;
  startedAt: string;
  updatedAt: string;
}

export interface RunPlan {
  tables: string[];
  options: Record<string, unknown>;
}

export interface TableState {
  /** pending → copying → copied → finished (indexes and identity done). */
  status: 'pending' | 'copying' | 'copied' | 'finished';
  rowsTotal: number;
  rowsDone: number;
  rejected: number;
  resumeKey?: EncodedKey;
  /** The source's row count when the table was first counted, to notice a source that changed underneath. */
  sourceRows?: number;
  /** Seconds the copy took (of the run that finished it). */
  seconds?: number;
  /** Rows the source formatted as the target's bulk text (the rest went as values). */
  formatted?: number;
}

/** Where a run keeps its state unless told otherwise: the working folder. */
export const DEFAULT_STATE_FILE = 'migration_state.json';

export function readState(path: string): RunState | undefined {
  if (!existsSync(path)) return undefined;
  let state: RunState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as RunState;
  } catch (e) {
    throw new FerryError('refused', `${path} is not a readable ferry state file: ${(e as Error).message}`, {
      hint: 'move it away, or pass --force-reset to start over',
    });
  }
  if (state.format !== 1) {
    throw new FerryError('refused', `${path} was written by another ferry version (format ${String(state.format)})`, {
      hint: 'finish the run with that version, or pass --force-reset',
    });
  }
  return state;
}

/**
 * Refuses a state path whose folder is missing or not writable, before the run touches the target: a run that cannot
 * record its progress cannot be resumed.
 */
export function checkStatePath(path: string): void {
  const dir = dirname(path);
  let problem: string | undefined;
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) problem = 'that is a folder, not a file';
    else if (!statSync(dir).isDirectory()) problem = `${dir} is not a folder`;
    else accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problem =
      code === 'ENOENT'
        ? `the folder ${dir} does not exist`
        : code === 'ENOTDIR'
          ? `${dir} is not a folder`
          : `the folder ${dir} is not writable`;
  }
  if (problem) {
    throw new FerryError('usage', `cannot keep the run's state in ${path}: ${problem}`, {
      hint: 'pass --state FILE in a folder that exists and that you can write',
    });
  }
}

/** Writes the state atomically: a temporary file renamed over the old one, so a crash leaves one or the other. */
export function writeState(path: string, state: RunState): void {
  state.updatedAt = new Date().toISOString();
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new FerryError('failed', `cannot write the run's state to ${path}: ${(e as Error).message}`, {
      hint: 'free some space or fix the folder, then run the same command again: it resumes from the last checkpoint',
      cause: e,
    });
  }
}

export function removeState(path: string): void {
  rmSync(path, { force: true });
}
