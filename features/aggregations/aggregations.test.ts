import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggregationSpec, AggregationSpecSchema, bloomContains, createAggregation } from './index.ts';
import type { Aggregation } from './types.ts';

const specs: AggregationSpec[] = [
  { op: 'count' },
  { op: 'sum' },
  { op: 'mean' },
  { op: 'variance' },
  { op: 'stddev' },
  { op: 'min' },
  { op: 'max' },
  { op: 'first' },
  { op: 'last' },
  { op: 'distinct', precision: 8 },
  { op: 'quantile', q: [0.5, 0.9], relativeAccuracy: 0.01 },
  { op: 'topk', k: 3, capacity: 8 },
  { op: 'bloom', capacity: 100, fpr: 0.01 },
  { op: 'interarrival', stat: 'variance', cap: 16 },
];

const run = (agg: Aggregation, items: [unknown, number][]) => {
  let s = agg.init();
  for (const [v, t] of items) s = agg.add(s, v, t);
  return s;
};

const item = fc.tuple(
  fc.oneof(
    fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
    fc.integer({ min: -5, max: 40 }),
    fc.constantFrom('a', 'b', 'c', 'x.example'),
  ),
  fc.integer({ min: 0, max: 10_000 }),
);

describe('aggregations', () => {
  for (const spec of specs) {
    const agg = createAggregation(AggregationSpecSchema.parse(spec));
    it(`${spec.op}: result ignores input order, merge equals one pass, encode/decode round-trips`, () => {
      fc.assert(
        fc.property(
          fc.array(item, { maxLength: 60 }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer(),
          (items, cut, seed) => {
            const whole = run(agg, items);
            const expected = JSON.stringify(agg.result(whole));
            // a deterministic shuffle of the same inputs
            const shuffled = items
              .map((x, i) => [x, Math.imul(i + 1, seed | 1) >>> 0] as const)
              .sort((a, b) => a[1] - b[1])
              .map(([x]) => x);
            expect(JSON.stringify(agg.result(run(agg, shuffled)))).toBe(expected);
            const k = Math.min(cut, items.length);
            const merged = agg.merge(run(agg, items.slice(0, k)), run(agg, items.slice(k)));
            expect(JSON.stringify(agg.result(merged))).toBe(expected);
            const restored = agg.decode(JSON.parse(JSON.stringify(agg.encode(whole))));
            expect(JSON.stringify(agg.result(restored))).toBe(expected);
            expect(JSON.stringify(agg.encode(restored))).toBe(JSON.stringify(agg.encode(whole)));
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('sum is exact where naive addition is not', () => {
    const agg = createAggregation({ op: 'sum' });
    const xs = [0.1, 1e16, 0.2, -1e16, 0.3];
    expect(xs.reduce((a, b) => a + b, 0)).not.toBe(0.6); // naive: the small terms vanish
    expect(
      agg.result(
        run(
          agg,
          xs.map((x) => [x, 0]),
        ),
      ),
    ).toBe(0.6); // Python: math.fsum(xs) == 0.6
    expect(
      agg.result(
        run(
          agg,
          [...xs].reverse().map((x) => [x, 0]),
        ),
      ),
    ).toBe(0.6);
  });

  it('mean, variance, stddev, min, max agree with the definitions', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const r = (op: AggregationSpec['op']) =>
      createAggregation(AggregationSpecSchema.parse({ op })).result(
        run(
          createAggregation(AggregationSpecSchema.parse({ op })),
          xs.map((x, i) => [x, i]),
        ),
      );
    expect(r('mean')).toBe(5);
    expect(r('variance')).toBeCloseTo(32 / 7, 12);
    expect(r('stddev')).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(r('min')).toBe(2);
    expect(r('max')).toBe(9);
    expect(r('count')).toBe(8);
  });

  it('mean of a predicate is a ratio; count skips missing values', () => {
    const mean = createAggregation({ op: 'mean' });
    expect(
      mean.result(
        run(mean, [
          [true, 0],
          [false, 1],
          [true, 2],
          [undefined, 3],
        ]),
      ),
    ).toBeCloseTo(2 / 3, 12);
    const count = createAggregation({ op: 'count' });
    expect(
      count.result(
        run(count, [
          [1, 0],
          [null, 0],
          [undefined, 0],
          ['x', 0],
        ]),
      ),
    ).toBe(2);
  });

  it('distinct count is exact while small and within 5% at 50k', () => {
    const agg = createAggregation(AggregationSpecSchema.parse({ op: 'distinct' }));
    let s = agg.init();
    for (let i = 0; i < 400; i++) s = agg.add(s, `10.0.${i % 200}.${i % 2}`, i); // 200 distinct ≤ m/8
    const exact = new Set(Array.from({ length: 400 }, (_, i) => `10.0.${i % 200}.${i % 2}`)).size;
    expect(agg.result(s)).toBe(exact);
    let big = agg.init();
    for (let i = 0; i < 50_000; i++) big = agg.add(big, `host-${i}`, i);
    expect(Math.abs((agg.result(big) as number) - 50_000) / 50_000).toBeLessThan(0.05);
  });

  it('quantiles are within the relative accuracy', () => {
    const agg = createAggregation(AggregationSpecSchema.parse({ op: 'quantile', q: [0.5, 0.99] }));
    const s = run(
      agg,
      Array.from({ length: 1000 }, (_, i) => [i + 1, i] as [number, number]),
    );
    const r = agg.result(s) as Record<string, number>;
    expect(Math.abs((r.p50 as number) - 500) / 500).toBeLessThan(0.02);
    expect(Math.abs((r.p99 as number) - 990) / 990).toBeLessThan(0.02);
  });

  it('quantiles equal @datadog/sketches-js DDSketch on the same inputs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, q) => {
          const agg = createAggregation(AggregationSpecSchema.parse({ op: 'quantile', q }));
          const lib = new DDSketch({ relativeAccuracy: 0.01 });
          for (const x of xs) lib.accept(x);
          expect(
            agg.result(
              run(
                agg,
                xs.map((x, i) => [x, i]),
              ),
            ),
          ).toBe(lib.getValueAtQuantile(q));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('top-k reports the most frequent values with exact counts', () => {
    const agg = createAggregation(AggregationSpecSchema.parse({ op: 'topk', k: 2 }));
    const s = run(
      agg,
      ['a', 'b', 'a', 'c', 'a', 'b'].map((v, i) => [v, i]),
    );
    expect(agg.result(s)).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 2 },
    ]);
  });

  it('bloom answers membership without false negatives', () => {
    const agg = createAggregation(AggregationSpecSchema.parse({ op: 'bloom', capacity: 200 }));
    const s = run(
      agg,
      Array.from({ length: 200 }, (_, i) => [`d${i}.example`, i] as [string, number]),
    );
    const filter = agg.result(s) as { m: number; k: number; bits: string };
    for (let i = 0; i < 200; i++) expect(bloomContains(filter, `d${i}.example`)).toBe(true);
    let fp = 0;
    for (let i = 0; i < 1000; i++) if (bloomContains(filter, `other${i}.example`)) fp++;
    expect(fp).toBeLessThan(50);
  });

  it('first/last follow event time, then the value, never arrival order', () => {
    const first = createAggregation({ op: 'first' });
    const last = createAggregation({ op: 'last' });
    const items: [unknown, number][] = [
      ['late', 30],
      ['early', 10],
      ['mid', 20],
      ['also-early', 10],
    ];
    expect(first.result(run(first, items))).toBe('also-early');
    expect(last.result(run(last, items))).toBe('late');
  });

  it('inter-arrival of a beacon has mean = period and variance ≈ 0', () => {
    const mean = createAggregation(AggregationSpecSchema.parse({ op: 'interarrival', stat: 'mean' }));
    const variance = createAggregation(AggregationSpecSchema.parse({ op: 'interarrival', stat: 'variance' }));
    const times: [unknown, number][] = [50_000, 0, 30_000, 10_000, 40_000, 20_000].map((t) => [null, t]);
    expect(mean.result(run(mean, times))).toBe(10_000);
    expect(variance.result(run(variance, times))).toBe(0);
  });

  it('remove undoes add for invertible ops', () => {
    for (const op of ['count', 'sum', 'mean', 'variance'] as const) {
      const agg = createAggregation({ op });
      let s = run(agg, [
        [3, 0],
        [5, 1],
        [0.25, 2],
      ]);
      s = (agg.remove as NonNullable<Aggregation['remove']>)(s, 0.25, 2);
      expect(agg.result(s)).toBe(
        agg.result(
          run(agg, [
            [3, 0],
            [5, 1],
          ]),
        ),
      );
    }
  });
});
