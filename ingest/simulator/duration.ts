// Durations in configs and on the command line: "90s", "5m", "2h", "1d", "250ms", or a number of
// milliseconds (so a parsed config parses again to itself).
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for "90s", "1.5h", ...; throws on anything else. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) throw new Error(`not a duration: "${text}" (use e.g. 90s, 5m, 2h, 1d)`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** A duration field: string with a unit, or a number of milliseconds; parses to milliseconds. */
export const durationMs = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
