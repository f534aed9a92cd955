// Property: whatever bytes arrive on a raw topic, the parse stage neither throws nor loses a record:
// every input becomes its events or exactly one error record that keeps it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../log/types.ts';
import type { StageContext, StageOutput } from '../pipeline/stage.ts';
import { createParseStage } from './parse-stage.ts';
import { SensorRegistry } from './registry.ts';

const CONN =
  '{"conn":{"ts":1733341885.123,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":5353,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp"}}';
const TSV = '1733341885.1\tC9\t10.1.1.1\t40000\t10.0.0.9\t22\ttcp';

const sensors = SensorRegistry.fromText(`sensors:
  - name: bro
    parser: zeek-json
    transformations:
      - type: compute
        fields: { labels.port: "source.port + 1" }
  - name: zeek
    parser: zeek-tsv
  - name: fw
    parser: syslog-3164
`);

const mutated = (base: string) =>
  fc
    .tuple(fc.nat(base.length), fc.nat(8), fc.string({ maxLength: 6 }))
    .map(([at, cut, insert]) => base.slice(0, at) + insert + base.slice(at + cut));

const payload = fc.oneof(
  mutated(CONN),
  mutated(TSV),
  mutated('<13>Dec  4 19:51:25 host app: hello'),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);

describe('parse stage on arbitrary input', () => {
  it('never throws and accounts for every record', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('raw.bro', 'raw.zeek', 'raw.fw', 'raw.unknown'), payload), {
          maxLength: 30,
        }),
        (inputs) => {
          const stage = createParseStage({ sensors });
          let errors = 0;
          const ctx: StageContext = {
            name: 'parse',
            replay: true,
            countError: (n = 1) => {
              errors += n;
            },
          };
          const batch: LogRecord[] = inputs.map(([topic, value], offset) => ({
            topic,
            partition: 0,
            offset,
            timestamp: 1_796_000_000_000,
            key: null,
            value: typeof value === 'string' ? Buffer.from(value) : value,
            headers: {},
          }));
          const out = stage.process(batch, ctx) as StageOutput[];
          const errorOffsets = out
            .filter((o) => o.topic === 'errors')
            .map((o) => JSON.parse(String(o.value)).source.offset);
          const eventOriginals = out
            .filter((o) => o.topic === 'events')
            .map((o) => JSON.parse(String(o.value)).event.original);
          expect(errorOffsets.length).toBe(errors);
          for (const r of batch) {
            const raw = r.value.toString('utf8');
            const asError = errorOffsets.includes(r.offset);
            const asEvent = eventOriginals.includes(raw);
            // Zeek TSV header-like lines legitimately yield nothing; everything else yields output.
            if (!asError && !asEvent) expect(r.topic === 'raw.zeek' && raw.startsWith('#')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
