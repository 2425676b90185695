/**
 * Reads what SQLite's PRAGMAs do not report from a table's CREATE statement: the names of its primary key and
 * foreign keys, and its CHECK constraints. A small tokenizer is enough: quoted names ("x", [x], `x`), strings and
 * comments are skipped over as units, and the definitions are split at top-level commas.
 */
interface Token {
  kind: 'word' | 'name' | 'string' | 'punct';
  text: string;
  start: number;
  end: number;
}

export interface CreateTableFacts {
  primaryKeyName?: string;
  /** Foreign key names by their comma-joined local columns. */
  foreignKeyNames: Map<string, string>;
  checks: { name?: string; expression: string }[];
}

export function parseCreateTable(sql: string): CreateTableFacts {
  const facts: CreateTableFacts = { foreignKeyNames: new Map(), checks: [] };
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.text === '(');
  if (open < 0) return facts;
  for (const item of splitItems(tokens, open + 1)) readItem(sql, item, facts);
  return facts;
}

function readItem(sql: string, item: Token[], facts: CreateTableFacts): void {
  const upper = (i: number) => (item[i]?.kind === 'word' ? item[i]!.text.toUpperCase() : '');
  const isTableConstraint = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'].includes(upper(0));
  const column = isTableConstraint ? undefined : item[0]?.text;
  for (let i = 0; i < item.length; i++) {
    const name = upper(i) === 'CONSTRAINT' ? item[i + 1]?.text : undefined;
    const at = name === undefined ? i : i + 2;
    const keyword = upper(at);
    if (keyword === 'PRIMARY' && name) facts.primaryKeyName = name;
    if (keyword === 'FOREIGN' && item[at + 2]?.text === '(') {
      const cols = listNames(item, at + 3);
      if (name) facts.foreignKeyNames.set(cols.join(','), name);
    }
    if (keyword === 'REFERENCES' && name && column) facts.foreignKeyNames.set(column, name);
    if (keyword === 'CHECK' && item[at + 1]?.text === '(') {
      const close = matching(item, at + 1);
      facts.checks.push({ name, expression: sql.slice(item[at + 1]!.end, item[close]!.start).trim() });
      i = close;
      continue;
    }
    if (name !== undefined) i += 1;
  }
}

function listNames(item: Token[], from: number): string[] {
  const names: string[] = [];
  for (let i = from; i < item.length && item[i]!.text !== ')'; i++) {
    if (item[i]!.kind !== 'punct') names.push(item[i]!.text);
  }
  return names;
}

function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function splitItems(tokens: Token[], from: number): Token[][] {
  const items: Token[][] = [[]];
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    if (t.text === ')' && depth-- === 0) break;
    if (t.text === ',' && depth === 0) items.push([]);
    else items[items.length - 1]!.push(t);
  }
  return items.filter((i) => i.length > 0);
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const closers: Record<string, string> = { '"': '"', '`': '`', '[': ']' };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    } else if (sql.startsWith('/*', i)) {
      i = sql.indexOf('*/', i) < 0 ? sql.length : sql.indexOf('*/', i) + 2;
    } else if (ch in closers || ch === "'") {
      const close = ch === "'" ? "'" : closers[ch]!;
      let j = i + 1;
      let text = '';
      while (j < sql.length) {
        if (sql[j] === close && sql[j + 1] === close && close !== ']') {
          text += close;
          j += 2;
        } else if (sql[j] === close) break;
        else text += sql[j++];
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'name', text, start: i, end: j + 1 });
      i = j + 1;
    } else if (/[\p{L}\p{N}_$]/u.test(ch)) {
      let j = i;
      while (j < sql.length && /[\p{L}\p{N}_$]/u.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}
