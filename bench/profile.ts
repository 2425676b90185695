/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: self time per function and per file
 * (a dependency counts as one file: `node_modules/pg`), so that a slow scenario points at code, not at a guess.
 */
import { readFileSync } from 'node:fs';
import { ROOT } from './config.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  functions: ProfileEntry[];
  files: ProfileEntry[];
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; it is charged to the function the sample landed in.
    const us = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id);
    if (!frame) return;
    totalUs += us;
    const where = shortUrl(frame.url);
    const fn = where ? `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}` : frame.functionName;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const group = fileGroup(where) ?? frame.functionName;
    files.set(group, (files.get(group) ?? 0) + us);
  });
  const ranked = (m: Map<string, number>): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((1000 * us) / totalUs) / 10 }));
  return { file, totalMs: Math.round(totalUs / 1000), functions: ranked(functions), files: ranked(files) };
}

/** The path relative to the repository (`dist/src/run/copy-table.js`), or `node:…` for Node's own modules. */
function shortUrl(url: string): string {
  const root = `file://${ROOT}`;
  return url.startsWith(root) ? url.slice(root.length) : url;
}

/** Groups a dependency's files under its package, Node's internals under their module. */
function fileGroup(where: string): string | undefined {
  if (!where) return undefined;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  return dep ? `node_modules/${dep[1]}` : where;
}
