import { defineHop } from '../../src/upgrade/index.js';
import { v2, v3 } from './schemas.js';

/** Jot 2 → 3: notebooks and notes merge into nodes (note ids offset past the last notebook id). */
export const hop2to3 = defineHop({
  from: '2.0',
  to: '3.0',
  source: v2,
  target: v3,

  lookups: (src) => ({ lastNotebookId: src.max('notebooks', 'id') }),

  tables: {
    users: (t) => t.copy(),
    nodes: (t) =>
      t.merge(
        t.from('notebooks', (b) => ({
          id: b.id,
          kind: 'notebook',
          parent_id: null,
          owner_id: b.owner_id,
          title: b.title,
          body: null,
          word_count: null,
          created_at: null,
          archived: false,
        })),
        t.from('notes', (n, ctx) => ({
          id: n.id + ctx.lookups.lastNotebookId,
          kind: 'note',
          parent_id: n.notebook_id,
          owner_id: n.author_id,
          title: n.title,
          body: n.body,
          word_count: n.word_count,
          created_at: n.created_at,
          archived: n.archived,
        })),
      ),
    tags: (t) => t.copy(),
    node_tags: (t) =>
      t.copy('note_tags', {
        rename: { note_id: 'node_id' },
        convert: { note_id: (id, _row, ctx) => id + ctx.lookups.lastNotebookId },
      }),
    files: (t) =>
      t.copy('attachments', {
        rename: { note_id: 'node_id', filename: 'name' },
        convert: {
          note_id: (id, _row, ctx) => id + ctx.lookups.lastNotebookId,
          path: (_path, a, ctx) => `files/${a.note_id + ctx.lookups.lastNotebookId}/${a.filename}`,
        },
      }),
    settings: (t) =>
      t.settings('options', {
        key: 'name',
        value: 'value',
        rename: { db_version: 'db.version', 'registration.open': 'signup.open' },
        change: { db_version: () => '3.0' },
        drop: { 'site.locale': 'Jot 3 follows the browser' },
        add: { 'site.theme': 'light' },
        row: (s) => ({ key: s.key, value: s.value }),
      }),
  },

  files: (path, ctx) => {
    const upload = /^uploads\/(\d+)\/(.+)$/.exec(path);
    return upload ? `files/${Number(upload[1]) + ctx.lookups.lastNotebookId}/${upload[2]}` : path;
  },
});
