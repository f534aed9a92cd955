import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfilesConfig } from './profile-config.ts';
import { watchProfilesFile } from './reload.ts';
import { createProfilerStage } from './stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-profiles-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const profile = (name: string, of = 'source.bytes') =>
  `profiles:\n  - name: ${name}\n    foreach: source.ip\n    window: { size: 1m }\n    aggregations:\n      s: { op: sum, of: "${of}" }\n`;

describe('profiles reload', () => {
  it('swaps in a valid new file and keeps the running profiles when the new one is invalid', async () => {
    const path = join(dir, 'profiles.yaml');
    writeFileSync(path, profile('first'));
    const stage = createProfilerStage({ profiles: loadProfilesConfig(path) });
    const results: (Error | null)[] = [];
    // The watcher's first stat is taken asynchronously, so rewrite (one more trailing newline each
    // time, to change the size) until it reports.
    const writeUntilSeen = async (text: string) => {
      const n = results.length;
      for (let i = 1; results.length === n; i++) {
        writeFileSync(path, text + '\n'.repeat(i));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const stop = watchProfilesFile(path, stage, { intervalMs: 20, onResult: (e) => results.push(e) });
    try {
      await writeUntilSeen(profile('second', 'source.bytes +'));
      expect(results.at(-1)?.message).toMatch(/profiles\.yaml:6: profiles\.0\.aggregations\.s\.of/);
      expect(stage.profiler.profiles.profiles.map((p) => p.name)).toEqual(['first']);
      await writeUntilSeen(profile('second'));
      expect(results.at(-1)).toBeNull();
      expect(stage.profiler.profiles.profiles.map((p) => p.name)).toEqual(['second']);
    } finally {
      stop();
    }
  });
});
