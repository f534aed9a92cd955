import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ZeekJsonParser } from '../parsers/zeek-json.ts';
import { ZeekTsvParser } from '../parsers/zeek-tsv.ts';
import { parseSimulatorConfig } from './config.ts';
import { writeSimulation } from './files.ts';
import { simulate } from './simulate.ts';
import { ZEEK_FIELDS, type ZeekLogType } from './zeek-logs.ts';

const config = { seed: 11, span: '12m', rate: 40, syslog: true, cef: true };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Zeek JSON', () => {
  it('every line is a JSON object with Zeek field names, ts in epoch seconds, and parses as Zeek', () => {
    const parser = new ZeekJsonParser();
    const logs = new Set<string>();
    const problems: string[] = [];
    let n = 0;
    for (const e of simulate(config)) {
      if (e.log === 'syslog' || e.log === 'cef') continue;
      n++;
      logs.add(e.log);
      const rec = JSON.parse(e.line) as Record<string, unknown>;
      const known = new Set(ZEEK_FIELDS[e.log as ZeekLogType].map(([n]) => n));
      for (const key of Object.keys(rec))
        if (!known.has(key)) problems.push(`${e.log}.${key} is not a Zeek field`);
      if (typeof rec.ts !== 'number' || Math.abs(rec.ts - e.ts / 1000) > 1e-5)
        problems.push(`bad ts: ${e.line}`);
      if (typeof rec.uid !== 'string' || typeof rec['id.orig_h'] !== 'string')
        problems.push(`no uid/id: ${e.line}`);
      const parsed = parser.parse(`{"${e.log}":${e.line}}`);
      if (!parsed.ok) problems.push(`${e.line}: ${parsed.message}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(5000);
    expect(logs).toEqual(new Set(['conn', 'dns', 'http', 'ssl', 'ssh', 'smb_mapping', 'smb_files', 'rdp']));
  });

  it('envelope lines wrap the record under its log type', () => {
    const first = simulate(config, 'envelope').next().value!;
    const doc = JSON.parse(first.line);
    expect(Object.keys(doc)).toEqual([first.log]);
    expect(doc[first.log].ts).toBeCloseTo(first.ts / 1000, 5);
  });
});

describe('files', () => {
  it('writes Zeek TSV with headers every record matches, plus ground truth and intel.csv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
    dirs.push(dir);
    const summary = writeSimulation({ ...config, format: 'tsv' }, dir);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'conn.log',
        'dns.log',
        'ssh.log',
        'ground-truth.jsonl',
        'intel.csv',
        'simulation.json',
        'syslog.log',
        'cef.log',
      ]),
    );
    let total = 0;
    for (const file of files.filter((f) => f.endsWith('.log'))) {
      const log = file.slice(0, -4);
      const lines = readFileSync(join(dir, file), 'utf8').trimEnd().split('\n');
      if (log === 'syslog') {
        for (const l of lines)
          expect(l).toMatch(
            /^<38>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ sshd \d+ - - (Failed|Accepted) password for /,
          );
        total += lines.length;
        continue;
      }
      if (log === 'cef') {
        for (const l of lines)
          expect(l).toMatch(
            /^CEF:0\|Vigil\|Simulated Perimeter Firewall\|1\.0\|\d+\|[^|]+\|\d+\|rt=\d+ src=/,
          );
        total += lines.length;
        continue;
      }
      const fields = ZEEK_FIELDS[log as ZeekLogType];
      expect(lines[0]).toBe('#separator \\x09');
      expect(lines[4]).toBe(`#path\t${log}`);
      expect(lines[6]).toBe(`#fields\t${fields.map(([n]) => n).join('\t')}`);
      expect(lines[7]).toBe(`#types\t${fields.map(([, t]) => t).join('\t')}`);
      expect(lines.at(-1)).toMatch(/^#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
      const parser = new ZeekTsvParser();
      const problems: string[] = [];
      for (const l of lines) {
        const r = parser.parse(l);
        if (!r.ok) problems.push(`${file}: ${l}: ${r.message}`);
        if (l.startsWith('#')) continue;
        if (l.split('\t').length !== fields.length) problems.push(`${file}: column count: ${l}`);
        total++;
      }
      expect(problems.slice(0, 5)).toEqual([]);
    }
    expect(total).toBe(summary.lines);
    const truth = readFileSync(join(dir, 'ground-truth.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(truth.length).toBe(summary.episodes);
    for (const t of truth)
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['scenario', 'entities', 'start', 'end']));
    const intel = readFileSync(join(dir, 'intel.csv'), 'utf8').trimEnd().split('\n');
    expect(intel[0]).toBe('indicator,type,threat,source');
    expect(intel.length).toBeGreaterThan(100);
  });
});

describe('config', () => {
  it('reads YAML with durations and rejects a bad field with its line', () => {
    const c = parseSimulatorConfig(
      'seed: 9\nspan: 2h\nscenarios:\n  beacon:\n    interval: 30s\n    jitter: 0.2\n',
    );
    expect(c.span).toBe(7_200_000);
    expect(c.scenarios.beacon.interval).toBe(30_000);
    expect(c.scenarios.dga.enabled).toBe(true);
    expect(() =>
      parseSimulatorConfig('seed: 9\nscenarios:\n  beacon:\n    interval: soon\n', 'sim.yaml'),
    ).toThrow(/sim\.yaml:4: scenarios\.beacon\.interval: not a duration/);
    expect(() => parseSimulatorConfig('scenarios:\n  nope: {}\n', 'sim.yaml')).toThrow(
      /sim\.yaml:\d+: scenarios: Unrecognized key: "nope"/,
    );
  });
});
