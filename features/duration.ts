// Durations in configs: a number of milliseconds or text like "500ms", "30s", "5m", "1h", "7d".
import { z } from 'zod';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (m === null) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] as string] as number));
}

export const DurationSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration: ${JSON.stringify(v)} (e.g. "30s", "5m", "1h", "7d")`,
    });
    return z.NEVER;
  }
  return ms;
});
