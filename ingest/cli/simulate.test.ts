import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulatorConfigFromOptions } from './simulate.ts';

describe('vigil simulate options', () => {
  it('lays flags over the defaults', () => {
    const c = simulatorConfigFromOptions({
      seed: 4,
      span: '2h',
      rate: 50,
      scenarios: 'beacon,dga',
      format: 'tsv',
      cef: true,
    });
    expect(c.seed).toBe(4);
    expect(c.span).toBe(7_200_000);
    expect(c.rate).toBe(50);
    expect(c.format).toBe('tsv');
    expect(c.cef).toBe(true);
    expect(c.scenarios.beacon.enabled).toBe(true);
    expect(c.scenarios.exfil.enabled).toBe(false);
  });

  it('lays flags over a config file, and live defaults to the demo preset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-simcli-'));
    try {
      const file = join(dir, 'sim.yaml');
      writeFileSync(file, 'seed: 8\nspan: 30m\nscenarios:\n  beacon:\n    interval: 20s\n');
      const c = simulatorConfigFromOptions({ simConfig: file, rate: 10 });
      expect(c.seed).toBe(8);
      expect(c.span).toBe(1_800_000);
      expect(c.rate).toBe(10);
      expect(c.scenarios.beacon.interval).toBe(20_000);
      expect(simulatorConfigFromOptions({ live: true }).scenarios.beacon.interval).toBe(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
