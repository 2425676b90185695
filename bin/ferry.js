#!/usr/bin/env node
// The ferry command. The TypeScript sources are compiled to dist/ by `npm ci` / `npm install` (the prepare script).
import '../dist/src/cli/entry.js';
