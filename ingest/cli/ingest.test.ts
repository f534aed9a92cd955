// `vigil ingest` from the shell, as a user runs it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedLog } from '../log/embedded/index.ts';

const run = promisify(execFile);
const VIGIL = resolve(import.meta.dirname, '../../bin/vigil.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function vigil(args: string[], input?: string): Promise<{ code: number; stderr: string }> {
  const child = run(process.execPath, [VIGIL, '--data-dir', join(dir, 'data'), ...args], { cwd: dir });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    const { stderr } = await child;
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

async function rawLines(topic: string): Promise<string[]> {
  const log = await openEmbeddedLog(join(dir, 'data', 'log'), { fsync: false, retentionCheckMs: 0 });
  try {
    return (await log.read(topic, 0, 0, { maxRecords: 1000 })).map((r) => r.value.toString());
  } finally {
    await log.close();
  }
}

describe('vigil ingest', () => {
  it('appends a file and stdin to the configured sensor raw topic', async () => {
    writeFileSync(join(dir, 'in.log'), 'one\ntwo\r\n\nthree');
    writeFileSync(
      join(dir, 'vigil.yaml'),
      'api: { enabled: false }\nsensors:\n  - name: bro\n    parser: zeek-json\n    rawTopic: raw.bro-custom\n',
    );
    const file = await vigil(['ingest', '--sensor', 'bro', 'in.log']);
    expect(file).toMatchObject({ code: 0 });
    expect(file.stderr).toContain('ingested 3 line(s)');
    const stdin = await vigil(['ingest', '-s', 'bro', '-'], 'four\n');
    expect(stdin.code).toBe(0);
    expect(await rawLines('raw.bro-custom')).toEqual(['one', 'two', 'three', 'four']);
  });

  it('exits 2 naming the configured sensors when the sensor is unknown', async () => {
    writeFileSync(join(dir, 'in.log'), 'x\n');
    const r = await vigil(['ingest', '--sensor', 'nope', 'in.log']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown sensor 'nope'; configured sensors: .*zeek-json/);
  });
});
