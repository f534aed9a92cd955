// `vigil serve` as a user runs it: a real process that prints where to look, answers health checks,
// keeps a second writer out of its data dir, and exits 0 on SIGTERM.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exited, repoRoot, spawnTs } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';

describe('vigil serve', () => {
  it('starts, prints the console URL and a key, and stops cleanly on SIGTERM', async () => {
    const tmp = tempDir();
    const child = spawnTs('api/cli/main.ts', ['--data-dir', tmp.dir, 'serve', '--port', '0']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      for (let i = 0; i < 600 && !/console\s+http/.test(out) && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Vigil is running/);
      const url = /console\s+(http:\/\/\S+?)\/?\s/.exec(out)![1]!;
      const key = /API key\s+(vgl_\S+)/.exec(out)![1]!;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const stages = await fetch(`${url}/api/v1/stages`, { headers: { authorization: `Bearer ${key}` } });
      expect(stages.status).toBe(200);
      expect(existsSync(join(tmp.dir, 'service.json'))).toBe(true);
      // A second process may not open the same data dir for writing.
      const second = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin', 'vigil.js'), '--data-dir', tmp.dir, 'topics', 'create', 'x'],
        { encoding: 'utf8' },
      );
      expect(second.status).not.toBe(0);
      expect(second.stderr).toMatch(new RegExp(`pid ${child.pid}`));
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(existsSync(join(tmp.dir, 'service.json'))).toBe(false);
      expect(existsSync(join(tmp.dir, 'log', 'LOCK'))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      tmp.remove();
    }
  });
});
