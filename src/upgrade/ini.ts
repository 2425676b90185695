/**
 * An INI file as applications write them (`[Section]`, `Key = value`, `;` and `#` comments), read into sections
 * of keys. Lookups ignore case, as Go's and PHP's INI readers do for the files packs read.
 */
export interface IniFile {
  /** The value of `key` in `section`, or undefined. */
  get(section: string, key: string): string | undefined;
  sections(): string[];
}

export function parseIni(text: string): IniFile {
  const data = new Map<string, Map<string, string>>();
  let section = '';
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    let value = line.slice(eq + 1).trim();
    // A quoted value keeps its spaces and may hold `;` or `#`.
    const quoted = /^(["'`])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    if (!data.has(section)) data.set(section, new Map());
    data.get(section)!.set(key, value);
  }
  return {
    get: (s, k) => data.get(s.toLowerCase())?.get(k.toLowerCase()),
    sections: () => [...data.keys()],
  };
}
