#!/usr/bin/env -S node --max-old-space-size=1024
// The ferry command. The TypeScript sources are compiled to dist/ by `npm ci` / `npm install` (the prepare script).
//
// The heap flag: a run holds a few batches at a time (bounded by rows and bytes), so 1 GB is far more than it needs;
// V8 sizes its garbage collection by that limit, and with its default (a quarter of the machine's memory) it lets
// dead batches pile up to a few hundred megabytes before it collects them.
import '../dist/src/cli/entry.js';
