// DGA domain lists: the per-family samples in ../shared/data/dga/1000domains when present (see that
// folder's PROVENANCE.md: algorithm outputs from andrewaeva/DGA), else null and the scenario
// generates names itself. Read once per process.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DGA_DIR = resolve(repoRoot, '../shared/data/dga/1000domains');

const cache = new Map<string, Record<string, string[]> | null>();

/** Families (file `<family>_1000.txt`, benign alexa list excluded) → unique domains in file order. */
export function loadDgaDomains(setting: string): {
  source: string;
  families: Record<string, string[]> | null;
} {
  if (setting === 'none') return { source: 'generated', families: null };
  const dir = setting === 'auto' ? DEFAULT_DGA_DIR : resolve(setting);
  if (!cache.has(dir)) cache.set(dir, readFamilies(dir));
  const families = cache.get(dir)!;
  return { source: families ? dir : 'generated', families };
}

function readFamilies(dir: string): Record<string, string[]> | null {
  if (!existsSync(dir)) return null;
  const families: Record<string, string[]> = {};
  for (const file of readdirSync(dir).sort()) {
    const m = /^(.+)_1000\.txt$/.exec(file);
    if (!m || m[1] === 'alexa') continue;
    const names = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l.length > 0 && l.includes('.'));
    if (names.length > 0) families[m[1]!] = [...new Set(names)];
  }
  return Object.keys(families).length > 0 ? families : null;
}
