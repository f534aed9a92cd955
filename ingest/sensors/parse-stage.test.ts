// The parse stage on a real embedded log, through the real stage runner.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLog, openEmbeddedLog } from '../log/embedded/index.ts';
import type { LogRecord } from '../log/types.ts';
import { runUntilDrained } from '../pipeline/runner.ts';
import type { StageContext } from '../pipeline/stage.ts';
import { ingestLines } from '../sources/raw-lines.ts';
import { ParseService } from './parse-service.ts';
import { createParseStage } from './parse-stage.ts';
import { SensorRegistry } from './registry.ts';

const conn = (ts: number, orig: string, uid = 'C1') =>
  JSON.stringify({
    conn: {
      ts,
      uid,
      'id.orig_h': orig,
      'id.orig_p': 5353,
      'id.resp_h': '8.8.8.8',
      'id.resp_p': 53,
      proto: 'udp',
    },
  });

const TSV_HEADERS = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
];
const tsv = (ts: number, orig: string) => `${ts}\tC9\t${orig}\t40000\t10.0.0.9\t22\ttcp`;

const SENSORS = `sensors:
  - name: bro
    parser: zeek-json
  - name: zeek
    parser: zeek-tsv
`;

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
  log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function all(l: EmbeddedLog, topic: string): Promise<LogRecord[]> {
  const info = await l.describeTopic(topic).catch(() => null);
  if (info === null) return [];
  const out: LogRecord[] = [];
  for (const p of info.partitions)
    out.push(...(await l.read(topic, p.partition, 0, { maxRecords: 100_000 })));
  return out;
}

const RAW_TS = Date.UTC(2026, 11, 4, 20, 0, 0);

async function appendRaw(l: EmbeddedLog, topic: string, lines: (string | Buffer)[], origin = 'test') {
  await l.ensureTopic(topic);
  await l.append(
    topic,
    lines.map((value, i) => ({ key: origin, value, timestamp: RAW_TS + i, headers: { origin } })),
  );
}

describe('parse stage', () => {
  it('turns raw lines into events keyed by source.ip at event time, and bad lines into error records', async () => {
    const sensors = SensorRegistry.fromText(SENSORS);
    await appendRaw(log, 'raw.bro', [
      conn(1733341885.123, '10.0.0.1'),
      'not json at all',
      conn(1733341886, '999.1.1.1'),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      conn(1733341887.5, 'fe80::1', 'C2'),
    ]);
    const stats = await runUntilDrained(log, createParseStage({ sensors }));
    expect(stats.recordsIn).toBe(5);
    expect(stats.errors).toBe(3);

    const events = await all(log, 'events');
    expect(events.map((r) => r.key?.toString())).toEqual(['10.0.0.1', 'fe80::1']);
    expect(events.map((r) => r.timestamp)).toEqual([1733341885123, 1733341887500]);
    const first = JSON.parse(events[0]!.value.toString());
    expect(first['@timestamp']).toBe('2024-12-04T19:51:25.123Z');
    expect(first.event.ingested).toBe(new Date(RAW_TS).toISOString());
    expect(first.event.original).toBe(conn(1733341885.123, '10.0.0.1'));
    expect(first.event.dataset).toBe('bro');

    const errors = (await all(log, 'errors')).map((r) => JSON.parse(r.value.toString()));
    expect(errors.map((e) => [e.kind, e.sensor, e.source.offset])).toEqual([
      ['parse', 'bro', 1],
      ['invalid', 'bro', 2],
      ['parse', 'bro', 3],
    ]);
    expect(errors[0]).toMatchObject({
      stage: 'parse',
      raw: 'not json at all',
      source: { topic: 'raw.bro', partition: 0 },
    });
    expect(errors[1].message).toMatch(/source\.ip: "999\.1\.1\.1"/);
    // Bytes that are not UTF-8 are kept exactly.
    expect(Buffer.from(errors[2].raw_base64, 'base64')).toEqual(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  });

  it('is deterministic: a replay of the same raw records gives byte-identical output', async () => {
    const lines = [conn(1733341885.123, '10.0.0.1'), 'bad', conn(1733341886.001, '10.0.0.2', 'C2')];
    const run = async (l: EmbeddedLog, group: string) => {
      const sensors = SensorRegistry.fromText(SENSORS);
      const stage = { ...createParseStage({ sensors }), group, inputs: ['raw.bro'] };
      await runUntilDrained(l, stage);
    };
    await appendRaw(log, 'raw.bro', lines);
    await run(log, 'first');
    const other = await openEmbeddedLog(join(dir, 'other'), { fsync: false, retentionCheckMs: 0 });
    try {
      await appendRaw(other, 'raw.bro', lines);
      await run(other, 'second');
      const bytes = async (l: EmbeddedLog, t: string) =>
        (await all(l, t)).map((r) => [r.key?.toString('hex'), r.timestamp, r.value.toString('hex')]);
      expect(await bytes(other, 'events')).toEqual(await bytes(log, 'events'));
      expect(await bytes(other, 'errors')).toEqual(await bytes(log, 'errors'));
      expect((await all(log, 'events')).length).toBe(2);
    } finally {
      await other.close();
    }
  });

  it('keeps Zeek TSV header state per stream across a restart', async () => {
    const sensors = SensorRegistry.fromText(SENSORS);
    await appendRaw(log, 'raw.zeek', [...TSV_HEADERS, tsv(1733341885, '10.1.1.1')], 'conn.log');
    // A second file on the same topic without headers of its own: its lines are errors.
    await appendRaw(log, 'raw.zeek', [tsv(1733341885, '10.1.1.3')], 'other.log');
    await runUntilDrained(log, createParseStage({ sensors }));
    await appendRaw(log, 'raw.zeek', [tsv(1733341886, '10.1.1.2')], 'conn.log');
    // A new stage object (a restarted process) restores the headers from the committed state.
    await runUntilDrained(log, createParseStage({ sensors }));
    const events = (await all(log, 'events')).map((r) => JSON.parse(r.value.toString()));
    expect(events.map((e) => e.source.ip)).toEqual(['10.1.1.1', '10.1.1.2']);
    const errors = (await all(log, 'errors')).map((r) => JSON.parse(r.value.toString()));
    expect(errors).toHaveLength(1);
    expect(errors[0].raw).toBe(tsv(1733341885, '10.1.1.3'));
  });

  it('applies a reloaded config from the next batch, without a restart', () => {
    const sensors = SensorRegistry.fromText(SENSORS);
    const stage = createParseStage({ sensors });
    const ctx: StageContext = { name: 'parse', replay: false, countError: () => {} };
    let offset = 0;
    const record = (value: string): LogRecord => ({
      topic: 'raw.bro',
      partition: 0,
      offset: offset++,
      timestamp: RAW_TS,
      key: null,
      value: Buffer.from(value),
      headers: {},
    });
    const before = stage.process([record(conn(1733341885, '10.0.0.1'))], ctx) as {
      topic: string;
      value: string;
    }[];
    expect(JSON.parse(before[0]!.value).labels).toBeUndefined();
    sensors.load(`sensors:
  - name: bro
    parser: zeek-json
    outputTopic: events.bro
    transformations:
      - type: compute
        fields: { labels.internal: "source.ip.startsWith('10.')" }
`);
    const after = stage.process([record(conn(1733341885, '10.0.0.1'))], ctx) as {
      topic: string;
      value: string;
    }[];
    expect(after[0]!.topic).toBe('events.bro');
    expect(JSON.parse(after[0]!.value).labels).toEqual({ internal: true });
    // A raw topic no sensor reads any more: kept as a config error, not dropped or thrown.
    const orphan = stage.process([{ ...record('x'), topic: 'raw.gone' }], ctx) as {
      topic: string;
      value: string;
    }[];
    expect(orphan[0]!.topic).toBe('errors');
    expect(JSON.parse(orphan[0]!.value)).toMatchObject({ kind: 'config', raw: 'x' });
  });
});

describe('parse stage output size', () => {
  it('keeps every output under the log record limit, so one huge line cannot stall the stage', async () => {
    const sensors = SensorRegistry.fromText(SENSORS);
    const big = JSON.stringify({
      conn: {
        ts: 1733341885,
        uid: 'C1',
        'id.orig_h': '10.0.0.1',
        'id.resp_h': '10.0.0.2',
        history: 'x'.repeat(600_000),
      },
    });
    const garbage = 'y'.repeat(1_000_000);
    await appendRaw(log, 'raw.bro', [big, garbage, conn(1733341885, '10.0.0.3')]);
    const stats = await runUntilDrained(log, createParseStage({ sensors }));
    expect(stats.errors).toBe(2);
    const errors = (await all(log, 'errors')).map((r) => JSON.parse(r.value.toString()));
    expect(errors[0]).toMatchObject({ kind: 'invalid', raw: big });
    expect(errors[0].message).toMatch(/over the \d+-byte record limit/);
    expect(errors[1]).toMatchObject({
      kind: 'parse',
      raw_truncated: true,
      raw_bytes: 1_000_000,
      source: { offset: 1 },
    });
    expect((await all(log, 'events')).map((r) => r.key?.toString())).toEqual(['10.0.0.3']);
  });
});

describe('ParseService', () => {
  it('starts reading a sensor added by a config reload', async () => {
    const sensors = SensorRegistry.fromText('sensors:\n  - name: bro\n    parser: zeek-json\n');
    const service = new ParseService(log, sensors, { pollMs: 10, idleMs: 10 });
    await service.start();
    try {
      await ingestLines(log, 'bro', [conn(1733341885, '10.0.0.1')]);
      sensors.load(SENSORS);
      await service.settled();
      await ingestLines(log, 'zeek', [...TSV_HEADERS, tsv(1733341886, '10.1.1.2')]);
      const deadline = Date.now() + 10_000;
      let ips: string[] = [];
      while (Date.now() < deadline) {
        ips = (await all(log, 'events')).map((r) => JSON.parse(r.value.toString()).source.ip);
        if (ips.length >= 2) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(ips.sort()).toEqual(['10.0.0.1', '10.1.1.2']);
    } finally {
      await service.stop();
    }
  });
});
