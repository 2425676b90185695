import type { NotCarried } from '../../core/schema.js';

/** Lists what a run did not carry: never dropped silently. */
export function printNotCarried(items: NotCarried[]): void {
  if (items.length === 0) return;
  console.log(`\nnot carried (${items.length}):`);
  for (const n of items) console.log(`  ${n.kind} ${n.table ? `${n.table}.` : ''}${n.name}: ${n.reason}`);
}
