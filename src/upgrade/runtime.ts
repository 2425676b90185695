import type { HopDef } from './define.js';
import type { AnyContext } from './parts.js';
import type { PreparedImpl } from './prepare-spec.js';
import type { Key, Lookup, Remap } from './types.js';

/** A remap as the hop reader uses it: a Remap, plus its new ids in order (for `t.fromRemap`). */
export interface RemapHandle extends Remap<Key> {
  /** New ids (rows `fromRemap` makes). */
  count(): number;
  /** Old keys (source rows the remap took). */
  size(): number;
  /** New ids after `after` (all when undefined), in id order, with their kept values. */
  page(after: number | undefined, limit: number): { id: number; value: unknown; count: number }[];
}

/** Progress of the work a hop does before rows flow, for the CLI and the dashboard. */
export type UpgradeEvent =
  | { type: 'prepare'; hop: string; item: string; rows: number; done: boolean; reused?: boolean }
  | { type: 'tally'; hop: string; table: string; rows: number; done: boolean; reused?: boolean };

/**
 * The run-time state of one hop in one run: its context (what conversion functions receive) and the prepared
 * items attached to it as they are built.
 */
export class HopRuntime {
  readonly ctx: AnyContext;
  /** The hop's fingerprint with the pack inputs: scratch items built with other inputs are built again. */
  readonly fingerprint: string;
  private readonly lookups: Record<string, unknown> = {};
  private readonly bySpec = new Map<PreparedImpl, unknown>();
  private readonly remaps = new Map<string, RemapHandle>();

  constructor(
    readonly hop: HopDef,
    /** The hop's position in the path: it keeps the scratch items of two hops apart. */
    readonly index: number,
    inputs: Readonly<Record<string, string>> = {},
  ) {
    this.fingerprint = `${hop.fingerprint}:${JSON.stringify(Object.entries(inputs).sort())}`;
    this.ctx = {
      lookups: this.lookups as AnyContext['lookups'],
      inputs: Object.freeze({ ...inputs }),
      hop: { from: hop.from, to: hop.to },
      use: ((spec: PreparedImpl) => {
        if (!this.bySpec.has(spec)) {
          throw new Error(
            `hop ${hop.label}: a lookup is used before it is built (declare it in \`lookups\`, before the items that use it)`,
          );
        }
        return this.bySpec.get(spec);
      }) as AnyContext['use'],
    };
  }

  /** The scratch store's name for one of this hop's items. */
  item(kind: string, name: string): string {
    return `${this.index}:${this.hop.label}:${kind}:${name}`;
  }

  attach(name: string, spec: PreparedImpl, handle: Lookup<Key, unknown> | RemapHandle | unknown): void {
    this.lookups[name] = handle;
    this.bySpec.set(spec, handle);
    if (spec.kind === 'remap') this.remaps.set(name, handle as RemapHandle);
  }

  remap(name: string): RemapHandle {
    const handle = this.remaps.get(name);
    if (!handle) throw new Error(`hop ${this.hop.label}: remap ${name} is not built`);
    return handle;
  }
}
