/**
 * A generated Jot 1.0 source large enough for interruptions to land mid-table and for several batches per part,
 * with the same hazards as the small fixture (duplicate labels, notes in the trash, notes whose notebook is gone,
 * orphan attachments). Deterministic: the same rows every time.
 */
import { writeDataset, memoryReader } from '../../src/upgrade/testing.js';
import { v1 } from '../../packs/example/schemas.js';

export const BIG = { notebooks: 400, labels: 3000, notes: 30_000, attachments: 6000 };

function* range(n: number): Iterable<number> {
  for (let i = 1; i <= n; i++) yield i;
}

function* map<T, U>(items: Iterable<T>, f: (t: T) => U): Iterable<U> {
  for (const t of items) yield f(t);
}

export function bigJotV1() {
  return memoryReader(v1, {
    users: [1, 2, 3].map((id) => ({
      id,
      email: `u${id}@example.org`,
      name: `User ${id}`,
      password: `h${id}`,
      two_factor: null,
      created_at: '2023-01-01 00:00:00',
    })),
    notebooks: () => map(range(BIG.notebooks), (id) => ({ id, owner_id: (id % 3) + 1, title: `Notebook ${id}` })),
    // Every fifth label repeats an earlier one's name in other case: 1 tag for both.
    labels: () => map(range(BIG.labels), (id) => ({ id, name: id % 5 === 0 ? `LABEL ${id - 3}` : `label ${id}` })),
    notes: () =>
      map(range(BIG.notes), (id) => ({
        id,
        // Notebooks past the last one do not exist: those notes are orphans.
        notebook_id: (id % (BIG.notebooks + 7)) + 1,
        title: id % 97 === 0 ? '' : `Note ${id}`,
        body: 'word '.repeat(id % 9),
        labels: `${(id % BIG.labels) + 1},${((id * 7) % BIG.labels) + 1}`,
        created: 1_600_000_000 + id,
        archived: id % 4 === 0 ? 1 : 0,
        deleted_at: id % 50 === 0 ? '2023-06-01 00:00:00' : null,
      })),
    attachments: () =>
      map(range(BIG.attachments), (id) => ({
        id,
        note_id: ((id * 5) % BIG.notes) + 1,
        filename: `f${id}.bin`,
        size: id,
        storage: 'local',
      })),
    sessions: [{ id: 1, user_id: 1, token: 't', expires_at: '2024-01-01 00:00:00' }],
    options: [
      { name: 'site_title', value: 'Big Jot' },
      { name: 'registration_closed', value: '0' },
    ],
  });
}

/** Writes the big source into an SQLite file. */
export function writeBigJot(path: string): Promise<void> {
  return writeDataset(bigJotV1(), `sqlite:${path}`);
}
