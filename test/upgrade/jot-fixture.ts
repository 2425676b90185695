/**
 * A Jot 1.0 source (packs/example) small enough to reason about row by row: duplicate labels, a note in the trash,
 * a note whose notebook is gone, attachments of both, an S3 attachment (a blocker), settings to rename and drop.
 */
import type { DatasetReader } from '../../src/core/dataset.js';
import { memoryReader } from '../../src/upgrade/testing.js';
import { v1 } from '../../packs/example/schemas.js';

export function jotV1(options: { s3?: boolean; description?: string } = {}): DatasetReader {
  return memoryReader(
    v1,
    {
      users: [
        { id: 1, email: 'ann@example.org', name: 'Ann', password: 'h1', two_factor: 'JBSWY3DP', created_at: '2023-01-01 10:00:00' },
        { id: 2, email: 'bob@example.org', name: 'Bob', password: 'h2', two_factor: null, created_at: '2023-02-01 11:00:00' },
        { id: 3, email: 'cy@example.org', name: 'Cy', password: 'h3', two_factor: null, created_at: '2023-03-01 12:00:00' },
      ],
      notebooks: [
        { id: 1, owner_id: 1, title: 'Work' },
        { id: 2, owner_id: 2, title: 'Home' },
        { id: 5, owner_id: 1, title: 'Ideas' },
      ],
      labels: [
        { id: 1, name: 'Work' },
        { id: 2, name: 'work ' },
        { id: 3, name: 'Ideas' },
        { id: 4, name: 'Urgent' },
      ],
      notes: [
        {
          id: 1,
          notebook_id: 1,
          title: 'Plan',
          body: 'write the plan now',
          labels: '1,3',
          created: 1700000000,
          archived: 0,
          deleted_at: null,
        },
        { id: 2, notebook_id: 1, title: ' ', body: 'no title here', labels: '2', created: 1700000100, archived: 1, deleted_at: null },
        { id: 3, notebook_id: 2, title: 'Groceries', body: 'milk eggs', labels: '', created: 1700000200, archived: 0, deleted_at: null },
        { id: 4, notebook_id: 9, title: 'Lost', body: 'x', labels: '4', created: 1700000300, archived: 0, deleted_at: null },
        {
          id: 5,
          notebook_id: 5,
          title: 'Trash',
          body: 'y',
          labels: '1',
          created: 1700000400,
          archived: 0,
          deleted_at: '2023-05-01 00:00:00',
        },
        { id: 6, notebook_id: 5, title: 'Idea', body: 'z z z', labels: '3,4,9', created: 1700000500, archived: 0, deleted_at: null },
      ],
      attachments: [
        { id: 1, note_id: 1, filename: 'plan.pdf', size: 1000, storage: 'local' },
        { id: 2, note_id: 4, filename: 'lost.png', size: 50, storage: 'local' },
        { id: 3, note_id: 5, filename: 'trash.txt', size: 10, storage: 'local' },
        { id: 4, note_id: 6, filename: 'idea.png', size: 20, storage: options.s3 ? 's3' : 'local' },
      ],
      sessions: [
        { id: 1, user_id: 1, token: 'a', expires_at: '2024-01-01 00:00:00' },
        { id: 2, user_id: 2, token: 'b', expires_at: '2024-01-01 00:00:00' },
      ],
      options: [
        { name: 'site_title', value: 'Jot' },
        { name: 'registration_closed', value: '1' },
        { name: 'legacy_theme', value: 'dark' },
        { name: 'site_motd', value: 'hello' },
      ],
    },
    { description: options.description ?? 'memory:jot-1.0' },
  );
}

/** The file tree of the same Jot 1.0 installation. */
export const JOT_FILES = ['uploads/1/plan.pdf', 'uploads/6/idea.png', 'uploads/4/lost.png', 'thumbs/1/plan.pdf.png', 'logo.png'];

/** What Jot 3.0 holds after the upgrade of the small fixture (see jot-fixture.ts for why each row is there). */
export const JOT_V3 = {
  users: [
    { id: 1, email: 'ann@example.org', display_name: 'Ann', password: 'h1', created_at: '2023-01-01 10:00:00' },
    { id: 2, email: 'bob@example.org', display_name: 'Bob', password: 'h2', created_at: '2023-02-01 11:00:00' },
    { id: 3, email: 'cy@example.org', display_name: 'Cy', password: 'h3', created_at: '2023-03-01 12:00:00' },
  ],
  nodes: [
    {
      id: 1,
      kind: 'notebook',
      parent_id: null,
      owner_id: 1,
      title: 'Work',
      body: null,
      word_count: null,
      created_at: null,
      archived: false,
    },
    {
      id: 2,
      kind: 'notebook',
      parent_id: null,
      owner_id: 2,
      title: 'Home',
      body: null,
      word_count: null,
      created_at: null,
      archived: false,
    },
    {
      id: 5,
      kind: 'notebook',
      parent_id: null,
      owner_id: 1,
      title: 'Ideas',
      body: null,
      word_count: null,
      created_at: null,
      archived: false,
    },
    // Note ids are offset by the last notebook id (5); note 4 (no notebook) and note 5 (in the trash) are gone.
    {
      id: 6,
      kind: 'note',
      parent_id: 1,
      owner_id: 1,
      title: 'Plan',
      body: 'write the plan now',
      word_count: 4,
      created_at: '2023-11-14 22:13:20',
      archived: false,
    },
    {
      id: 7,
      kind: 'note',
      parent_id: 1,
      owner_id: 1,
      title: 'Untitled',
      body: 'no title here',
      word_count: 3,
      created_at: '2023-11-14 22:15:00',
      archived: true,
    },
    {
      id: 8,
      kind: 'note',
      parent_id: 2,
      owner_id: 2,
      title: 'Groceries',
      body: 'milk eggs',
      word_count: 2,
      created_at: '2023-11-14 22:16:40',
      archived: false,
    },
    {
      id: 11,
      kind: 'note',
      parent_id: 5,
      owner_id: 1,
      title: 'Idea',
      body: 'z z z',
      word_count: 3,
      created_at: '2023-11-14 22:21:40',
      archived: false,
    },
  ],
  // `Work` and `work ` were one label twice.
  tags: [
    { id: 1, name: 'Work' },
    { id: 2, name: 'Ideas' },
    { id: 3, name: 'Urgent' },
  ],
  node_tags: [
    { node_id: 6, tag_id: 1 },
    { node_id: 6, tag_id: 2 },
    { node_id: 7, tag_id: 1 },
    { node_id: 11, tag_id: 2 },
    { node_id: 11, tag_id: 3 },
  ],
  files: [
    { id: 1, node_id: 6, name: 'plan.pdf', size: 1000, path: 'files/6/plan.pdf' },
    { id: 4, node_id: 11, name: 'idea.png', size: 20, path: 'files/11/idea.png' },
  ],
  settings: [
    { key: 'signup.open', value: '0' },
    { key: 'site_motd', value: 'hello' },
    { key: 'site.title', value: 'Jot' },
    { key: 'db.version', value: '3.0' },
    { key: 'site.theme', value: 'light' },
  ],
};
