/**
 * The internal form of conversions. A target table is a list of parts read one after the other; its resume key is
 * `[partIndex, ...position inside the part]` (see hop-reader.ts), so every kind of conversion resumes exactly.
 */
import type { RowContext } from './types.js';

/** A row as conversions see it: values by column name. */
export type RowObject = Record<string, unknown>;
/** A context whose lookups are not typed (the runtime side). */
export type AnyContext = RowContext<Record<string, never>>;
/** A predicate over a source row. */
export type Predicate = (row: RowObject, ctx: AnyContext) => boolean;

/**
 * Reads one source table in its key order and emits zero, one or several target rows per source row.
 * Resumes at `[partIndex, ...sourceResumeKey]`.
 */
export interface RowsPart {
  kind: 'rows';
  source: string;
  where?: Predicate;
  dropRows: [reason: string, predicate: Predicate][];
  orphans: [reason: string, predicate: Predicate][];
  /** Source columns not carried (declared losses), with why. */
  dropColumns: Record<string, string>;
  /** Source columns another conversion carries (not losses). */
  omit: Record<string, string>;
  /** The target rows of one source row (after the filters said it is carried). */
  emit: (row: RowObject, ctx: AnyContext) => RowObject[];
  /** One target row per source row (so counts need not call `emit`). */
  oneToOne: boolean;
  /** For `copy`: how source columns land in the target, checked against the declared schemas when the hop is defined. */
  copy?: { carried: Map<string, string>; set: string[]; converted: boolean };
  /** How the conversion was declared, for messages: `copy(users)`, `from(notes)`, `settings(options)`. */
  label: string;
}

/** The keys a settings conversion adds when the source lacks them. Resumes at `[partIndex, index in add]`. */
export interface AddedPart {
  kind: 'added';
  source: string;
  keyColumn: string;
  /** In target spelling: `[key, value]`, in declaration order; a function value is computed (undefined: not added). */
  keys: [string, unknown][];
  /** The target row of an added key. */
  make: (key: string, value: unknown, index: number, ctx: AnyContext) => RowObject;
  /** A source row's key as the target spells it (undefined when dropped): which added keys the source already has. */
  targetKey: (sourceKey: string) => string | undefined;
  label: string;
}

/** One row per new id of a remap, in id order. Resumes at `[partIndex, id]`. */
export interface RemapPart {
  kind: 'remap';
  remap: string;
  emit: (entry: { id: number; value: unknown; count: number }, ctx: AnyContext) => RowObject;
  label: string;
}

export type Part = RowsPart | AddedPart | RemapPart;

/** The parts of one target table. */
export interface ConversionImpl {
  readonly parts: Part[];
}
