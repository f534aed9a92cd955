// Zeek (Bro) JSON logs: one JSON object per line, either bare (`{"ts":...,"id.orig_h":...}`, log type
// from the `logType` option, a `_path` field or the fields present) or in Metron's Kafka envelope
// `{"<log_type>": {...}}`.
import { z } from 'zod';
import { parseError } from './common.ts';
import type { ParseResult, Parser } from './types.ts';
import { guessZeekLogType, zeekRecordToEvent } from './zeek-mapping.ts';

export const zeekJsonOptions = z
  .object({
    /** Log type of bare records (`conn`, `dns`, ...); guessed per record when absent. */
    logType: z.string().min(1).optional(),
  })
  .strict();
export type ZeekJsonOptions = z.infer<typeof zeekJsonOptions>;

export class ZeekJsonParser implements Parser {
  readonly format = 'zeek-json';
  constructor(private readonly options: ZeekJsonOptions = {}) {}

  parse(raw: string): ParseResult {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (err) {
      return parseError(`zeek-json: not JSON: ${(err as Error).message}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      return parseError('zeek-json: expected a JSON object per line');
    }
    let rec = doc as Record<string, unknown>;
    let logType: string | undefined;
    if (rec.ts === undefined) {
      // Metron's envelope: exactly one key, the log type, holding the record.
      let key: string | undefined;
      let n = 0;
      for (const k in rec) {
        key = k;
        if (++n > 1) break;
      }
      const inner = key === undefined ? undefined : rec[key];
      if (n === 1 && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        logType = key!.toLowerCase();
        rec = inner as Record<string, unknown>;
      }
    }
    logType ??= this.options.logType ?? guessZeekLogType(rec);
    const event = zeekRecordToEvent(logType, rec);
    if (typeof event === 'string') return { ok: false, kind: 'invalid', message: event };
    return { ok: true, events: [event] };
  }
}
