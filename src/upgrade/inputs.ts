import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FerryError } from '../core/errors.js';
import type { AppConfig, Pack } from './types.js';

/**
 * The pack inputs of a run: those read from the application's config file, overridden by `--set`. Refuses a name
 * the pack does not declare, and a value outside a declared choice.
 */
export function resolveInputs(pack: Pack, fromConfig: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const declared = pack.inputs ?? {};
  const names = Object.keys(declared);
  for (const [name, value] of Object.entries(given)) {
    const spec = declared[name];
    if (!spec) {
      throw new FerryError('usage', `--set ${name}: the ${pack.name} pack has no input ${name}`, {
        hint: names.length ? `its inputs: ${names.join(', ')}` : `the ${pack.name} pack takes no inputs`,
      });
    }
    if (spec.values && !spec.values.includes(value)) {
      throw new FerryError('usage', `--set ${name}=${value}: ${name} must be one of ${spec.values.join(', ')}`, { hint: spec.description });
    }
  }
  return { ...fromConfig, ...given };
}

/** Reads the application's config file through the pack: which database, which table prefix, which inputs. */
export function readAppConfig(pack: Pack, side: 'source' | 'target', file: string): AppConfig {
  const reader = pack.config?.[side];
  const flag = side === 'source' ? '--app-config' : '--target-config';
  if (!reader)
    throw new FerryError('usage', `the ${pack.name} pack cannot read ${flag} files`, { hint: 'give the database as an endpoint' });
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FerryError('usage', `${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'give the path of the application config file',
    });
  }
  return reader(path, text);
}

/** Parses repeated `--set name=value` flags. */
export function parseSets(sets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new FerryError('usage', `--set ${s}: expected name=value`, { hint: 'for example --set hashIdSalt=abc123' });
    out[s.slice(0, eq).trim()] = s.slice(eq + 1);
  }
  return out;
}
