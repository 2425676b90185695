/**
 * Portable types: the engine-neutral column types every reader maps to and every writer maps from.
 * DESIGN.md lists them; each engine declares how it spells them (see engines/<engine>/types.ts).
 */
export type PortableType =
  | { kind: 'integer'; bits: 16 | 32 | 64 }
  | { kind: 'decimal'; precision?: number; scale?: number }
  | { kind: 'real'; bits: 32 | 64 }
  | { kind: 'boolean' }
  | { kind: 'text'; length?: number }
  | { kind: 'binary'; length?: number }
  | { kind: 'date' }
  | { kind: 'time'; precision?: number }
  | { kind: 'timestamp'; tz: boolean; precision?: number }
  | { kind: 'json' }
  | { kind: 'uuid' }
  | { kind: 'enum'; values: string[] };

export type PortableKind = PortableType['kind'];

/** A short human-readable spelling of a portable type, for inspect and messages: `integer(64)`, `text(20)`. */
export function formatType(type: PortableType): string {
  switch (type.kind) {
    case 'integer':
    case 'real':
      return `${type.kind}(${type.bits})`;
    case 'decimal':
      return type.precision === undefined ? 'decimal' : `decimal(${type.precision},${type.scale ?? 0})`;
    case 'text':
    case 'binary':
      return type.length === undefined ? type.kind : `${type.kind}(${type.length})`;
    case 'time':
      return type.precision === undefined ? 'time' : `time(${type.precision})`;
    case 'timestamp':
      return `timestamp${type.tz ? ' tz' : ''}${type.precision === undefined ? '' : `(${type.precision})`}`;
    case 'enum':
      return `enum(${type.values.map((v) => `'${v}'`).join(',')})`;
    default:
      return type.kind;
  }
}

/** The inclusive range of an integer column of the given width. */
export function integerRange(bits: 16 | 32 | 64): [bigint, bigint] {
  const max = (1n << BigInt(bits - 1)) - 1n;
  return [-max - 1n, max];
}
