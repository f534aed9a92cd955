import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../log/embedded/index.ts';
import type { EventLog } from '../log/types.ts';
import { Simulation, simulate } from './simulate.ts';
import { SimulatorSource } from './source.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-simsrc-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function readAll(log: EventLog, topic: string): Promise<{ value: string; timestamp: number }[]> {
  const out: { value: string; timestamp: number }[] = [];
  const end = await log.latestOffset(topic, 0);
  let offset = 0;
  while (offset < end) {
    const batch = await log.read(topic, 0, offset, { maxRecords: 5000 });
    for (const r of batch) out.push({ value: r.value.toString('utf8'), timestamp: r.timestamp });
    offset = batch.at(-1)!.offset + 1;
  }
  return out;
}

const config = { seed: 21, span: '6m', rate: 60, syslog: true };

describe('SimulatorSource, fast', () => {
  it('appends the whole span as Metron envelopes on raw.zeek, the same lines simulate() yields', async () => {
    const log = await openEmbeddedLog(tempDir(), { fsync: false });
    const source = new SimulatorSource(log, config, { mode: 'fast', batchLines: 700 });
    await source.start();
    await source.done;
    const zeek = await readAll(log, 'raw.zeek');
    const syslog = await readAll(log, 'raw.syslog');
    const expected = [...simulate(config, 'envelope')];
    expect(zeek.map((r) => r.value)).toEqual(expected.filter((e) => e.log !== 'syslog').map((e) => e.line));
    expect(syslog.map((r) => r.value)).toEqual(expected.filter((e) => e.log === 'syslog').map((e) => e.line));
    expect(zeek[0]!.timestamp).toBe(Math.floor(expected[0]!.ts));
    const truth = new Simulation(config).groundTruth();
    expect(truth.length).toBeGreaterThan(0);
    expect(source.groundTruth(0, Number.POSITIVE_INFINITY)).toEqual(truth);
    expect(source.intelCsv()).toBe(new Simulation(config).intelCsv());
    await log.close();
  });

  it('continues after a stop and reopen without duplicating or losing a line', async () => {
    const dir = tempDir();
    let log = await openEmbeddedLog(dir, { fsync: false });
    const first = new SimulatorSource(log, config, { mode: 'fast', batchLines: 300 });
    await first.start();
    while (first.stats.appended < 1500) await new Promise((r) => setTimeout(r, 1));
    await first.stop();
    const partial = first.stats.appended;
    await log.close();
    log = await openEmbeddedLog(dir, { fsync: false });
    const second = new SimulatorSource(log, config, { mode: 'fast', batchLines: 300 });
    await second.start();
    await second.done;
    const all = [...(await readAll(log, 'raw.zeek')), ...(await readAll(log, 'raw.syslog'))]
      .map((r) => r.value)
      .sort();
    const expected = [...simulate(config, 'envelope')].map((e) => e.line).sort();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected.length);
    expect(all).toEqual(expected);
    await log.close();
  });

  it('per-log topics: one raw topic per Zeek log type', async () => {
    const log = await openEmbeddedLog(tempDir(), { fsync: false });
    const source = new SimulatorSource(
      log,
      { ...config, syslog: false, span: '2m' },
      { mode: 'fast', topics: 'per-log' },
    );
    await source.start();
    await source.done;
    const topics = (await log.listTopics()).sort();
    expect(topics).toEqual(expect.arrayContaining(['raw.zeek_conn', 'raw.zeek_dns', 'raw.zeek_ssl']));
    const conn = await readAll(log, 'raw.zeek_conn');
    expect(JSON.parse(conn[0]!.value)['id.orig_h']).toBeTypeOf('string');
    await log.close();
  });
});

describe('SimulatorSource, live', () => {
  it('emits only lines whose event time has come, and resumes from the stored position', async () => {
    const dir = tempDir();
    let clock = Date.parse('2026-12-04T10:00:00.000Z');
    const now = () => clock;
    let log = await openEmbeddedLog(dir, { fsync: false });
    const liveConfig = { seed: 5, rate: 100, rhythm: false };
    const source = new SimulatorSource(log, liveConfig, { mode: 'live', now, tickMs: 5 });
    await source.start();
    clock += 30_000;
    while (source.stats.appended === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    await source.stop();
    const firstRun = await readAll(log, 'raw.zeek');
    expect(firstRun.length).toBeGreaterThan(1000);
    for (const r of firstRun) expect(r.timestamp).toBeLessThanOrEqual(clock);
    expect(firstRun.at(-1)!.timestamp).toBeGreaterThan(clock - 2000);
    await log.close();

    // Restart 20 s later (inside the catch-up limit): everything from where it stopped, no repeats.
    clock += 20_000;
    log = await openEmbeddedLog(dir, { fsync: false });
    const again = new SimulatorSource(log, liveConfig, { mode: 'live', now, tickMs: 5 });
    await again.start();
    while (again.stats.appended === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    await again.stop();
    const all = await readAll(log, 'raw.zeek');
    expect(all.length).toBeGreaterThan(firstRun.length);
    for (let i = 1; i < all.length; i++)
      expect(all[i]!.timestamp).toBeGreaterThanOrEqual(all[i - 1]!.timestamp);
    expect(new Set(all.map((r) => r.value)).size).toBe(all.length);
    // The live stream equals the pure generator anchored at the first start.
    const anchored = [
      ...simulate({ ...liveConfig, start: Date.parse('2026-12-04T10:00:00.000Z'), span: '50s' }, 'envelope'),
    ].filter((e) => e.log !== 'syslog' && e.ts <= clock);
    expect(all.map((r) => r.value)).toEqual(anchored.map((e) => e.line));
    await log.close();
  });
});
