// Sources and the parse service together, as `vigil serve` runs them: a real Zeek log read from a
// file and Metron's syslog sample sent over UDP end up as events (or error records) on the log.
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLog, openEmbeddedLog } from '../log/embedded/index.ts';
import { ParseService } from '../sensors/parse-service.ts';
import { SensorRegistry } from '../sensors/registry.ts';
import { createSources, parseSourcesConfig, startSources, stopSources } from './config.ts';
import type { SyslogUdpSource } from './syslog-udp-source.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const DATA = resolve(repoRoot, '../shared/data');
const ZEEK_CONN = join(DATA, 'zeek/stratosphere/003-zeek-scenario-malicious/conn.log');
const SYSLOG = join(DATA, 'metron-samples/syslog3164/raw/Syslog3164Output');
const hasData = existsSync(ZEEK_CONN) && existsSync(SYSLOG);

let dir: string;
let log: EmbeddedLog;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  log = await openEmbeddedLog(join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function count(topic: string): Promise<number> {
  const info = await log.describeTopic(topic).catch(() => null);
  return info === null ? 0 : info.partitions.reduce((n, p) => n + p.latest - p.earliest, 0);
}

describe.skipIf(!hasData)(
  'file and syslog-udp sources through the parse service (needs ../shared/data)',
  () => {
    it('ingests every line as an event or an error record', async () => {
      const sensors = SensorRegistry.fromText(`sensors:
  - name: zeek
    parser: zeek-tsv
  - name: asa-syslog
    parser: syslog-3164
    timezone: UTC
    outputTopic: events
`);
      const sources = createSources(
        parseSourcesConfig(`sources:
  - { type: file, sensor: zeek, path: ${JSON.stringify(ZEEK_CONN)} }
  - { type: syslog-udp, sensor: asa-syslog, port: 0, host: 127.0.0.1 }
`),
        log,
        { rawTopicOf: (s) => sensors.current.get(s)?.rawTopic },
      );
      const service = new ParseService(log, sensors, { pollMs: 10, idleMs: 10 });
      await startSources(sources);
      await service.start();
      try {
        const udp = sources[1] as SyslogUdpSource;
        const client = createSocket('udp4');
        const syslogLines = readFileSync(SYSLOG, 'utf8')
          .split('\n')
          .filter((l) => l.length > 0);
        for (const line of syslogLines) {
          await new Promise<void>((r) => client.send(line, udp.address().port, '127.0.0.1', () => r()));
        }
        client.close();
        const zeekRows = readFileSync(ZEEK_CONN, 'utf8')
          .split('\n')
          .filter((l) => l.length > 0 && !l.startsWith('#')).length;
        const expected = zeekRows + syslogLines.length;
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline && (await count('events')) + (await count('errors')) < expected) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect((await count('events')) + (await count('errors'))).toBe(expected);
        const errors = await log.read('errors', 0, 0, { maxRecords: 10_000 }).catch(() => []);
        const zeekErrors = errors.filter((r) => JSON.parse(r.value.toString()).sensor === 'zeek');
        expect(zeekErrors.map((r) => JSON.parse(r.value.toString()).message)).toEqual([]);
      } finally {
        await service.stop();
        await stopSources(sources);
      }
    });
  },
);
