import Database from 'better-sqlite3';
import Hashids from 'hashids';

/** A V3 link, and what it resolves to in V3 and in V4. */
export interface LinkCheck {
  url: string;
  v3: string;
  v4: string | undefined;
}

type Row = Record<string, unknown>;

/**
 * Share and direct links of a V3 SQLite site, resolved the way V3 and V4 resolve them (reference §6): the hash id
 * decoded with the salt (V3: conf.ini; V4: its settings), then the row it names, then that object's path in its
 * owner's tree. A link that works gives the same path on both sides.
 */
export function checkLinks(v3Path: string, v4Path: string, salt: string, limit: number): LinkCheck[] {
  const v3 = new Database(v3Path, { readonly: true });
  const v4 = new Database(v4Path, { readonly: true });
  try {
    const v3Hash = new Hashids(salt);
    const v4Salt = (v4.prepare("SELECT value FROM settings WHERE name = 'hash_id_salt'").pluck().get() as string | undefined) ?? '';
    const v4Hash = new Hashids(v4Salt);
    const folder = v3.prepare('SELECT name, parent_id FROM folders WHERE id = ?');
    const v3Folder = (id: number): string => {
      const parts: string[] = [];
      for (let f = folder.get(id) as Row | undefined; f && f.parent_id !== null; f = folder.get(f.parent_id) as Row | undefined)
        parts.push(String(f.name));
      return `/${parts.reverse().join('/')}`;
    };
    const file = v4.prepare('SELECT name, file_children FROM files WHERE id = ?');
    const v4File = (id: number): string => {
      const parts: string[] = [];
      for (let f = file.get(id) as Row | undefined; f && f.file_children !== null; f = file.get(f.file_children) as Row | undefined)
        parts.push(String(f.name));
      return `/${parts.reverse().join('/')}`;
    };
    const out: LinkCheck[] = [];
    const shares = v3
      .prepare(
        'SELECT s.id, s.is_dir, s.source_id, f.name, f.folder_id FROM shares s LEFT JOIN files f ON f.id = s.source_id AND NOT s.is_dir WHERE s.deleted_at IS NULL ORDER BY s.id LIMIT ?',
      )
      .all(limit) as Row[];
    for (const s of shares) {
      const hash = v3Hash.encode([Number(s.id), 0]);
      const [id] = v4Hash.decode(hash).map(Number);
      const target = v4.prepare('SELECT file_shares FROM shares WHERE id = ?').pluck().get(id) as number | undefined;
      const v3Target = s.is_dir ? v3Folder(Number(s.source_id)) : `${v3Folder(Number(s.folder_id))}/${String(s.name)}`.replace('//', '/');
      out.push({ url: `/s/${hash}`, v3: v3Target, v4: target === undefined ? undefined : v4File(target) });
    }
    const links = v3
      .prepare(
        'SELECT l.id, l.name, f.name AS file, f.folder_id FROM source_links l JOIN files f ON f.id = l.file_id WHERE l.deleted_at IS NULL ORDER BY l.id LIMIT ?',
      )
      .all(limit) as Row[];
    for (const l of links) {
      const hash = v3Hash.encode([Number(l.id), 6]);
      const [id] = v4Hash.decode(hash).map(Number);
      const target = v4.prepare('SELECT file_id FROM direct_links WHERE id = ? AND name = ?').pluck().get(id, l.name) as number | undefined;
      out.push({
        url: `/f/${hash}/${String(l.name)}`,
        v3: `${v3Folder(Number(l.folder_id))}/${String(l.file)}`.replace('//', '/'),
        v4: target === undefined ? undefined : v4File(target),
      });
    }
    return out;
  } finally {
    v3.close();
    v4.close();
  }
}
