import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../kernel/config.ts';
import { parserFormats, parserOptionsSchema } from '../parsers/registry.ts';
import { parserOptionsFor } from './config.ts';
import { compileSensors, SensorRegistry } from './registry.ts';

const CONN =
  '{"conn":{"ts":1733341885.123,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":5353,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp","service":"dns","orig_bytes":10,"resp_bytes":20}}';

const GOOD = `sensors:
  - name: bro
    parser: zeek-json
  - name: zeek-files
    rawTopic: raw.zeek-tsv
    parser:
      format: zeek-tsv
      options: { path: conn }
    outputTopic: events.zeek
`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('sensor config', () => {
  it('applies defaults: raw.<name> in, events out', () => {
    const set = compileSensors(GOOD, 'sensors.yaml');
    expect(set.rawTopics()).toEqual(['raw.bro', 'raw.zeek-tsv']);
    expect(set.get('bro')!.outputTopic).toBe('events');
    expect(set.byRawTopic('raw.zeek-tsv')!.name).toBe('zeek-files');
    expect(set.outputTopics()).toEqual(['events', 'events.zeek']);
  });

  it.each([
    [
      'an unknown parser format',
      'sensors:\n  - name: a\n    parser: nope\n',
      /sensors\.yaml:3: sensors\.0\.parser\.format: unknown parser format/,
    ],
    [
      'bad parser options',
      'sensors:\n  - name: a\n    parser:\n      format: zeek-json\n      options:\n        logType: 7\n',
      /sensors\.yaml:6: sensors\.0\.parser\.options: .*logType/,
    ],
    [
      'a bad topic name',
      'sensors:\n  - name: a\n    parser: zeek-json\n    outputTopic: "no spaces"\n',
      /sensors\.yaml:4: sensors\.0\.outputTopic/,
    ],
    [
      'a bad time zone',
      'sensors:\n  - name: a\n    parser: zeek-json\n    timezone: Mars/Olympus\n',
      /sensors\.yaml:4: sensors\.0\.timezone/,
    ],
    [
      'an invalid CEL expression',
      'sensors:\n  - name: a\n    parser: zeek-json\n    transformations:\n      - type: compute\n        fields:\n          x: "source.ip +"\n',
      /sensors\.yaml:7: sensors\.0\.transformations\.0\.fields\.x: /,
    ],
    [
      'an unknown transformation',
      'sensors:\n  - name: a\n    parser: zeek-json\n    transformations:\n      - type: explode\n',
      /sensors\.yaml:5: sensors\.0\.transformations\.0\.type/,
    ],
    [
      'a duplicate name',
      'sensors:\n  - name: a\n    parser: zeek-json\n  - name: a\n    parser: zeek-tsv\n',
      /sensors\.yaml:4: sensors\.1\.name: duplicate sensor name/,
    ],
    [
      'an unknown key',
      'sensors:\n  - name: a\n    parser: zeek-json\n    colour: red\n',
      /sensors\.yaml:2: sensors\.0: .*colour/,
    ],
  ])('rejects %s with file:line: field', (_what, text, expected) => {
    expect(configError(() => compileSensors(text, 'sensors.yaml')).message).toMatch(expected);
  });

  it('passes the sensor time zone to parsers that take one, only to those', () => {
    expect(
      parserOptionsFor({ parser: { format: 'zeek-json', options: {} }, timezone: 'Europe/Prague' }),
    ).toEqual({});
    const zoned = parserFormats().find((f) => {
      const shape = (parserOptionsSchema(f) as { shape?: object } | undefined)?.shape;
      return shape !== undefined && 'timezone' in shape;
    });
    if (zoned === undefined) return; // no zone-less format registered yet
    expect(parserOptionsFor({ parser: { format: zoned, options: {} }, timezone: 'Europe/Prague' })).toEqual({
      timezone: 'Europe/Prague',
    });
  });
});

describe('SensorRegistry', () => {
  it('swaps in a good config and keeps the running one when a new one is bad', () => {
    const registry = SensorRegistry.fromText(GOOD, 'sensors.yaml');
    const before = registry.current;
    const seen: number[] = [];
    registry.onChange((s) => seen.push(s.version));
    const bad =
      'sensors:\n  - name: bro\n    parser: zeek-json\n  - name: web\n    parser:\n      format: zeek-json\n      options: { nope: 1 }\n';
    expect(configError(() => registry.load(bad, 'sensors.yaml')).message).toMatch(
      /sensors\.yaml:7: sensors\.1\.parser\.options/,
    );
    expect(registry.current).toBe(before);
    expect(seen).toEqual([]);
    const next = registry.load('sensors:\n  - name: web\n    parser: zeek-json\n', 'sensors.yaml');
    expect(registry.current).toBe(next);
    expect(next.version).toBe(before.version + 1);
    expect(next.rawTopics()).toEqual(['raw.web']);
    expect(seen).toEqual([next.version]);
  });

  it('reloads a watched file on change and ignores a broken edit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sensors-'));
    try {
      const path = join(dir, 'sensors.yaml');
      writeFileSync(path, GOOD);
      const registry = SensorRegistry.fromFile(path);
      const errors: string[] = [];
      let reloaded!: () => void;
      const reloadedOnce = new Promise<void>((r) => {
        reloaded = r;
      });
      let rejected!: () => void;
      const rejectedOnce = new Promise<void>((r) => {
        rejected = r;
      });
      const stop = registry.watchFile(path, {
        intervalMs: 10,
        onReload: () => reloaded(),
        onError: (e) => {
          errors.push(e.message);
          rejected();
        },
      });
      try {
        await new Promise((r) => setTimeout(r, 30));
        writeFileSync(path, 'sensors:\n  - name: only\n    parser: zeek-json\n');
        await reloadedOnce;
        expect(registry.current.rawTopics()).toEqual(['raw.only']);
        await new Promise((r) => setTimeout(r, 30));
        writeFileSync(path, 'sensors:\n  - name: only\n    parser: [\n');
        await rejectedOnce;
        expect(errors[0]).toContain(path);
        expect(registry.current.rawTopics()).toEqual(['raw.only']);
      } finally {
        stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Sensor.processLine', () => {
  const compile = (transformations: string) =>
    compileSensors(
      `sensors:\n  - name: bro\n    parser: zeek-json\n    transformations:\n${transformations}`,
    ).get('bro')!;

  it('parses, normalizes with the given ingest time, and is deterministic', () => {
    const sensor = compileSensors(GOOD).get('bro')!;
    const a = sensor.processLine(sensor.newParser(), CONN, Date.UTC(2026, 11, 4));
    const b = sensor.processLine(sensor.newParser(), CONN, Date.UTC(2026, 11, 4));
    expect(a.ok).toBe(true);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    if (!a.ok) return;
    const ev = a.events[0] as any;
    expect(ev.event.ingested).toBe('2026-12-04T00:00:00.000Z');
    expect(ev.event.original).toBe(CONN);
    expect(ev.event.dataset).toBe('bro');
    expect(ev.source.ip).toBe('10.0.0.1');
  });

  it('applies rename, remove, select and compute in order', () => {
    const sensor = compile(`      - type: compute
        fields:
          labels.total: "source.bytes + destination.bytes"
          labels.dns: "destination.port == 53"
          labels.ghost: "user.name"
      - type: rename
        fields: { zeek.conn.uid: zeek.uid }
      - type: remove
        fields: [destination.bytes]
      - type: select
        fields: ["@timestamp", source, destination, labels, zeek.uid]
`);
    const r = sensor.processLine(sensor.newParser(), CONN, 0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const ev = r.events[0] as any;
    expect(ev.labels).toEqual({ total: 30, dns: true });
    expect(ev.zeek).toEqual({ uid: 'C1' });
    expect(ev.destination).toEqual({ ip: '8.8.8.8', port: 53 });
    expect(ev.network).toBeUndefined();
    expect(Object.keys(ev).sort()).toEqual([
      '@timestamp',
      'destination',
      'event',
      'labels',
      'observer',
      'source',
      'zeek',
    ]);
  });

  it('turns a transformation that breaks the event into an invalid result, not an exception', () => {
    const sensor = compile('      - type: rename\n        fields: { source.port: source.ip }\n');
    const r = sensor.processLine(sensor.newParser(), CONN, 0);
    expect(r).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!r.ok && r.message).toMatch(/source\.ip/);
    const failing = compile('      - type: compute\n        fields: { x: "source.ip / 2" }\n');
    const f = failing.processLine(failing.newParser(), CONN, 0);
    expect(f).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!f.ok && f.message).toMatch(/^compute x: /);
  });

  it('reports unparseable lines as parse errors', () => {
    const sensor = compileSensors(GOOD).get('bro')!;
    expect(sensor.processLine(sensor.newParser(), 'not json', 0)).toMatchObject({ ok: false, kind: 'parse' });
  });
});
