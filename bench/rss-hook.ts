/**
 * Preloaded into a node child (`node --import rss-hook.js …`) when GNU time is not installed: at exit, the child
 * writes its own peak RSS in KB (the unit of GNU time's `%M`) to the file named by BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
