#!/usr/bin/env node
// `npm run bench -- <name>` runs bench/<name>.ts; with no name it lists what exists.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <${names.join('|')}> [options]`);
  process.exit(name ? 2 : 0);
}
process.argv.splice(2, 1);
register({ tsconfig: join(dir, '..', 'tsconfig.json') });
await import(join(dir, `${name}.ts`));
