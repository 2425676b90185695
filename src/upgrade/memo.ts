import type { Key } from './types.js';

/** Entries a memo holds before it starts again: bounded memory, whatever the size of the table behind it. */
const MEMO_ENTRIES = 50_000;

/**
 * Remembers recent answers of a lookup or remap, whose tables live in the scratch store on disk. Conversions ask
 * the same few keys again and again (the owner of each file, its folder, its policy): a query per call was most of
 * an upgrade's time. Only single-value keys are remembered (a composite key would need encoding first, which is
 * most of the cost the memo saves). When full it is emptied, not evicted entry by entry: the keys asked most come
 * back at once.
 */
export function memoize<T>(load: (key: Key) => T): (key: Key) => T {
  const memo = new Map<unknown, T>();
  return (key) => {
    if (typeof key === 'object' && key !== null) return load(key);
    // 5 and 5n are the same key to the scratch store, and to the memo.
    const k = typeof key === 'bigint' && key >= -9007199254740991n && key <= 9007199254740991n ? Number(key) : key;
    if (memo.has(k)) return memo.get(k)!;
    const value = load(key);
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(k, value);
    return value;
  };
}
