import { col, defineSchema, table } from '../../src/upgrade/index.js';

// The tables that do not change between versions are declared once and shared.
const notebooks = table('notebooks', { id: col.int64().primaryKey(), owner_id: col.int64(), title: col.text(200) });
const options = table('options', { name: col.text(64).primaryKey(), value: col.text().nullable() });
const users2 = table('users', {
  id: col.int64().primaryKey(),
  email: col.text(120).unique(),
  display_name: col.text(80),
  password: col.text(64),
  created_at: col.timestamp(),
});
const tags = table('tags', { id: col.int64().primaryKey(), name: col.text(60) });

/** Jot 1.x: notes in notebooks, labels as a comma list of ids, unix times, settings in `options`. */
export const v1 = defineSchema(
  table('users', {
    id: col.int64().primaryKey(),
    email: col.text(120).unique(),
    name: col.text(80),
    password: col.text(64),
    two_factor: col.text(64).nullable(),
    created_at: col.timestamp(),
  }),
  notebooks,
  table('labels', { id: col.int64().primaryKey(), name: col.text(60) }),
  table('notes', {
    id: col.int64().primaryKey(),
    notebook_id: col.int64(),
    title: col.text(200),
    body: col.text(),
    labels: col.text(), // label ids: '3,7'
    created: col.int64(), // unix seconds
    archived: col.int16(), // 0 or 1
    deleted_at: col.timestamp().nullable(), // set when the note is in the trash
  }),
  table('attachments', {
    id: col.int64().primaryKey(),
    note_id: col.int64(),
    filename: col.text(255),
    size: col.int64(),
    storage: col.text(10), // 'local' or 's3'
  }),
  table('sessions', { id: col.int64().primaryKey(), user_id: col.int64(), token: col.text(64), expires_at: col.timestamp() }),
  options,
);

/** Jot 2.x: tags of their own, timestamps and booleans, the author on each note; no sessions. */
export const v2 = defineSchema(
  users2,
  notebooks,
  table('notes', {
    id: col.int64().primaryKey(),
    notebook_id: col.int64(),
    author_id: col.int64(),
    title: col.text(200),
    body: col.text(),
    word_count: col.int32(),
    created_at: col.timestamp(),
    archived: col.boolean(),
  }),
  tags,
  table('note_tags', { note_id: col.int64(), tag_id: col.int64() }, { primaryKey: ['note_id', 'tag_id'] }),
  table('attachments', {
    id: col.int64().primaryKey(),
    note_id: col.int64(),
    filename: col.text(255),
    size: col.int64(),
    path: col.text(300),
  }),
  options,
);

/** Jot 3.x: notebooks and notes are one tree of nodes; attachments are files; `options` became `settings`. */
export const v3 = defineSchema(
  users2,
  table('nodes', {
    id: col.int64().primaryKey(),
    kind: col.enum('notebook', 'note'),
    parent_id: col.int64().nullable(),
    owner_id: col.int64(),
    title: col.text(200),
    body: col.text().nullable(),
    word_count: col.int32().nullable(),
    created_at: col.timestamp().nullable(),
    archived: col.boolean(),
  }),
  tags,
  table('node_tags', { node_id: col.int64(), tag_id: col.int64() }, { primaryKey: ['node_id', 'tag_id'] }),
  table('files', { id: col.int64().primaryKey(), node_id: col.int64(), name: col.text(255), size: col.int64(), path: col.text(300) }),
  table('settings', { key: col.text(64).primaryKey(), value: col.text().nullable() }),
);
