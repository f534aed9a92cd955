import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveSensor, runParse } from './parse.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function run(sensorName: string, input: string, config?: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end(input);
  const summary = await runParse(
    resolveSensor(sensorName, config),
    { stdin, stdout, stderr },
    Date.UTC(2026, 0, 1),
  );
  return {
    summary,
    out: out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    err: err
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

describe('vigil parse', () => {
  it('writes events on stdout and error records (with the raw line) on stderr', async () => {
    const good =
      '{"ts":1,"id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"tcp","conn_state":"S0"}';
    const { summary, out, err } = await run(
      'zeek-json',
      `${good}\nnot json\n{"ts":1,"id.orig_h":"999.0.0.1"}\n`,
    );
    expect(summary).toEqual({ lines: 3, events: 1, errors: 2, parseErrors: 1, invalid: 1, headers: 0 });
    expect(out[0]).toMatchObject({
      source: { ip: '10.0.0.1' },
      event: { original: good, ingested: '2026-01-01T00:00:00.000Z' },
    });
    expect(err[0]).toMatchObject({ stage: 'parse', sensor: 'zeek-json', kind: 'parse', raw: 'not json' });
    expect(err[1]).toMatchObject({
      kind: 'invalid',
      message: 'source.ip: "999.0.0.1" is not an IPv4 or IPv6 address',
    });
  });

  it('keeps header state across lines for zeek-tsv and accepts Metron aliases', async () => {
    const { summary } = await run('zeek-tsv', '#fields\tts\tid.orig_h\n#types\ttime\taddr\n1.5\t10.0.0.1\n');
    expect(summary).toMatchObject({ lines: 3, events: 1, errors: 0, headers: 2 });
    expect(resolveSensor('asa', undefined).config.parser.format).toBe('cisco-asa');
  });

  it('uses a configured sensor with its options and transformations', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-parse-'));
    const file = path.join(dir, 'sensors.yaml');
    writeFileSync(
      file,
      [
        'sensors:',
        '  - name: fw',
        '    parser:',
        '      format: csv',
        '      options: { columns: [src, action], fields: { src: source.ip } }',
        '    transformations:',
        '      - { type: rename, fields: { csv.action: event.action } }',
      ].join('\n'),
    );
    const { out } = await run('fw', '10.0.0.9,deny\n', file);
    expect(out[0]).toMatchObject({
      source: { ip: '10.0.0.9' },
      event: { action: 'deny', dataset: 'fw' },
      observer: { type: 'fw' },
    });
  });

  it('rejects an unknown sensor and a format that needs options', () => {
    expect(() => resolveSensor('nope', undefined)).toThrow(/unknown sensor or parser format 'nope'/);
    expect(() => resolveSensor('csv', undefined)).toThrow(/columns/);
  });

  // One spawn only: the CLI loads every stage's modules, which takes seconds on a busy machine.
  it('exits 0 from the shell even with bad lines, with a summary on stderr', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin/vigil.js'), 'parse', '--sensor', 'squid'],
      {
        input:
          '1461576382.642 161 127.0.0.1 TCP_MISS/200 103701 GET http://www.cnn.com/ - DIRECT/199.27.79.73 text/html\nbad\n',
        encoding: 'utf8',
        cwd: mkdtempSync(path.join(tmpdir(), 'vigil-parse-cwd-')),
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /vigil parse: sensor squid: 2 line\(s\), 1 event\(s\), 1 error\(s\) \(1 parse, 0 invalid\), 0 header line\(s\)/,
    );
  });
});
