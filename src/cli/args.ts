import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerryError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const satisfies Options;

/** Flags of the commands that choose tables. */
export const TABLE_OPTIONS = {
  tables: { type: 'string' },
  'exclude-tables': { type: 'string' },
} as const satisfies Options;

/**
 * Parses a command's arguments strictly: an unknown flag or a missing value is a usage error (exit 2) that names
 * the flag and points at --help.
 */
type CommandConfig<T extends Options> = { args: string[]; options: typeof COMMON_OPTIONS & T; allowPositionals: true; strict: true };
export type ParsedCommand<T extends Options> = ReturnType<typeof parseArgs<CommandConfig<T>>>;

export function parseCommand<T extends Options>(command: string, argv: string[], options: T): ParsedCommand<T> {
  try {
    const config: CommandConfig<T> = { args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true };
    return parseArgs(config);
  } catch (e) {
    throw new FerryError('usage', (e as Error).message.replace(/\. To specify a positional.*$/s, ''), {
      hint: `see ferry ${command} --help`,
    });
  }
}

/** Exactly `count` positional arguments, named for the message. */
export function positionals(command: string, given: string[], names: string[]): string[] {
  if (given.length !== names.length) {
    throw new FerryError(
      'usage',
      `ferry ${command} takes ${names.join(' and ')} (${given.length} argument${given.length === 1 ? '' : 's'} given)`,
      {
        hint: `see ferry ${command} --help`,
      },
    );
  }
  return given;
}

/** A comma-separated list flag. */
export function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new FerryError('usage', `--${flag} takes a positive whole number, not "${value}"`);
  return n;
}
