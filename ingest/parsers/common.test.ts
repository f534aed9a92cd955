import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getPath, isoFromMs, secondsToMs, setPath } from './common.ts';

describe('isoFromMs', () => {
  it('equals Date#toISOString for every instant 1970..2200', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7_258_118_399_999 }),
        (ms) => isoFromMs(ms) === new Date(ms).toISOString(),
      ),
      { numRuns: 20_000 },
    );
    expect(isoFromMs(951_782_400_000)).toBe('2000-02-29T00:00:00.000Z');
  });
});

describe('secondsToMs', () => {
  it('truncates sub-ms digits despite binary rounding', () => {
    expect(secondsToMs(1402307733.473)).toBe(1402307733473);
    expect(secondsToMs(1216702277.477478)).toBe(1216702277477);
    expect(secondsToMs(0.0009)).toBe(0);
  });
});

describe('setPath/getPath', () => {
  it('build and read nested paths, and keys that hold dots', () => {
    const o: Record<string, unknown> = {};
    setPath(o, 'a.b.c', 1);
    expect(o).toEqual({ a: { b: { c: 1 } } });
    expect(getPath({ zeek: { 'id.orig_h': 'x' } }, 'zeek.id.orig_h')).toBe('x');
  });
});
