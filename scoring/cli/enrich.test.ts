import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerEnrichCommand } from './enrich.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-enrich-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function vigilEnrich(
  args: string[],
  input: string,
): Promise<{ stdout: string; stderr: string; error?: Error }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const program = new Command('vigil').option('--config <file>').exitOverride();
  registerEnrichCommand(program, { stdin: Readable.from([input]), stdout, stderr });
  try {
    await program.parseAsync(['node', 'vigil', 'enrich', ...args]);
    return { stdout: out, stderr: err };
  } catch (error) {
    return { stdout: out, stderr: err, error: error as Error };
  }
}

const event = (over: Record<string, unknown>) =>
  JSON.stringify({ '@timestamp': '2026-12-04T12:00:00.000Z', observer: { type: 'zeek' }, ...over });

describe('vigil enrich', () => {
  it('prints enriched events with matched rules, scores and reasons; errors go to stderr with line numbers', async () => {
    const config = join(dir, 'rules.yaml');
    writeFileSync(
      config,
      [
        'sigma: {enabled: false}',
        'defaults:',
        '  triage:',
        '    rules:',
        '      - name: telnet',
        '        rule: destination.port == 23',
        '        score: 80',
        '        reason: \'"telnet to " + destination.ip\'',
        '      - name: private',
        '        rule: isPrivateIp(source.ip)',
        '        score: 5',
      ].join('\n'),
    );
    const input = [
      event({ source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2', port: 23 } }),
      '{oops',
      event({ source: { ip: 'nope' }, destination: { ip: '10.0.0.2', port: 80 } }),
    ].join('\n');
    const { stdout, stderr, error } = await vigilEnrich(['--config', config], input);
    expect(error).toBeUndefined();
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].vigil.triage).toMatchObject({
      score: 80,
      alert: true,
      rules: [
        { name: 'telnet', score: 80, reason: 'telnet to 10.0.0.2' },
        { name: 'private', score: 5, reason: 'private' },
      ],
    });
    expect(lines[1].vigil.triage.rules).toEqual([]);
    expect(stderr).toMatch(/line 2: invalid event/);
    expect(stderr).toMatch(/line 3: triage "private": isPrivateIp: not an IP address: "nope" at position 0/);
    expect(stderr).toMatch(/2 event\(s\), 1 matched, 1 alert\(s\)/);
  });

  it('rejects a config whose expression is bad, with the position', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'defaults:\n  enrich:\n    fields: ["vigil.x := size(dns.question.name) >"]\n');
    const { error } = await vigilEnrich(['--config', config], '');
    expect(error?.message).toMatch(
      /defaults\.enrich\.fields\[0\]: Unexpected token: EOF at position 25 in "size/,
    );
  });

  it('runs the built-in config (geo + shipped Sigma rules) by default', async () => {
    const { stdout, stderr } = await vigilEnrich(
      ['--alerts'],
      event({
        source: { ip: '10.0.0.1' },
        destination: { ip: '81.2.69.142', port: 9050 },
        network: { transport: 'tcp' },
      }),
    );
    const alert = JSON.parse(stdout);
    expect(alert).toMatchObject({
      kind: 'triage',
      title: expect.stringContaining('Tor'),
      entity: '10.0.0.1',
    });
    expect(alert.event.destination.geo.country_iso_code).toBe('GB');
    expect(stderr).not.toMatch(/sigma rule not loaded/);
  });
});
