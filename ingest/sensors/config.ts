// Sensor configuration as data: which raw topic a sensor's lines arrive on, how to parse them, what
// to change in each event, and where the events go. Validated with zod through kernel/config.ts so
// a mistake is reported as file:line: field: message.
import { z } from 'zod';
import { compileExpression } from '../../kernel/expr/index.ts';
import { createParser, parserFormats, parserOptionsSchema } from '../parsers/registry.ts';

export const DEFAULT_OUTPUT_TOPIC = 'events';
export const ERRORS_TOPIC = 'errors';

/** Valid in a topic name (`raw.<name>`), on the embedded log and on Kafka. */
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** A dotted event path: `source.ip`, `@timestamp`, `zeek.conn_state`. */
const FIELD_PATH = /^[A-Za-z0-9_@-]+(\.[A-Za-z0-9_@-]+)*$/;

const topicName = z.string().regex(TOPIC, { message: 'expected a topic name (letters, digits, . _ -)' });
const fieldPath = z.string().regex(FIELD_PATH, { message: 'expected a dotted field path such as source.ip' });

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const celExpression = z.string().superRefine((source, ctx) => {
  try {
    compileExpression(source);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
  }
});

/** Field transformations, applied in order to each parsed event before it is validated. */
export const transformationSchema = z.discriminatedUnion('type', [
  /** Moves fields: `{from.path: to.path}`. */
  z.strictObject({ type: z.literal('rename'), fields: z.record(fieldPath, fieldPath) }),
  /** Deletes fields. */
  z.strictObject({ type: z.literal('remove'), fields: z.array(fieldPath).min(1) }),
  /** Keeps only these fields (and what normalization adds: `event.*` provenance, `observer.type`). */
  z.strictObject({ type: z.literal('select'), fields: z.array(fieldPath).min(1) }),
  /** Sets fields to CEL expressions over the event (its top-level fields are variables). */
  z.strictObject({ type: z.literal('compute'), fields: z.record(fieldPath, celExpression) }),
]);

const parserSchema = z.preprocess(
  // `parser: zeek-tsv` is short for `parser: {format: zeek-tsv}`.
  (v) => (typeof v === 'string' ? { format: v } : v),
  z.strictObject({
    format: z.string().refine((f) => parserOptionsSchema(f) !== undefined, {
      message: `unknown parser format; expected one of: ${parserFormats().join(', ')}`,
    }),
    options: z.record(z.string(), z.unknown()).default({}),
  }),
);

export const sensorConfigSchema = z
  .strictObject({
    name: z.string().regex(NAME, { message: 'expected a sensor name (letters, digits, . _ -)' }),
    /** Where its raw lines arrive; default `raw.<name>`. */
    rawTopic: topicName.optional(),
    parser: parserSchema,
    /** IANA zone of zone-less timestamps, passed to parsers that take a `timezone` option. */
    timezone: z
      .string()
      .refine(isValidTimeZone, { message: 'expected an IANA time zone such as UTC or Europe/Prague' })
      .optional(),
    transformations: z.array(transformationSchema).default([]),
    /** Where its events go; default `events`. */
    outputTopic: topicName.default(DEFAULT_OUTPUT_TOPIC),
  })
  .superRefine((sensor, ctx) => {
    // Build the parser once here so bad options are reported at their line like any other field.
    if (parserOptionsSchema(sensor.parser.format) === undefined) return;
    try {
      createParser(sensor.parser.format, parserOptionsFor(sensor));
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: ['parser', 'options'],
        message: e instanceof Error ? e.message : String(e),
      });
    }
  });

export const sensorsFileSchema = z
  .looseObject({ sensors: z.array(sensorConfigSchema) })
  .superRefine((file, ctx) => {
    const names = new Map<string, number>();
    const topics = new Map<string, number>();
    file.sensors.forEach((s, i) => {
      const other = names.get(s.name);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sensors', i, 'name'],
          message: `duplicate sensor name (also sensors.${other})`,
        });
      }
      names.set(s.name, i);
      const topic = rawTopicOf(s);
      const owner = topics.get(topic);
      if (owner !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sensors', i, s.rawTopic === undefined ? 'name' : 'rawTopic'],
          message: `raw topic ${topic} is already read by sensors.${owner}`,
        });
      }
      topics.set(topic, i);
    });
  });

export type SensorConfig = z.output<typeof sensorConfigSchema>;
export type SensorConfigInput = z.input<typeof sensorConfigSchema>;
export type Transformation = z.output<typeof transformationSchema>;

export function rawTopicOf(sensor: Pick<SensorConfig, 'name' | 'rawTopic'>): string {
  return sensor.rawTopic ?? `raw.${sensor.name}`;
}

/** The parser options with the sensor's timezone added when the format takes one. */
export function parserOptionsFor(sensor: Pick<SensorConfig, 'parser' | 'timezone'>): Record<string, unknown> {
  const options = sensor.parser.options;
  if (sensor.timezone === undefined || 'timezone' in options) return options;
  const schema = parserOptionsSchema(sensor.parser.format) as { shape?: Record<string, unknown> } | undefined;
  return schema?.shape !== undefined && 'timezone' in schema.shape
    ? { ...options, timezone: sensor.timezone }
    : options;
}
