import { defineHop } from '../../src/upgrade/index.js';
import { v1, v2 } from './schemas.js';

/** Jot 1 → 2: labels become tags (one per name), notes gain their author and word count, sessions go. */
export const hop1to2 = defineHop({
  from: '1.0',
  to: '2.0',
  source: v1,
  target: v2,

  // Built on disk before any row is converted, in this order; later items may use earlier ones.
  lookups: (src) => {
    const notebookOwner = src.lookup('notebooks', { key: (b) => b.id, value: (b) => b.owner_id });
    return {
      notebookOwner,
      // The notes Jot 2 will have: not in the trash, in a notebook that exists.
      liveNotes: src.lookup('notes', {
        key: (n) => n.id,
        value: () => true,
        where: (n, ctx) => n.deleted_at === null && ctx.use(notebookOwner).has(n.notebook_id),
      }),
      // Jot 1 allowed `Work` and `work` as two labels: Jot 2 has one tag per name, numbered anew.
      tagId: src.remap('labels', {
        key: (l) => l.id,
        sameAs: (l) => l.name.trim().toLowerCase(),
        keep: (l) => l.name.trim(),
      }),
    };
  },

  checks: {
    's3-attachments': async (src) => {
      const { count, ids } = await src.count('attachments', (a) => a.storage === 's3');
      if (count === 0) return;
      return {
        severity: 'blocker',
        table: 'attachments',
        count,
        ids,
        message: `${count} attachment(s) stored on S3 (ids ${ids.join(', ')}): Jot 2 keeps files locally — download them and attach them again first`,
      };
    },
    'untitled-notes': async (src) => {
      const { count, ids } = await src.count('notes', (n) => n.title.trim() === '');
      if (count > 0)
        return {
          severity: 'warning',
          table: 'notes',
          count,
          ids,
          message: `${count} note(s) without a title: they will be titled "Untitled"`,
        };
    },
  },

  tables: {
    users: (t) => t.copy('users', { rename: { name: 'display_name' }, dropColumns: { two_factor: 'Jot 2 has no two-factor sign-in' } }),
    notebooks: (t) => t.copy(),
    notes: (t) =>
      t.copy('notes', {
        rename: { created: 'created_at' },
        convert: {
          title: (title) => title.trim() || 'Untitled',
          created: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' '),
          archived: (flag) => flag !== 0,
        },
        set: {
          author_id: (n, ctx) => ctx.lookups.notebookOwner.get(n.notebook_id) ?? 0,
          word_count: (n) => n.body.split(/\s+/).filter(Boolean).length,
        },
        omit: { labels: 'split into note_tags' },
        dropColumns: { deleted_at: 'only notes in the trash have it, and they are not carried' },
        dropRows: { 'in the trash': (n) => n.deleted_at !== null },
        orphans: { 'its notebook no longer exists': (n, ctx) => !ctx.lookups.notebookOwner.has(n.notebook_id) },
      }),
    tags: (t) => t.fromRemap('tagId', (tag) => ({ id: tag.id, name: tag.value })),
    note_tags: (t) =>
      t.fromEach('notes', {
        where: (n, ctx) => ctx.lookups.liveNotes.has(n.id),
        rows: (n, ctx) => {
          const tagIds = n.labels.split(',').flatMap((label) => ctx.lookups.tagId.get(Number(label)) ?? []);
          return [...new Set(tagIds)].map((tag_id) => ({ note_id: n.id, tag_id }));
        },
      }),
    attachments: (t) =>
      t.copy('attachments', {
        set: { path: (a) => `uploads/${a.note_id}/${a.filename}` },
        dropColumns: { storage: 'Jot 2 keeps every file locally' },
        orphans: { 'its note is not carried': (a, ctx) => !ctx.lookups.liveNotes.has(a.note_id) },
      }),
    options: (t) =>
      t.settings('options', {
        key: 'name',
        value: 'value',
        rename: { site_title: 'site.title', registration_closed: 'registration.open' },
        change: { registration_closed: (closed) => (closed === '1' ? '0' : '1') },
        drop: { legacy_theme: 'themes were removed in Jot 2' },
        add: { 'site.locale': 'en', db_version: '2.0' },
      }),
  },

  droppedTables: { sessions: 'everyone signs in again after the upgrade' },

  // Files follow their rows: an attachment of a note that is not carried stays behind too.
  files: (path, ctx) => {
    if (path.startsWith('thumbs/')) return { drop: 'thumbnails are made again by Jot 2' };
    const upload = /^uploads\/(\d+)\//.exec(path);
    if (upload && !ctx.lookups.liveNotes.has(Number(upload[1]))) return { drop: 'its note is not carried' };
    return path;
  },

  // Besides notebooks (copied unchanged, so checked anyway), users keep these columns as they were.
  expect: [{ source: 'users', target: 'users', columns: ['id', 'email', 'password', 'created_at'] }],
});
