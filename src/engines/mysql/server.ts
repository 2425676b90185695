/**
 * Which server ferry talks to. MySQL and MariaDB share a protocol and most SQL; the few places where they differ
 * (collation names, default spelling in information_schema, where CHECK constraints are listed) ask this, and
 * only inside this engine.
 */
export interface ServerInfo {
  flavor: 'mysql' | 'mariadb';
  /** `[major, minor, patch]`. */
  version: [number, number, number];
  /** `MariaDB 10.11.19`, `MySQL 8.0.36`. */
  text: string;
}

/** Reads `SELECT VERSION()`: `10.11.19-MariaDB-0+deb12u1`, `8.0.36`, `8.0.36-0ubuntu0.22.04.1`. */
export function describeServer(versionString: string): ServerInfo {
  const flavor = /mariadb/i.test(versionString) ? 'mariadb' : 'mysql';
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(versionString);
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  return { flavor, version, text: `${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${version.join('.')}` };
}

/** True when the server is at least this version (of its own flavor). */
export function atLeast(server: ServerInfo, major: number, minor: number, patch = 0): boolean {
  const [a, b, c] = server.version;
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

/**
 * The collation ferry gives text: binary and NO PAD, so that 'a' and 'A', or 'a' and 'a ', are distinct values in
 * unique keys and sort by code point, as in PostgreSQL and SQLite. MySQL before 8.0.17 and MariaDB before 10.2 have
 * no such utf8mb4 collation; utf8mb4_bin is the closest (it ignores trailing spaces in comparisons).
 */
export function textCollation(server: ServerInfo): string {
  if (server.flavor === 'mariadb') return atLeast(server, 10, 2) ? 'utf8mb4_nopad_bin' : 'utf8mb4_bin';
  return atLeast(server, 8, 0, 17) ? 'utf8mb4_0900_bin' : 'utf8mb4_bin';
}

/** MySQL accepts literal defaults on TEXT, BLOB and JSON columns only as expressions, from 8.0.13 on. */
export function expressionDefaults(server: ServerInfo): boolean {
  return server.flavor === 'mariadb' ? atLeast(server, 10, 2) : atLeast(server, 8, 0, 13);
}
