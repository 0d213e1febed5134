#!/usr/bin/env node
// The sources are TypeScript run as they are (no build step), so a clone works with `npm ci`
// alone. tsx compiles each module on load.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
