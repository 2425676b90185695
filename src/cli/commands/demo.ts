import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { generateV3 } from '../../../packs/cloudreve/sample/generate-v3.js';
import { checkLinks } from '../../../packs/cloudreve/sample/links.js';
import { check } from '../../ops/check.js';
import { migrate } from '../../ops/migrate.js';
import { parseCommand } from '../args.js';
import { count, seconds, table } from '../format.js';
import { ProgressView } from '../progress.js';
import type { Finding } from '../../upgrade/types.js';
import { printAccount, printFindings } from '../upgrade-flags.js';

export const demoHelp = `Usage: ferry demo [--dir DIR] [--files N]

Shows ferry at work on a real application, with no server: it creates a
Cloudreve 3.8 site on SQLite (users, groups, storage policies, nested folders,
thousands of files, shares, direct links, WebDAV accounts, a few orphans and
data Cloudreve 4 no longer has), runs the preflight (ferry check), upgrades it
to Cloudreve 4.0 in a new SQLite database, verifies every table, and shows the
V3 share and direct links that still work. Files go to ./ferry-demo (or --dir).

Options:
  --dir DIR      where the two sites go (default ./ferry-demo)
  --files N      how many files the V3 site has (default 5000)`;

const SALT = 'ferry-demo-hash-id-salt-0123456789abcdefghijklmnopqrstuvwxyzABCDEF';

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand('demo', argv, { dir: { type: 'string' }, files: { type: 'string' } });
  if (values.help) {
    console.log(demoHelp);
    return 0;
  }
  const dir = resolve(values.dir ?? 'ferry-demo');
  const v3Dir = join(dir, 'cloudreve-v3');
  const v4Dir = join(dir, 'cloudreve-v4');
  rmSync(v3Dir, { recursive: true, force: true });
  rmSync(v4Dir, { recursive: true, force: true });
  for (const f of ['migration_state.json', 'migration_state.json.work', 'rejects']) rmSync(join(dir, f), { recursive: true, force: true });
  mkdirSync(v3Dir, { recursive: true });
  mkdirSync(v4Dir, { recursive: true });
  const v3 = join(v3Dir, 'cloudreve.db');
  const v4 = join(v4Dir, 'cloudreve.db');
  const v3conf = join(v3Dir, 'conf.ini');
  const v4conf = join(v4Dir, 'conf.ini');
  writeFileSync(
    v3conf,
    `[System]\nMode = master\nListen = :5212\nHashIDSalt = ${SALT}\n\n[Database]\nType = sqlite\nDBFile = cloudreve.db\n`,
  );
  writeFileSync(v4conf, `[Database]\nType = sqlite\nDBFile = cloudreve.db\n`);

  const files = Number(values.files ?? 5000);
  console.log(`1. creating a Cloudreve 3.8 site on SQLite: ${rel(v3)} (${count(files)} files), with its ${rel(v3conf)}`);
  const made = await generateV3(`sqlite:${v3}`, { files, seed: 2026, hashIdSalt: SALT });
  console.log(
    `   ${Object.entries(made.counts)
      .map(([t, n]) => `${t} ${count(n)}`)
      .join(', ')}`,
  );

  console.log(`\n2. the preflight: npx ferry check --app cloudreve --app-config ${rel(v3conf)} --set md5Passwords=keep`);
  const inputs = { hashIdSalt: SALT, md5Passwords: 'keep' };
  const preflight = await check({ source: `sqlite:${v3}`, app: 'cloudreve', inputs });
  // The full list is long (every unsupported setting is named): the demo shows the largest losses.
  // Whole tables and rows first (what an operator weighs), then the largest; single dropped columns last.
  const weight = (f: Finding) => (f.code === 'dropped-table' ? 0 : f.code === 'dropped-column' ? 2 : 1);
  const losses = preflight.findings
    .filter((f) => f.severity === 'loss')
    .sort((a, b) => weight(a) - weight(b) || (b.count ?? 0) - (a.count ?? 0));
  printFindings([...preflight.findings.filter((f) => f.severity !== 'loss' && f.severity !== 'info'), ...losses.slice(0, 8)]);
  if (losses.length > 8) console.log(`  … and ${losses.length - 8} more losses: ferry check lists them all`);

  console.log(
    `\n3. the upgrade: npx ferry migrate --app cloudreve --app-config ${rel(v3conf)} --target-config ${rel(v4conf)} --set md5Passwords=keep --yes`,
  );
  const progress = new ProgressView(process.stderr, values.quiet === true);
  const result = await migrate({
    source: `sqlite:${v3}`,
    target: `sqlite:${v4}`,
    app: 'cloudreve',
    inputs,
    yes: true,
    statePath: join(dir, 'migration_state.json'),
    rejectsDir: join(dir, 'rejects'),
    events: progress.listener,
  });
  console.log(`\n4. verified every V4 table against what was sent (${seconds(result.seconds)} in all):\n`);
  console.log(
    table(
      ['table', 'rows', 'verified'],
      result.tables.map((t) => [t.table, count(t.rows), t.verification?.equal ? 'equal' : 'DIFFERENT']),
      [1],
    ),
  );
  printAccount(result);

  console.log('\n5. V3 links, resolved by V4 with the carried hash-id salt:\n');
  const links = checkLinks(v3, v4, SALT, 4);
  console.log(
    table(
      ['link', 'in V3', 'in V4'],
      links.map((l) => [l.url, l.v3, l.v4 ?? 'GONE']),
    ),
  );
  console.log(`
Next, try:
  npx ferry inspect ${rel(v4)} --columns
  npx ferry verify ${rel(v3)} ${rel(v4)} --app cloudreve --set hashIdSalt=${SALT.slice(0, 12)}… --set md5Passwords=keep
  npx ferry migrate --app cloudreve --app-config ${rel(v3conf)} postgres://postgres@127.0.0.1:5432/cloudreve --set md5Passwords=keep --yes
  npx ferry --help`);
  return result.verified ? 0 : 4;
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith('..') ? path : `./${r}`;
}
