/**
 * Typed errors. Every error a user can cause is a FerryError with a kind; the CLI maps the kind to an exit code in
 * one place (cli/exit-codes.ts) and prints the message and the hint, never a stack trace unless --debug.
 */
export type ErrorKind =
  /** Bad flags, an unknown URL scheme, a malformed endpoint. */
  | 'usage'
  /** The run would be unsafe: the target is not empty, a resume does not match, a blocker was found. */
  | 'refused'
  /** The endpoint cannot be reached or opened: host down, wrong password, missing file, permission denied. */
  | 'endpoint'
  /** verify found a difference. */
  | 'mismatch'
  /** The run finished but some rows were rejected (and --allow-rejects was not given). */
  | 'rejects'
  /** Anything else that stopped a run. */
  | 'failed';

export class FerryError extends Error {
  readonly kind: ErrorKind;
  /** What to do about it, one line. */
  readonly hint?: string;
  /** Extra machine-readable context for --json output (which tables, which keys…). */
  readonly details?: Record<string, unknown>;

  constructor(kind: ErrorKind, message: string, options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FerryError';
    this.kind = kind;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export function isFerryError(e: unknown): e is FerryError {
  return e instanceof FerryError;
}

/** Removes the password (and any secret query parameter) from a connection URL, for messages and state files. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&](?:password|passwd|pwd|sslpassword|secret|token)=)[^&#]*/gi, '$1***');
}

/** The message of any thrown value with every URL-embedded password removed. */
export function safeMessage(e: unknown, secrets: string[] = []): string {
  let message = e instanceof Error ? e.message : String(e);
  for (const s of secrets) if (s) message = message.split(s).join('***');
  return redactUrl(message);
}
