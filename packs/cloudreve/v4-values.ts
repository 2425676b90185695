/**
 * How Cloudreve 4 spells values the V3 → V4 hop computes: boolsets, times, JSON in struct order, status names.
 * Reference §3.3–3.7.
 */

/**
 * A boolset (reference §3.4): flag n is bit n % 8 of byte n / 8. V4's setter grows the bytes for every flag it is
 * called with, even false, so the length depends on the highest flag the writer touched: `touched`, or the
 * highest set flag (none set: no bytes).
 */
export function boolset(flags: number[], touched?: number): Uint8Array {
  const highest = Math.max(touched ?? -1, ...flags);
  const bytes = new Uint8Array(highest < 0 ? 0 : Math.floor(highest / 8) + 1);
  for (const f of flags) bytes[f >> 3]! |= 1 << (f & 7);
  return bytes;
}

/** Group permission bits (reference §3.4). */
export const GROUP = {
  isAdmin: 0,
  isAnonymous: 1,
  share: 2,
  webdav: 3,
  archiveDownload: 4,
  archiveTask: 5,
  webdavProxy: 6,
  shareDownload: 7,
  remoteDownload: 9,
  redirectedSource: 11,
  advanceDelete: 12,
} as const;

/** Node capability bits. */
export const NODE = { createArchive: 1, extractArchive: 2, remoteDownload: 3 } as const;
/** WebDAV account option bits. */
export const DAV = { readOnly: 0, proxy: 1 } as const;

/**
 * A V3 time as V4 stores it: UTC, to the millisecond (the official migrator truncates to milliseconds). V3 writes
 * SQLite times with their zone (`2024-03-01 12:00:00.123456789+08:00`); PostgreSQL gives `+00:00`; MySQL and
 * zone-less text are taken as UTC. Undefined for NULL or an unreadable value.
 */
export function v4Time(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.replace(/[+:-]/g, '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** JSON text of an object with the keys whose value is undefined, null, false, 0 or '' left out (Go's omitempty). */
export function omitEmpty(obj: Record<string, unknown>, always: string[] = []): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const empty = v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0);
    if (!empty || always.includes(k)) out[k] = v ?? null;
  }
  return JSON.stringify(out);
}

/** Parses JSON text, or undefined when it is not JSON (an empty string included). */
export function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const EPOCH = '1970-01-01 00:00:00.000';

/** A V3 row's times for V4, whose created_at/updated_at are NOT NULL (gorm always set them; a hand-edited row may not). */
export function times(r: { created_at: string | null; updated_at: string | null }): {
  created_at: string;
  updated_at: string;
  deleted_at: null;
} {
  const created = v4Time(r.created_at) ?? v4Time(r.updated_at) ?? EPOCH;
  return { created_at: created, updated_at: v4Time(r.updated_at) ?? created, deleted_at: null };
}

export const USER_STATUS = ['active', 'inactive', 'manual_banned', 'sys_banned'] as const;
