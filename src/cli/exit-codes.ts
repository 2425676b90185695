import type { ErrorKind } from '../core/errors.js';

/**
 * ferry's exit codes, decided here and nowhere else. Documented in README.md and `ferry --help`.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  mismatch: 4,
  rejects: 5,
  endpoint: 6,
} as const satisfies Record<ErrorKind | 'ok', number>;

export const EXIT_CODES_HELP = `Exit codes:
  0  done (and verified, unless --no-verify)
  1  failed: the run stopped on an unexpected error
  2  usage: bad flags or an endpoint ferry does not understand
  3  refused: the target is not empty, or the run would be unsafe
  4  verification found a difference
  5  finished, but rows were rejected (see the reject files; --allow-rejects accepts them)
  6  an endpoint cannot be reached or opened (host, password, file, permission)`;
