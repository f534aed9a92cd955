// Every source against real files and sockets on localhost, appending to a real embedded log.
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../kernel/config.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../log/embedded/index.ts';
import { createSources, parseSourcesConfig } from './config.ts';
import { FileSource } from './file-source.ts';
import { ingestLines, LineTooLongError } from './raw-lines.ts';
import { StreamSource } from './stream-source.ts';
import { SyslogTcpSource } from './syslog-tcp-source.ts';
import { SyslogUdpSource } from './syslog-udp-source.ts';

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-sources-'));
  log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function lines(topic: string): Promise<string[]> {
  const info = await log.describeTopic(topic).catch(() => null);
  if (info === null) return [];
  const out: string[] = [];
  for (const p of info.partitions) {
    for (const r of await log.read(topic, p.partition, 0, { maxRecords: 1_000_000 }))
      out.push(r.value.toString('latin1'));
  }
  return out;
}

/** Polls until the topic holds `n` lines (sources append asynchronously). */
async function waitForLines(topic: string, n: number, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await lines(topic);
    if (got.length >= n || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('FileSource', () => {
  it('reads a file once, keeping bytes and the last line without a newline', async () => {
    const path = join(dir, 'once.log');
    writeFileSync(path, Buffer.from('one\r\ntwo\n\nthr\xe9e\nlast', 'latin1'));
    const src = new FileSource({ log, sensor: 's', topic: 'raw.s', path });
    await src.start();
    await src.done;
    expect(await lines('raw.s')).toEqual(['one', 'two', 'thr\xe9e', 'last']);
    // Its position is durable: a second run of the same file appends nothing.
    const again = new FileSource({ log, sensor: 's', topic: 'raw.s', path });
    await again.start();
    await again.done;
    expect(await lines('raw.s')).toHaveLength(4);
  });

  it('follows growth, rotation and truncation like tail -F', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'a1\na2\n');
    const src = new FileSource({ log, sensor: 's', topic: 'raw.s', path, follow: true, pollMs: 10 });
    await src.start();
    expect(await waitForLines('raw.s', 2)).toEqual(['a1', 'a2']);
    appendFileSync(path, 'a3\npart');
    expect(await waitForLines('raw.s', 3)).toEqual(['a1', 'a2', 'a3']);
    appendFileSync(path, 'ial\n');
    expect((await waitForLines('raw.s', 4))[3]).toBe('partial');
    // Rotation: the old file gets one more line after the rename, then a new file appears.
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'a5\n');
    writeFileSync(path, 'b1\n');
    expect(await waitForLines('raw.s', 6)).toEqual(['a1', 'a2', 'a3', 'partial', 'a5', 'b1']);
    // copytruncate: the file shrinks and is written again from the start.
    truncateSync(path, 0);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(path, 'c1\n');
    expect((await waitForLines('raw.s', 7)).slice(6)).toEqual(['c1']);
    await src.stop();
    expect(await lines('raw.s')).toHaveLength(7);
  });

  it('resumes after a restart without re-reading or skipping, even across a rotation while down', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'x1\nx2\n');
    const first = new FileSource({ log, sensor: 's', topic: 'raw.s', path, follow: true, pollMs: 10 });
    await first.start();
    await waitForLines('raw.s', 2);
    await first.stop();
    appendFileSync(path, 'x3\n');
    const second = new FileSource({ log, sensor: 's', topic: 'raw.s', path, follow: true, pollMs: 10 });
    await second.start();
    expect(await waitForLines('raw.s', 3)).toEqual(['x1', 'x2', 'x3']);
    await second.stop();
    // While down: more lines to the old file, then it is rotated away and a new one begins.
    appendFileSync(path, 'x4\n');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'y1\n');
    const third = new FileSource({ log, sensor: 's', topic: 'raw.s', path, follow: true, pollMs: 10 });
    await third.start();
    expect(await waitForLines('raw.s', 5)).toEqual(['x1', 'x2', 'x3', 'x4', 'y1']);
    await third.stop();
    // The log reopened from disk still holds the position.
    await log.close();
    log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
    appendFileSync(path, 'y2\n');
    const fourth = new FileSource({ log, sensor: 's', topic: 'raw.s', path, follow: true, pollMs: 10 });
    await fourth.start();
    await waitForLines('raw.s', 6);
    await fourth.stop();
    expect(await lines('raw.s')).toEqual(['x1', 'x2', 'x3', 'x4', 'y1', 'y2']);
  });

  it('waits for a followed file that does not exist yet', async () => {
    const path = join(dir, 'later.log');
    const src = new FileSource({ log, sensor: 's', topic: 'raw.s', path, follow: true, pollMs: 10 });
    await src.start();
    writeFileSync(path, 'hello\n');
    expect(await waitForLines('raw.s', 1)).toEqual(['hello']);
    await src.stop();
  });

  it('refuses to read once a file that does not exist', async () => {
    const src = new FileSource({ log, sensor: 's', topic: 'raw.s', path: join(dir, 'missing.log') });
    await expect(src.start()).rejects.toThrow(/does not exist/);
    await src.stop(); // resolves rather than waiting for a reader that never ran
  });
});

describe('StreamSource (stdin)', () => {
  it('appends every line of a stream, split across chunks', async () => {
    const input = new PassThrough();
    const progress: number[] = [];
    const src = new StreamSource({
      log,
      sensor: 's',
      topic: 'raw.s',
      input,
      onProgress: (p) => progress.push(p.lines),
    });
    await src.start();
    input.write('l1\nl');
    input.write('2\nl3');
    input.end();
    await src.done;
    expect(await lines('raw.s')).toEqual(['l1', 'l2', 'l3']);
    expect(progress.at(-1)).toBe(3);
  });
});

describe('SyslogUdpSource', () => {
  it('appends one record per datagram, origin in a header', async () => {
    const src = new SyslogUdpSource({
      log,
      sensor: 'fw',
      topic: 'raw.fw',
      port: 0,
      host: '127.0.0.1',
      lingerMs: 5,
    });
    await src.start();
    const { port } = src.address();
    const client = createSocket('udp4');
    const sent = Array.from({ length: 50 }, (_, i) => `<13>Dec  4 19:51:25 host app: message ${i}`);
    for (const m of sent) await new Promise<void>((r) => client.send(`${m}\n`, port, '127.0.0.1', () => r()));
    client.close();
    const got = await waitForLines('raw.fw', 50);
    await src.stop();
    // UDP on loopback keeps these few datagrams; order across datagrams is not promised.
    expect([...got].sort()).toEqual([...sent].sort());
    const [record] = await log.read('raw.fw', 0, 0, { maxRecords: 1 });
    expect(record!.headers.origin!.toString()).toBe('127.0.0.1');
  });
});

describe('SyslogTcpSource', () => {
  it('decodes newline and octet-counting framing from concurrent connections', async () => {
    const src = new SyslogTcpSource({
      log,
      sensor: 'fw',
      topic: 'raw.fw',
      port: 0,
      host: '127.0.0.1',
      lingerMs: 5,
    });
    await src.start();
    const { port } = src.address();
    const send = (payload: string) =>
      new Promise<void>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => {
          // Written in two pieces to cross a frame boundary.
          sock.write(payload.slice(0, 17));
          sock.end(payload.slice(17));
        });
        sock.on('close', () => resolve());
        sock.on('error', reject);
      });
    const multi = '<34>1 2026-12-04T19:51:25Z h app - - - two\nlines';
    await Promise.all([
      send('<13>newline one\n<13>newline two\n<13>no trailing newline'),
      send(`${Buffer.byteLength(multi)} ${multi}11 <13>counted`),
    ]);
    const got = await waitForLines('raw.fw', 5);
    await src.stop();
    expect([...got].sort()).toEqual(
      ['<13>newline one', '<13>newline two', '<13>no trailing newline', multi, '<13>counted'].sort(),
    );
  });
});

describe('ingestLines (HTTP batch body)', () => {
  it('appends one record per line to the sensor raw topic', async () => {
    const result = await ingestLines(log, 'web', ['a', 'b\r\nc', '', Buffer.from('d\xff', 'latin1')]);
    expect(result).toEqual({ topic: 'raw.web', accepted: 4, skipped: 1 });
    expect(await lines('raw.web')).toEqual(['a', 'b', 'c', 'd\xff']);
  });

  it('refuses a batch holding a line longer than sources accept, appending nothing', async () => {
    await expect(ingestLines(log, 'web', ['ok', 'z'.repeat(300_000)])).rejects.toThrow(LineTooLongError);
    expect(await lines('raw.web')).toEqual([]);
  });
});

describe('sources config', () => {
  it('builds sources from data, with raw topics from the sensor registry', async () => {
    const path = join(dir, 'in.log');
    writeFileSync(path, 'z1\nz2\n');
    const config = parseSourcesConfig(`sources:\n  - type: file\n    sensor: web\n    path: ${path}\n`);
    const [src] = createSources(config, log, {
      rawTopicOf: (s) => (s === 'web' ? 'raw.web-custom' : undefined),
    });
    expect(src!.topic).toBe('raw.web-custom');
    await src!.start();
    await src!.done;
    expect(await lines('raw.web-custom')).toEqual(['z1', 'z2']);
  });

  it('rejects a bad entry naming its line and field', () => {
    const text = 'sources:\n  - type: syslog-udp\n    sensor: fw\n    port: 70000\n';
    expect(() => parseSourcesConfig(text, 'vigil.yaml')).toThrow(ConfigError);
    expect(() => parseSourcesConfig(text, 'vigil.yaml')).toThrow(/vigil\.yaml:4: sources\.0\.port/);
  });
});
