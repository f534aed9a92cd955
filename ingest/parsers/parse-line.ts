// One raw line through a parser and the normalizer: the unit the parse stage, `vigil parse` and the
// tests share. Never throws; a failure comes back as `{kind, message}` for an error record.
import { normalizeEvent } from '../schema/normalize.ts';
import type { Parser, VigilEvent } from './types.ts';

export type LineResult =
  | { ok: true; events: VigilEvent[] }
  | { ok: false; kind: 'parse' | 'invalid'; message: string };

export function parseLine(
  parser: Parser,
  raw: string,
  ctx: { sensor: string; ingestedAt: number | Date | string },
): LineResult {
  let result: ReturnType<Parser['parse']>;
  try {
    result = parser.parse(raw);
  } catch (err) {
    // Parsers must not throw; if one does, the line still becomes an error record.
    return {
      ok: false,
      kind: 'parse',
      message: `${parser.format}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (!result.ok) return result;
  const events = result.events;
  for (let i = 0; i < events.length; i++) {
    const n = normalizeEvent(events[i]!, { sensor: ctx.sensor, raw, ingestedAt: ctx.ingestedAt, index: i });
    if (!n.ok) {
      return {
        ok: false,
        kind: 'invalid',
        message: events.length > 1 ? `event ${i + 1} of ${events.length}: ${n.message}` : n.message,
      };
    }
  }
  return { ok: true, events };
}
