import { migrate } from './src/ops/migrate.js';
import { scratchDb, sqlOn } from './test/helpers/servers.js';
import { tmpdir } from 'node:os';
const pg = await scratchDb('postgres', 'e2emy');
const my = await scratchDb('mysql', 'e2e');
try {
  await sqlOn('postgres', pg.url, [
    `CREATE TABLE "Users" (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name varchar(50), score numeric, ratio real, born date, seen timestamptz DEFAULT now(), meta jsonb, uid uuid, active boolean DEFAULT true, avatar bytea, CONSTRAINT positive CHECK (score >= 0))`,
    `CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES "Users"(id) ON DELETE CASCADE, title text, body text, created timestamp(3))`,
    `CREATE INDEX posts_title ON posts (title)`,
    `INSERT INTO "Users" (email, name, score, ratio, born, seen, meta, uid, avatar) VALUES ('a@x', 'A', 12345678901234567890.123456789, 0.1, '0001-01-01', '2024-05-01 12:00:00.123456+02', '{"b":1,"a":[1,2]}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\x00ff'), ('A@x', 'a ', 0, 'NaN', NULL, NULL, NULL, NULL, '')`,
    `INSERT INTO posts (user_id, title, body, created) VALUES (1, 't1', repeat('x', 100000), '2024-01-01 00:00:00.123'), (2, repeat('y', 800), 'b', NULL)`,
  ]);
  const r = await migrate({ source: pg.url, target: my.url, rejectsDir: tmpdir() + '/ferry-e2e-rejects' });
  console.log(r.rows, r.rejected, r.verified, r.tables.map(t => [t.table, t.rows, t.rejected, t.verification?.equal, t.rejectFile]));
  console.log(r.notCarried);
  console.log(await sqlOn('mysql', my.url, ['SHOW CREATE TABLE `Users`', 'SHOW CREATE TABLE posts']));
} catch (e) { console.log('ERR', e); } finally { await my.drop(); await pg.drop(); }
