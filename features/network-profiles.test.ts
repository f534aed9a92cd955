// The built-in network feature set on real Zeek data: Stratosphere's port-scanning capture (one Nmap
// client, 172.16.1.11, 4,504 conn records, 182 destinations; see ../shared/data/zeek/PROVENANCE.md).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../ingest/log/types.ts';
import { ZeekJsonParser } from '../ingest/parsers/zeek-json.ts';
import type { StageOutput } from '../ingest/pipeline/stage.ts';
import { parseProfilesConfig } from './profile-config.ts';
import { NETWORK_SOURCE_FEATURES } from './schema.ts';
import { createProfilerStage } from './stage.ts';

const data = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
const scan = join(data, 'zeek/stratosphere/002-zeek-scenario-port-scanning/conn.log');

describe.skipIf(!existsSync(scan))(
  'built-in network features on a real port scan (needs ../shared/data)',
  () => {
    it('the scanner shows many destinations and ports and a high failed-connection ratio', async () => {
      const parser = new ZeekJsonParser({ logType: 'conn' });
      const records: LogRecord[] = [];
      for (const line of readFileSync(scan, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const parsed = parser.parse(line);
        if (!parsed.ok) throw new Error(parsed.message);
        for (const event of parsed.events) {
          records.push({
            topic: 'events',
            partition: 0,
            offset: records.length,
            timestamp: 0,
            key: null,
            value: Buffer.from(JSON.stringify(event)),
            headers: {},
          });
        }
      }
      expect(records).toHaveLength(4504);
      const stage = createProfilerStage({
        profiles: parseProfilesConfig('allowedLateness: 10m\nbuiltin: [network]\nbuiltinWindow: 1h\n'),
      });
      const ctx = { name: 'profiler', replay: true, countError: () => {} };
      const out: StageOutput[] = [
        ...(stage.process(records, ctx) as StageOutput[]),
        ...((await stage.onIdle?.(ctx, { final: true })) ?? []),
      ];
      const vectors = out
        .filter((o) => o.topic === 'features')
        .map((o) => JSON.parse(String(o.value)))
        .filter((v) => v.schema === 'network.src' && v.entity === '172.16.1.11');
      expect(vectors.length).toBeGreaterThan(0);
      expect(Object.keys(vectors[0].features)).toEqual(NETWORK_SOURCE_FEATURES.features);
      expect(vectors.reduce((n, v) => n + v.features.connections, 0)).toBe(4504);
      const busiest = vectors.reduce((a, b) => (b.features.connections > a.features.connections ? b : a));
      expect(busiest.features.distinct_dst_ips).toBeGreaterThan(50);
      expect(busiest.features.distinct_dst_ips).toBeLessThanOrEqual(190); // 182 exist; HLL is exact this small
      expect(busiest.features.distinct_dst_ports).toBeGreaterThan(100);
      expect(busiest.features.failed_conn_ratio).toBeGreaterThan(0.5);
      expect(out.filter((o) => o.topic === 'late')).toHaveLength(0);
    });
  },
);
