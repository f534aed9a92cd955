import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileExpression, resetExpressionProviders, setExpressionProviders } from '../kernel/expr/index.ts';
import { createProfileStoreStage, ProfileStore } from './profile-store.ts';
import type { ProfileValueRecord } from './profiler.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-profile-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rec = (entity: string, start: number, value: number | string): ProfileValueRecord => ({
  profile: 'conns',
  entity,
  window: { start, end: start + 60_000 },
  value,
  aggregates: { n: typeof value === 'number' ? value : 0 },
});

describe('ProfileStore', () => {
  it('serves the last periods to CEL profile(), upserts idempotently, survives reopen and applies the TTL', async () => {
    const path = join(dir, 'profiles.duckdb');
    const store = await ProfileStore.open(path, { ttlMs: { conns: 3 * 60_000 } });
    await store.write([rec('10.0.0.1', 0, 5), rec('10.0.0.1', 60_000, 7), rec('10.0.0.2', 0, 1)]);
    await store.write([rec('10.0.0.1', 60_000, 7), rec('10.0.0.1', 120_000, 'n/a')]); // replayed + non-numeric
    expect(store.lookup('conns', '10.0.0.1', 10)).toEqual([5, 7]);
    expect(store.lookup('conns', '10.0.0.1', 2)).toEqual([7]);
    expect(store.lookup('conns', 'nobody', 3)).toEqual([]);

    const previous = setExpressionProviders(store.provider());
    try {
      const expr = compileExpression('profile("conns", source.ip, 5)');
      expect(expr.evaluate({ source: { ip: '10.0.0.1' } })).toEqual([5, 7]);
    } finally {
      resetExpressionProviders(previous);
    }

    expect((await store.query('conns', '10.0.0.1')).map((v) => [v.start, v.value])).toEqual([
      [0, 5],
      [60_000, 7],
      [120_000, null],
    ]);
    // TTL: a window ending at 300k+60k makes everything ending before 180k expire
    await store.write([rec('10.0.0.1', 300_000, 9)]);
    expect((await store.query('conns', '10.0.0.1')).map((v) => v.start)).toEqual([120_000, 300_000]);
    expect(await store.entities('conns')).toEqual(['10.0.0.1']);
    store.close();

    const reopened = await ProfileStore.open(path);
    expect(reopened.lookup('conns', '10.0.0.1', 10)).toEqual([9]);
    reopened.close();
  });

  it('the store stage writes profile records and counts malformed ones', async () => {
    const store = await ProfileStore.open(':memory:');
    const stage = createProfileStoreStage(store);
    let errors = 0;
    const record = (value: string) => ({
      topic: 'profiles',
      partition: 0,
      offset: 0,
      timestamp: 0,
      key: null,
      value: Buffer.from(value),
      headers: {},
    });
    await stage.process([record(JSON.stringify(rec('h', 0, 3))), record('{oops')], {
      name: 's',
      replay: false,
      countError: () => errors++,
    });
    expect(store.lookup('conns', 'h', 1)).toEqual([3]);
    expect(errors).toBe(1);
    store.close();
  });
});
