// The error record: what goes to the `errors` topic when a line cannot be parsed or validated.
// It keeps the raw input byte for byte so nothing is lost and the line can be replayed once fixed.
import { z } from 'zod';

export const errorRecordSchema = z.object({
  /** Stage that rejected the input, e.g. `parse`. */
  stage: z.string(),
  /** Sensor name (the raw topic's sensor). */
  sensor: z.string(),
  /** `parse`: the parser could not read the line; `invalid`: it parsed but failed validation. */
  kind: z.enum(['parse', 'invalid', 'config', 'internal']),
  /** What was wrong: field, value and what was expected. */
  message: z.string(),
  /** The raw input exactly as received. */
  raw: z.string(),
  /** Where the input came from on the log (absent when it came from stdin or a test). */
  source: z
    .object({ topic: z.string(), partition: z.number().int(), offset: z.union([z.number(), z.string()]) })
    .optional(),
  /** When the error was recorded (ISO-8601 UTC). */
  '@timestamp': z.string().optional(),
});

export type ErrorRecord = z.output<typeof errorRecordSchema>;

export function makeErrorRecord(fields: {
  stage: string;
  sensor: string;
  kind: ErrorRecord['kind'];
  message: string;
  raw: string;
  source?: ErrorRecord['source'];
  at?: number | Date;
}): ErrorRecord {
  const record: ErrorRecord = {
    stage: fields.stage,
    sensor: fields.sensor,
    kind: fields.kind,
    message: fields.message,
    raw: fields.raw,
  };
  if (fields.source !== undefined) record.source = fields.source;
  if (fields.at !== undefined) record['@timestamp'] = new Date(fields.at).toISOString();
  return record;
}
