#!/usr/bin/env node
// The command line, built: `npm run build` compiles the TypeScript to dist/ (and `prepare`
// runs it, so `npm ci` on a clone and `npm pack` both build). Nothing compiles at run time.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('speechdouble: dist/cli.js is missing; run `npm run build` (or `npm ci`) first.');
  process.exit(1);
}
await import(cli.href);
