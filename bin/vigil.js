#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between edit and run.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The repo's tsconfig, whatever the working directory (JSX for the console comes from it).
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../api/cli/main.ts');
