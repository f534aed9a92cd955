import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../log/embedded/index.ts';
import { simulate } from './simulate.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = { seed: 99, span: '8m', rate: 80, syslog: true };

function runChild(dir: string, killAfterMs: number | null): Promise<number | string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'ingest/simulator/testing/source-child.ts', dir, JSON.stringify(config), '250'],
    {
      cwd: repoRoot,
      env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((done) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (killAfterMs !== null && d.toString().includes('started'))
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.once('exit', (code, signal) => done(code ?? signal ?? -1));
  });
}

describe('SimulatorSource under SIGKILL', () => {
  it('appends exactly the simulated lines, once each, across kills and restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-simcrash-'));
    try {
      let kills = 0;
      for (let attempt = 0; attempt < 20; attempt++) {
        const code = await runChild(dir, attempt < 3 ? 150 + attempt * 120 : null);
        if (code === 'SIGKILL') kills++;
        else {
          expect(code).toBe(0);
          break;
        }
      }
      expect(kills).toBeGreaterThanOrEqual(1);
      const log = await openEmbeddedLog(dir, { fsync: false });
      const read = async (topic: string) => {
        const out: string[] = [];
        const end = await log.latestOffset(topic, 0);
        for (let off = 0; off < end; ) {
          const batch = await log.read(topic, 0, off, { maxRecords: 5000 });
          for (const r of batch) out.push(r.value.toString('utf8'));
          off = batch.at(-1)!.offset + 1;
        }
        return out;
      };
      const expected = [...simulate(config, 'envelope')];
      expect(await read('raw.zeek')).toEqual(expected.filter((e) => e.log !== 'syslog').map((e) => e.line));
      expect(await read('raw.syslog')).toEqual(expected.filter((e) => e.log === 'syslog').map((e) => e.line));
      await log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
