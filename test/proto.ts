import { col } from '../src/upgrade/columns.js';
import { defineSchema, table } from '../src/upgrade/schema.js';
import { defineHop } from '../src/upgrade/define.js';
const v1 = defineSchema(
  table('users', { id: col.int64().primaryKey(), name: col.text(), two: col.text().nullable() }),
  table('notes', { id: col.int64().primaryKey(), user_id: col.int64(), body: col.text(), tags: col.text() }),
);
const v2 = defineSchema(
  table('users', { id: col.int64().primaryKey(), display_name: col.text() }),
  table('notes', { id: col.int64().primaryKey(), author: col.text().nullable(), body: col.text() }),
  table('tags', { id: col.int64().primaryKey(), name: col.text() }),
);
export const h = defineHop({
  from: '1', to: '2', source: v1, target: v2,
  lookups: (src) => ({
    userName: src.lookup('users', { key: (u) => u.id, value: (u) => u.name }),
    tagId: src.remap('notes', { key: (n) => n.tags, keep: (n) => n.tags }),
    maxUser: src.max('users', 'id'),
  }),
  tables: {
    users: (t) => t.copy('users', { rename: { name: 'display_name' }, dropColumns: { two: 'x' } }),
    notes: (t) => t.from('notes', { row: (n, ctx) => ({ id: n.id + ctx.lookups.maxUser, author: ctx.lookups.userName.get(n.user_id) ?? null, body: n.body }) }),
    tags: (t) => t.fromRemap('tagId', (e) => ({ id: e.id, name: e.value })),
  },
});
export const bad = defineHop({
  from: '1', to: '2', source: v1, target: v2,
  lookups: (src) => ({
    userName: src.lookup('users', { key: (u) => u.id, value: (u) => u.name }),
    tagId: src.remap('notes', { key: (n) => n.tags, keep: (n) => n.tags.length }),
  }),
  tables: {
    users: (t) => t.copy('users', { rename: { name: 'display_nam' } }),
    notes: (t) => t.from('notes', { row: (n, ctx) => ({ id: n.id, author: ctx.lookups.userName.get(n.user_id) ?? null, body: 5 }) }),
    tags: (t) => t.fromRemap('tagId', (e) => ({ id: e.id, name: e.value })),
  },
});
export const bad2 = defineHop({
  from: '1', to: '2', source: v1, target: v2,
  tables: {
    users: (t) => t.copy(),
    notes: (t) => t.from('notes', (n) => ({ id: n.id, author: null, body: n.body, extra: 1 })),
  },
});
