/**
 * What a Cloudreve V4 database must hold after an upgrade from a V3 one, computed from the V3 database with SQL
 * and the reference's rules (§4.3), independently of the pack's code: which rows are carried, every file's path in
 * its owner's tree, and every share and direct link resolving (by its hash id) to the same object.
 */
import assert from 'node:assert/strict';
import Hashids from 'hashids';
import { sqlOn, type EngineName } from '../helpers/servers.js';

type Row = Record<string, unknown>;
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const live = (r: Row) => r.deleted_at === null;
const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';

export interface End {
  engine: EngineName;
  url: string;
  prefix?: string;
}

async function rows(end: End, table: string): Promise<Row[]> {
  const q = end.engine === 'mysql' ? '`' : '"';
  const [result] = await sqlOn(end.engine, end.url, [`SELECT * FROM ${q}${end.prefix ?? ''}${table}${q}`]);
  return result as Row[];
}

/** The V3 database read once, with the reference's carrying rules applied. */
export async function readV3(end: End) {
  const [users, folders, files, shares, links, policies, tasks, downloads, tags] = await Promise.all(
    ['users', 'folders', 'files', 'shares', 'source_links', 'policies', 'tasks', 'downloads', 'tags'].map((t) => rows(end, t)),
  );
  const liveUsers = new Set(users!.filter(live).map((u) => n(u.id)));
  const livePolicies = new Set(policies!.filter(live).map((p) => n(p.id)));
  const folderById = new Map(folders!.map((f) => [n(f.id)!, f]));
  const carriedFolders = new Set(
    folders!.filter((f) => live(f) && liveUsers.has(n(f.owner_id)) && n(f.parent_id) !== 0).map((f) => n(f.id)!),
  );
  const carriedFiles = files!.filter(
    (f) => live(f) && carriedFolders.has(n(f.folder_id)!) && liveUsers.has(n(f.user_id)) && livePolicies.has(n(f.policy_id)),
  );
  const folderNames = new Set(
    folders!.filter((f) => carriedFolders.has(n(f.id)!) && f.parent_id !== null).map((f) => `${n(f.parent_id)}/${String(f.name)}`),
  );
  /** A folder's path from its owner's root ('' for the root, '/a/b' below it), or undefined when an ancestor is not carried. */
  const folderPath = (id: number): string | undefined => {
    const parts: string[] = [];
    for (let f = folderById.get(id); f; f = folderById.get(n(f.parent_id)!)) {
      if (!carriedFolders.has(n(f.id)!)) return undefined;
      if (f.parent_id === null) return [...parts, ''].reverse().join('/');
      parts.push(String(f.name));
    }
    return undefined;
  };
  /** The name V4 gives a file: renamed `<id>_<name>` when a folder beside it has its name. */
  const v4Name = (f: Row) => (folderNames.has(`${n(f.folder_id)}/${String(f.name)}`) ? `${n(f.id)}_${String(f.name)}` : String(f.name));
  const filePath = (f: Row) => {
    const dir = folderPath(n(f.folder_id)!);
    return dir === undefined ? undefined : `${dir}/${v4Name(f)}`;
  };
  const carriedFileIds = new Set(carriedFiles.map((f) => n(f.id)!));
  const carriedShares = shares!.filter(
    (s) =>
      live(s) &&
      liveUsers.has(n(s.user_id)) &&
      (truthy(s.is_dir) ? carriedFolders.has(n(s.source_id)!) : carriedFileIds.has(n(s.source_id)!)),
  );
  const carriedLinks = links!.filter((l) => live(l) && carriedFileIds.has(n(l.file_id)!));
  return {
    users: users!.filter(live),
    folders,
    carriedFolders,
    carriedFiles,
    carriedShares,
    carriedLinks,
    folderPath,
    filePath,
    lastFolderId: Math.max(0, ...folders!.map((f) => n(f.id)!)),
    files: new Map(files!.map((f) => [n(f.id)!, f])),
    dropped: { tasks: tasks!.length, downloads: downloads!.length, tags: tags!.length },
  };
}

/** Asserts the V4 database against the V3 one: counts, tree, owners, sizes, entities, links. */
export async function assertV4(v3: Awaited<ReturnType<typeof readV3>>, end: End, salt: string): Promise<void> {
  const [users, files, entities, fileEntities, shares, links, settings] = await Promise.all(
    ['users', 'files', 'entities', 'file_entities', 'shares', 'direct_links', 'settings'].map((t) => rows(end, t)),
  );
  assert.deepEqual(
    users!.map((u) => n(u.id)).sort((a, b) => a! - b!),
    v3.users.map((u) => n(u.id)).sort((a, b) => a! - b!),
    'users: the live V3 users',
  );
  for (const u of users!) {
    const old = v3.users.find((x) => n(x.id) === n(u.id))!;
    assert.equal(u.email, old.email);
    assert.equal(u.password, old.password, `user ${String(u.id)} keeps the password hash`);
  }

  const v4ById = new Map(files!.map((f) => [n(f.id)!, f]));
  const v4Path = (id: number): string => {
    const parts: string[] = [];
    for (let f = v4ById.get(id); f; f = f.file_children === null ? undefined : v4ById.get(n(f.file_children)!)) parts.push(String(f.name));
    return parts.reverse().join('/');
  };
  assert.equal(files!.filter((f) => n(f.type) === 1).length, v3.carriedFolders.size, 'every carried folder, with its id');
  assert.equal(files!.filter((f) => n(f.type) === 0).length, v3.carriedFiles.length, 'every carried file');
  let paths = 0;
  for (const f of v3.carriedFiles) {
    const v4 = v4ById.get(n(f.id)! + v3.lastFolderId);
    assert.ok(v4, `V3 file ${String(f.id)} is V4 file ${n(f.id)! + v3.lastFolderId}`);
    assert.equal(n(v4.owner_id), n(f.user_id), 'owner');
    assert.equal(n(v4.size), n(f.size), 'size');
    assert.equal(n(v4.file_children), n(f.folder_id), 'parent folder');
    const expected = v3.filePath(f);
    if (expected !== undefined) {
      assert.equal(v4Path(n(v4.id)!), expected, `path of V3 file ${String(f.id)}`);
      paths++;
    }
  }
  assert.ok(paths > v3.carriedFiles.length * 0.9, `most files are reachable (${paths} of ${v3.carriedFiles.length})`);

  // One version entity per stored object; its reference count is the number of files sharing it.
  const versions = entities!.filter((e) => n(e.type) === 0);
  const objects = new Set(v3.carriedFiles.map((f) => `${n(f.policy_id)}+${String(f.source_name)}`));
  assert.equal(versions.length, objects.size, 'one entity per (policy, source)');
  assert.equal(
    versions.reduce((s, e) => s + n(e.reference_count)!, 0),
    v3.carriedFiles.length,
    'reference counts add up to the files',
  );
  const byEntity = new Map(entities!.map((e) => [n(e.id)!, e]));
  for (const f of files!.filter((x) => n(x.type) === 0)) {
    const e = byEntity.get(n(f.primary_entity)!);
    const old = v3.files.get(n(f.id)! - v3.lastFolderId)!;
    assert.equal(e?.source, old.source_name, `file ${String(f.id)}'s primary entity is its stored object`);
  }
  assert.ok(fileEntities!.length >= v3.carriedFiles.length);

  // Links: what a V3 user bookmarked still resolves, by hash id, to the same thing.
  const v4Salt = settings!.find((s) => s.name === 'hash_id_salt')?.value;
  assert.equal(v4Salt, salt, 'the hash-id salt is carried into settings');
  const v3Hash = new Hashids(salt);
  const v4Hash = new Hashids(String(v4Salt));
  assert.equal(shares!.length, v3.carriedShares.length, 'every carried share');
  for (const s of v3.carriedShares) {
    const [id, type] = v4Hash.decode(v3Hash.encode([n(s.id)!, 0])).map(Number);
    assert.equal(type, 0);
    const v4 = shares!.find((x) => n(x.id) === id);
    assert.ok(v4, `share /s/${v3Hash.encode([n(s.id)!, 0])} resolves`);
    const target = truthy(s.is_dir) ? v3.folderPath(n(s.source_id)!) : v3.filePath(v3.files.get(n(s.source_id)!)!);
    if (target !== undefined) assert.equal(v4Path(n(v4.file_shares)!), target, `share ${String(s.id)} points to the same object`);
  }
  assert.equal(links!.length, v3.carriedLinks.length, 'every carried direct link');
  for (const l of v3.carriedLinks) {
    const [id, type] = v4Hash.decode(v3Hash.encode([n(l.id)!, 6])).map(Number);
    assert.equal(type, 6);
    const v4 = links!.find((x) => n(x.id) === id && x.name === l.name);
    assert.ok(v4, `direct link /f/${v3Hash.encode([n(l.id)!, 6])}/${String(l.name)} resolves`);
    const target = v3.filePath(v3.files.get(n(l.file_id)!)!);
    if (target !== undefined) assert.equal(v4Path(n(v4.file_id)!), target, `direct link ${String(l.id)} points to the same file`);
  }
}
