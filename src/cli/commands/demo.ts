import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createDemoDatabase } from '../../ops/demo-data.js';
import { migrate } from '../../ops/migrate.js';
import { parseCommand } from '../args.js';
import { count, seconds, table } from '../format.js';
import { ProgressView } from '../progress.js';
import { printNotCarried } from './shared.js';

export const demoHelp = `Usage: ferry demo [--dir DIR]

Shows ferry at work with no server: creates a sample SQLite database (a small
shop), migrates it into a new SQLite file, verifies every table, and prints
what happened and what to try next. Files go to ./ferry-demo (or --dir).`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand('demo', argv, { dir: { type: 'string' } });
  if (values.help) {
    console.log(demoHelp);
    return 0;
  }
  const dir = resolve(values.dir ?? 'ferry-demo');
  mkdirSync(dir, { recursive: true });
  const source = join(dir, 'shop.db');
  const target = join(dir, 'shop-copy.db');
  for (const f of [source, target]) for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });

  console.log(`1. creating a sample database: ${rel(source)}`);
  createDemoDatabase(source);
  console.log(`2. migrating it into a new database: ${rel(target)}`);
  const progress = new ProgressView(process.stderr, values.quiet === true);
  const result = await migrate({
    source: `sqlite:${source}`,
    target: `sqlite:${target}`,
    rejectsDir: join(dir, 'rejects'),
    events: progress.listener,
  });
  console.log(`3. verified every table against what was sent (${seconds(result.seconds)} in all):\n`);
  console.log(
    table(
      ['table', 'rows', 'verified'],
      result.tables.map((t) => [t.table, count(t.rows), t.verification?.equal ? 'equal' : 'DIFFERENT']),
      [1],
    ),
  );
  printNotCarried(result.notCarried);
  console.log(`
Next, try:
  npx ferry inspect ${rel(target)} --columns
  npx ferry verify ${rel(source)} ${rel(target)}
  npx ferry migrate ${rel(source)} postgres://postgres@127.0.0.1:5432/shop
  npx ferry migrate ${rel(source)} mysql://root@127.0.0.1:3306/shop
  npx ferry --help`);
  return result.verified ? 0 : 4;
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith('..') ? path : `./${r}`;
}
