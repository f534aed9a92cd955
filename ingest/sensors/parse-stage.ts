// The parse stage: raw.<sensor> topics → normalized events (and error records that keep the raw
// bytes). Deterministic: `event.ingested` is the raw record's log timestamp, so replaying the raw
// topics gives byte-identical output. The sensor set is read once per batch, so a reloaded config
// applies from the next batch on.

import { Counter } from 'prom-client';
import { metricsRegistry } from '../../kernel/metrics.ts';
import type { LogRecord } from '../log/types.ts';
import type { Parser } from '../parsers/types.ts';
import { ERRORS_TOPIC, errorRecord } from '../pipeline/runner.ts';
import type { Stage, StageContext, StageOutput } from '../pipeline/stage.ts';
import { ORIGIN_HEADER } from '../sources/raw-lines.ts';
import type { Sensor, SensorRegistry } from './registry.ts';

const sensorEvents = new Counter({
  name: 'vigil_sensor_events_total',
  help: 'Events the parse stage produced, per sensor',
  labelNames: ['sensor'],
  registers: [metricsRegistry],
});
const sensorErrors = new Counter({
  name: 'vigil_sensor_errors_total',
  help: 'Raw lines the parse stage kept as error records, per sensor and kind (parse, invalid, config, internal)',
  labelNames: ['sensor', 'kind'],
  registers: [metricsRegistry],
});

export const PARSE_STAGE = 'parse';

/** Streams (topic, partition, origin) with their own parser; past this the oldest is dropped. */
const MAX_STREAMS = 10_000;
/** Event-less lines (stream headers such as Zeek's `#fields`) remembered per stream. */
const MAX_HEADER_LINES = 32;
/**
 * Largest output value: under the log's default 1 MiB record limit with room for key and headers.
 * A bigger event (or error record) would make the log reject the whole batch and stall the stage.
 */
export const MAX_OUTPUT_BYTES = 960 * 1024;
/** Raw bytes kept inline in an error record for an oversized input (the whole line stays on the raw topic). */
const TRUNCATED_RAW_CHARS = 64 * 1024;

interface Stream {
  parser: Parser;
  fingerprint: string;
  /** Lines that produced no event: replayed into a new parser after a restart or a config change. */
  headers: string[];
}

interface StateV1 {
  v: 1;
  streams: [key: string, headers: string[]][];
}

export interface ParseStageOptions {
  sensors: SensorRegistry;
  name?: string;
}

/** An error record that fits the log: the raw text is cut when the record would be too big. */
function boundedErrorRecord(
  stage: string,
  r: LogRecord,
  kind: string,
  message: string,
  sensor?: string,
): StageOutput {
  const record = errorRecord(stage, r, kind, message, sensor);
  if (Buffer.byteLength(record.value as string) <= MAX_OUTPUT_BYTES) return record;
  return {
    ...record,
    value: JSON.stringify({
      stage,
      sensor,
      kind,
      message,
      raw: r.value.toString('utf8', 0, TRUNCATED_RAW_CHARS),
      raw_truncated: true,
      raw_bytes: r.value.length,
      source: { topic: r.topic, partition: r.partition, offset: r.offset },
    }),
  };
}

function outputKey(event: Record<string, unknown>): string | null {
  const ip = (event.source as { ip?: unknown } | undefined)?.ip;
  if (typeof ip === 'string') return ip;
  const id = (event.event as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

export function createParseStage(options: ParseStageOptions): Stage {
  const { sensors } = options;
  const name = options.name ?? PARSE_STAGE;
  let streams = new Map<string, Stream>();
  // Headers restored from a snapshot, waiting for their stream's first record.
  let restored = new Map<string, string[]>();

  const streamFor = (key: string, sensor: Sensor): Stream => {
    let stream = streams.get(key);
    if (stream !== undefined && stream.fingerprint === sensor.fingerprint) return stream;
    // New stream, or its sensor's config changed: a fresh parser primed with the stream's headers.
    const headers = stream?.headers ?? restored.get(key) ?? [];
    restored.delete(key);
    const parser = sensor.newParser();
    for (const h of headers) {
      try {
        parser.parse(h);
      } catch {
        // Priming is best effort; the record itself will report any problem.
      }
    }
    stream = { parser, fingerprint: sensor.fingerprint, headers };
    streams.delete(key);
    streams.set(key, stream);
    if (streams.size > MAX_STREAMS) streams.delete(streams.keys().next().value!);
    return stream;
  };

  const processRecord = (r: LogRecord, sensor: Sensor | undefined, out: StageOutput[], ctx: StageContext) => {
    if (sensor === undefined) {
      ctx.countError();
      sensorErrors.inc({ sensor: '', kind: 'config' });
      out.push(boundedErrorRecord(name, r, 'config', `no sensor reads raw topic ${r.topic}`, undefined));
      return;
    }
    const origin = r.headers[ORIGIN_HEADER]?.toString('utf8') ?? '';
    const stream = streamFor(`${r.topic}\u0000${r.partition}\u0000${origin}`, sensor);
    const raw = r.value.toString('utf8');
    const result = sensor.processLine(stream.parser, raw, r.timestamp);
    if (!result.ok) {
      ctx.countError();
      sensorErrors.inc({ sensor: sensor.name, kind: result.kind });
      out.push(boundedErrorRecord(name, r, result.kind, result.message, sensor.name));
      return;
    }
    if (result.events.length === 0) {
      stream.headers.push(raw);
      if (stream.headers.length > MAX_HEADER_LINES) stream.headers.shift();
      return;
    }
    // All of a line's events or none: an oversized one makes the line an error record.
    const values = result.events.map((event) => JSON.stringify(event));
    const tooBig = values.findIndex(
      (v) => v.length > MAX_OUTPUT_BYTES / 3 && Buffer.byteLength(v) > MAX_OUTPUT_BYTES,
    );
    if (tooBig !== -1) {
      ctx.countError();
      sensorErrors.inc({ sensor: sensor.name, kind: 'invalid' });
      const bytes = Buffer.byteLength(values[tooBig]!);
      const message = `event is ${bytes} bytes as JSON, over the ${MAX_OUTPUT_BYTES}-byte record limit`;
      out.push(boundedErrorRecord(name, r, 'invalid', message, sensor.name));
      return;
    }
    sensorEvents.inc({ sensor: sensor.name }, values.length);
    for (let i = 0; i < values.length; i++) {
      const event = result.events[i]!;
      // normalizeEvent guarantees a canonical @timestamp; the fallback only guards a future change.
      const eventTime = Date.parse(event['@timestamp'] as string);
      out.push({
        topic: sensor.outputTopic,
        key: outputKey(event),
        value: values[i]!,
        timestamp: Number.isFinite(eventTime) ? eventTime : r.timestamp,
      });
    }
  };

  return {
    name,
    get inputs() {
      return sensors.current.rawTopics();
    },
    get outputs() {
      return [...sensors.current.outputTopics(), ERRORS_TOPIC];
    },
    process(batch, ctx) {
      const set = sensors.current;
      const out: StageOutput[] = [];
      for (const r of batch) {
        try {
          processRecord(r, set.byRawTopic(r.topic), out, ctx);
        } catch (e) {
          // Nothing in processRecord should throw; if it does, the record is still kept.
          ctx.countError();
          out.push(
            boundedErrorRecord(
              name,
              r,
              'internal',
              e instanceof Error ? e.message : String(e),
              set.byRawTopic(r.topic)?.name,
            ),
          );
        }
      }
      return out;
    },
    snapshot() {
      const state: StateV1 = { v: 1, streams: [] };
      for (const [key, s] of streams) if (s.headers.length > 0) state.streams.push([key, s.headers]);
      for (const [key, headers] of restored) if (!streams.has(key)) state.streams.push([key, headers]);
      return Buffer.from(JSON.stringify(state));
    },
    restore(buf) {
      streams = new Map();
      restored = new Map();
      try {
        const state = JSON.parse(buf.toString('utf8')) as StateV1;
        if (state.v === 1) for (const [key, headers] of state.streams) restored.set(key, headers);
      } catch {
        // An unreadable snapshot only costs the stream headers; the records themselves are on the log.
      }
    },
  };
}
