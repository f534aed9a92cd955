// `vigil serve` as a user runs it: a real process that prints where to look, answers health checks,
// keeps a second writer out of its data dir, and exits 0 on SIGTERM.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { exited, repoRoot, spawnTs } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';

describe('vigil serve', () => {
  // First start trains the default model on a benign simulation: allow minutes on a loaded machine.
  it('starts, prints the console URL and a key, and stops cleanly on SIGTERM', {
    timeout: 400_000,
  }, async () => {
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
      for (let i = 0; i < 3000 && !/console\s+http/.test(out) && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Vigil is running/);
      const url = /console\s+(http:\/\/\S+?)\/?\s/.exec(out)![1]!;
      const key = /API key\s+(vgl_\S+)/.exec(out)![1]!;
      // No keep-alive: the CLI calls below outlast the server's idle timeout, and a reused socket races.
      expect((await fetch(`${url}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
      const stages = await fetch(`${url}/api/v1/stages`, {
        headers: { authorization: `Bearer ${key}`, connection: 'close' },
      });
      expect(stages.status).toBe(200);
      expect(existsSync(join(tmp.dir, 'service.json'))).toBe(true);
      // A second writer never opens the files: the log's lock names the owner's pid…
      await expect(openEmbeddedLog(join(tmp.dir, 'log'))).rejects.toThrow(new RegExp(`pid ${child.pid}`));
      // …and a `vigil` command run beside the service goes through its Kafka-protocol endpoint.
      expect(out).toMatch(/kafka\s+127\.0\.0\.1:\d+/);
      const created = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin', 'vigil.js'), '--data-dir', tmp.dir, 'topics', 'create', 'beside', '-p', '2'],
        { encoding: 'utf8' },
      );
      expect(created.status, created.stderr).toBe(0);
      const produced = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin', 'vigil.js'), '--data-dir', tmp.dir, 'produce', 'beside'],
        { input: 'one\ntwo\n', encoding: 'utf8' },
      );
      expect(produced.status, produced.stderr).toBe(0);
      const topics = (await (
        await fetch(`${url}/api/v1/topics`, {
          headers: { authorization: `Bearer ${key}`, connection: 'close' },
        })
      ).json()) as { name: string; partitions: { latest: number }[] }[];
      const beside = topics.find((t) => t.name === 'beside')!;
      expect(beside.partitions.reduce((n, p) => n + p.latest, 0)).toBe(2);
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
