/**
 * Backups as a user makes them: Chinook from every engine into a folder and into a .ferry archive, restored into
 * every engine and verified equal to the original; backups read by inspect, verify and migrate; the file tree
 * carried byte for byte; a damaged backup writes nothing; a killed restore resumes exactly.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBackupReader } from '../src/backup/reader.js';
import { keyColumns } from '../src/core/schema.js';
import { backup } from '../src/ops/backup.js';
import { inspect } from '../src/ops/inspect.js';
import { migrate } from '../src/ops/migrate.js';
import { restore } from '../src/ops/restore.js';
import { verify } from '../src/ops/verify.js';
import { digestTable } from '../src/run/digest-table.js';
import { BIG_ROWS, createBigSource } from './helpers/big-source.js';
import { CHINOOK_ROWS, chinookSource, neutral } from './helpers/chinook.js';
import { ferry, isStopped, killIfRunning } from './helpers/cli.js';
import { ENGINE_NAMES, requireServer, scratchDb, sqlOn, tempDir, type ScratchDb } from './helpers/servers.js';

for (const from of ENGINE_NAMES) {
  describe(`backup of Chinook from ${from}`, async () => {
    const skip = (await requireServer(from)).skip;
    const archive = from !== 'sqlite';
    const work = tempDir();
    const dest = join(work.path, archive ? 'chinook.ferry' : 'chinook-backup');
    let source: ScratchDb;
    before(async () => {
      if (skip) return;
      source = await chinookSource(from);
      const result = await backup({ source: source.url, dest, rejectsDir: work.path, statePath: join(work.path, 'backup.json') });
      assert.equal(result.verified, true);
      assert.equal(result.rejected, 0);
    });
    after(async () => {
      await source?.drop();
      work.remove();
    });

    test(`is a ${archive ? '.ferry archive' : 'folder'} that inspect and verify read`, { skip }, async () => {
      const shape = await inspect({ endpoint: dest });
      assert.equal(shape.engine, 'backup');
      assert.deepEqual(Object.fromEntries(shape.tables.map((t) => [neutral(t.name), t.rows])), CHINOOK_ROWS);
      const same = await verify({ a: source.url, b: dest });
      assert.equal(same.equal, true);
      const text = archive ? readFileSync(dest, 'latin1') : readFileSync(join(dest, 'manifest.json'), 'utf8');
      assert.match(text, /"format": ?"ferry-backup"/);
    });

    for (const to of ENGINE_NAMES) {
      test(`restores into ${to}, equal to the original`, { skip: skip ?? (await requireServer(to)).skip }, async () => {
        const target = await scratchDb(to, 'restored');
        const dir = tempDir();
        try {
          const result = await restore({ backup: dest, target: target.url, rejectsDir: dir.path, statePath: join(dir.path, 'state.json') });
          assert.equal(result.verified, true);
          assert.ok(Object.values(result.matchesBackup).every(Boolean), 'every table matches the digest the backup recorded');
          const check = await verify({ a: source.url, b: target.url });
          assert.equal(check.equal, true, JSON.stringify(check.tables.filter((t) => !t.equal)));
        } finally {
          await target.drop();
          dir.remove();
        }
      });
    }
  });
}

describe('backups as endpoints and file trees', () => {
  test('migrate reads an archive; --files round-trips byte-identical files', async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, 'app.db');
      createBigSource(db);
      const uploads = join(dir.path, 'uploads');
      mkdirSync(join(uploads, 'avatars', 'ü'), { recursive: true });
      const blob = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 37) & 255));
      writeFileSync(join(uploads, 'avatars', 'ü', '1.png'), blob);
      writeFileSync(join(uploads, 'empty.txt'), '');
      const archive = join(dir.path, 'app.ferry');
      const made = await ferry(['backup', db, archive, '--files', uploads, '-q', '--state', join(dir.path, 's1.json')], { cwd: dir.path });
      assert.equal(made.code, 0, made.stderr);

      const copy = join(dir.path, 'copy.db');
      const migrated = await migrate({ source: archive, target: copy, rejectsDir: dir.path, statePath: join(dir.path, 's2.json') });
      assert.equal(migrated.verified, true);
      assert.equal(migrated.tables.find((t) => t.table === 'big')?.rows, BIG_ROWS);

      const restored = join(dir.path, 'files-back');
      const r = await ferry(
        ['restore', archive, join(dir.path, 'restored.db'), '--files-to', restored, '-q', '--state', join(dir.path, 's3.json')],
        { cwd: dir.path },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /restored 2 files/);
      assert.deepEqual(readFileSync(join(restored, 'avatars', 'ü', '1.png')), blob);
      assert.equal(readFileSync(join(restored, 'empty.txt'), 'utf8'), '');
    } finally {
      dir.remove();
    }
  });

  test('a damaged backup is refused before anything is written', async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, 'app.db');
      createBigSource(db);
      const folder = join(dir.path, 'bk');
      assert.equal(
        (await ferry(['backup', db, folder, '-q', '--tables', 'child', '--state', join(dir.path, 's.json')], { cwd: dir.path })).code,
        0,
      );
      const tableFile = join(folder, 'tables', readdirSync(join(folder, 'tables'))[0]!);
      const bytes = readFileSync(tableFile);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      writeFileSync(tableFile, bytes);
      const target = join(dir.path, 'restored.db');
      const r = await ferry(['restore', folder, target, '-q'], { cwd: dir.path });
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /sha256/i);
      assert.match(r.stderr, /tables\//);
      const check = await ferry(['inspect', target, '--json'], { cwd: dir.path });
      const tables = check.code === 0 ? (JSON.parse(check.stdout) as { tables: unknown[] }).tables : [];
      assert.deepEqual(tables, [], 'nothing was written to the target');
    } finally {
      dir.remove();
    }
  });
});

describe('backup and restore with --no-verify', () => {
  test('the manifest records no digest, and either side without verification restores cleanly', async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, 'app.db');
      createBigSource(db);
      const run = (args: string[]) =>
        ferry([...args, '-q', '--tables', 'child', '--state', join(dir.path, `${args[0]}-${args.length}.json`)], { cwd: dir.path });
      const quick = join(dir.path, 'quick');
      assert.equal((await run(['backup', db, quick, '--no-verify'])).code, 0);
      const manifest = JSON.parse(readFileSync(join(quick, 'manifest.json'), 'utf8')) as { tables: { digest: string | null }[] };
      assert.deepEqual(
        manifest.tables.map((t) => t.digest),
        [null],
        'no digest was computed, so none is recorded',
      );
      const restored = await run(['restore', quick, join(dir.path, 'from-quick.db')]);
      assert.equal(restored.code, 0, restored.stderr);
      const verified = join(dir.path, 'verified');
      assert.equal((await run(['backup', db, verified])).code, 0);
      const unverified = await run(['restore', verified, join(dir.path, 'unverified.db'), '--no-verify']);
      assert.equal(unverified.code, 0, unverified.stderr);
      const same = await ferry(['verify', db, join(dir.path, 'from-quick.db'), '--tables', 'child'], { cwd: dir.path });
      assert.equal(same.code, 0, same.stderr);
    } finally {
      dir.remove();
    }
  });
});

describe("the backup's recorded digests", () => {
  test('a wrong one fails the restore; one of format 1 (older ferry) is still checked; an unknown one is not compared', async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, 'app.db');
      createBigSource(db);
      const run = (args: string[]) => ferry([...args, '--tables', 'child', '--state', `${args[2]}.json`], { cwd: dir.path });
      const folder = join(dir.path, 'bk');
      const made = await run(['backup', db, folder, '-q']);
      assert.equal(made.code, 0, made.stderr);
      const manifestFile = join(folder, 'manifest.json');
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { tables: { name: string; digest: string | null }[] };
      assert.match(manifest.tables[0]!.digest!, /^2:[0-9a-f]{32}$/, 'digests are recorded with their format');
      const withDigest = (digest: string) => {
        manifest.tables[0]!.digest = digest;
        writeFileSync(manifestFile, JSON.stringify(manifest));
      };
      const restoreTo = (name: string) => run(['restore', folder, join(dir.path, `${name}.db`)]);

      withDigest(`2:${'0'.repeat(32)}`);
      const wrong = await restoreTo('wrong');
      assert.equal(wrong.code, 4, wrong.stderr);
      assert.match(wrong.stderr, /restored rows of child differ from the digests recorded in the backup/);

      // What an older ferry recorded: the format 1 digest of the same rows (32 hex digits, no prefix).
      const reader = await openBackupReader(folder);
      const table = reader.manifest.tables[0]!.schema;
      const columns = table.columns.map((c) => c.name);
      const format1 = await digestTable(reader, table, { batchRows: 1000, keyColumns: keyColumns(table) ?? [], columns, format: 1 });
      await reader.close();
      withDigest(format1.text());
      assert.match(format1.text(), /^[0-9a-f]{32}$/);
      const older = await restoreTo('older');
      assert.equal(older.code, 0, older.stderr);
      assert.match(older.stdout, /1 of 1 tables match the digests recorded in the backup/);
      withDigest(`${format1.text().slice(0, 31)}0`);
      assert.equal((await restoreTo('older-wrong')).code, 4, 'a format 1 digest is compared, not skipped');

      withDigest(`9:${'0'.repeat(32)}`);
      const unknown = await restoreTo('unknown');
      assert.equal(unknown.code, 0, unknown.stderr);
      assert.match(
        unknown.stdout,
        /not compared with the backup's digests: it records none \(made with --no-verify\), or none of a format/,
      );
    } finally {
      dir.remove();
    }
  });
});

/** A backup folder of the big source, and the arguments of its restore into `target` (the big table on the thread). */
async function bigRestore(dir: string, target: ScratchDb) {
  const db = join(dir, 'app.db');
  createBigSource(db);
  const folder = join(dir, 'bk');
  assert.equal((await ferry(['backup', db, folder, '-q', '--state', join(dir, 'b.json')], { cwd: dir })).code, 0);
  const args = ['restore', folder, target.url, '-q', '--batch-rows', '7000', '--state', join(dir, 'r.json')];
  // The big table is read on the transcoding thread (as a large one is), the others on the run's own.
  const env = { FERRY_THREAD_FILE_BYTES: String(1024 * 1024) };
  /** Runs the restore again: it must resume the interrupted run and end equal to the source. */
  const resumeToEqual = async () => {
    const resumed = await ferry(args, { cwd: dir, env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /resumed an interrupted run/);
    const check = await verify({ a: `sqlite:${db}`, b: target.url });
    assert.equal(check.equal, true);
  };
  return { args, env, resumeToEqual };
}

describe('a restore interrupted mid-table', async () => {
  const skip = (await requireServer('postgres')).skip;

  test('killed with SIGKILL, resumes to a verified-equal result', { skip }, async () => {
    const dir = tempDir();
    const target = await scratchDb('postgres', 'restore_kill');
    try {
      const { args, env, resumeToEqual } = await bigRestore(dir.path, target);
      assert.equal((await ferry(args, { cwd: dir.path, env: { ...env, FERRY_FAULT: 'uncommitted:big:100000' } })).code, -1);
      await resumeToEqual();
    } finally {
      await target.drop();
      dir.remove();
    }
  });

  test('by a lost connection, exits with the error (its reading thread stopped), and resumes', { skip }, async () => {
    const dir = tempDir();
    const target = await scratchDb('postgres', 'restore_lost');
    let pid = 0;
    try {
      const { args, env, resumeToEqual } = await bigRestore(dir.path, target);
      // The run freezes mid-table while its connections are cut, then goes on into the error.
      const first = ferry(args, { cwd: dir.path, env: { ...env, FERRY_FAULT: 'stop@data:big:14000' }, started: (p) => (pid = p) });
      for (let i = 0; i < 600 && !isStopped(pid); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(isStopped(pid), 'the run stopped inside the big table');
      await sqlOn('postgres', target.url, [
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      ]);
      process.kill(pid, 'SIGCONT');
      const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000).unref());
      const ended = await Promise.race([first, timeout]);
      assert.notEqual(ended, 'hung', 'the run ended after its error, with no thread left holding it');
      if (ended === 'hung') return;
      assert.notEqual(ended.code, 0);
      assert.match(ended.stderr, /terminat|connection/i);
      await resumeToEqual();
    } finally {
      killIfRunning(pid);
      await target.drop();
      dir.remove();
    }
  });
});
