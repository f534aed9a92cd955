// Appending raw lines to a sensor's raw topic: the one write path every source shares, and the
// function the API mounts as its HTTP batch endpoint.
import type { EventLog, ProducerRecord } from '../log/types.ts';
import { DEFAULT_MAX_LINE_BYTES } from './line-splitter.ts';

/** The raw topic of a sensor when its config names none. */
export const defaultRawTopic = (sensor: string): string => `raw.${sensor}`;

/** Records per append call: large enough to amortize the call, small enough to bound memory. */
export const APPEND_BATCH = 2000;

/** Header naming where a raw line came from (file path, syslog peer, `stdin`, `http`). */
export const ORIGIN_HEADER = 'origin';

export function rawRecords(
  lines: readonly (Buffer | string)[],
  origin: string,
  at: number,
): ProducerRecord[] {
  const headers = { [ORIGIN_HEADER]: origin };
  // Keyed by origin so one origin's lines stay in order on one partition.
  return lines.map((value) => ({ key: origin, value, timestamp: at, headers }));
}

/** Appends lines (each one record) in bounded batches; receive time is the record timestamp. */
export async function appendRawLines(
  log: EventLog,
  topic: string,
  lines: readonly (Buffer | string)[],
  origin: string,
  at: number = Date.now(),
): Promise<number> {
  for (let i = 0; i < lines.length; i += APPEND_BATCH) {
    await log.append(topic, rawRecords(lines.slice(i, i + APPEND_BATCH), origin, at));
  }
  return lines.length;
}

export interface IngestLinesOptions {
  /** The sensor's raw topic when it is not `raw.<sensor>` (look it up in the SensorRegistry). */
  rawTopic?: string;
  origin?: string;
}

export interface IngestLinesResult {
  topic: string;
  accepted: number;
  /** Blank entries, skipped as every source skips blank lines. */
  skipped: number;
}

/** A batch line over the size limit: the whole batch is refused (HTTP 413), nothing appended. */
export class LineTooLongError extends RangeError {
  constructor(
    readonly index: number,
    readonly bytes: number,
  ) {
    super(
      `line ${index + 1} is ${bytes} bytes, over the ${DEFAULT_MAX_LINE_BYTES}-byte limit; nothing was appended`,
    );
    this.name = 'LineTooLongError';
  }
}

/**
 * The HTTP batch endpoint's body: appends each entry as one raw line. An entry holding newlines is
 * split so one record is always one line, as from every other source. Throws LineTooLongError
 * (before appending anything) when a line is longer than sources accept.
 */
export async function ingestLines(
  log: EventLog,
  sensor: string,
  lines: readonly (string | Buffer)[],
  options: IngestLinesOptions = {},
): Promise<IngestLinesResult> {
  const topic = options.rawTopic ?? defaultRawTopic(sensor);
  const kept: (string | Buffer)[] = [];
  let skipped = 0;
  for (const entry of lines) {
    // Buffers go through latin1, which maps bytes 1:1, so their bytes reach the log unchanged.
    const binary = typeof entry !== 'string';
    const text = binary ? entry.toString('latin1') : entry;
    for (const part of text.split('\n')) {
      const line = part.endsWith('\r') ? part.slice(0, -1) : part;
      if (line.length === 0) {
        skipped++;
        continue;
      }
      const bytes = binary ? line.length : Buffer.byteLength(line);
      if (bytes > DEFAULT_MAX_LINE_BYTES) throw new LineTooLongError(kept.length + skipped, bytes);
      kept.push(binary ? Buffer.from(line, 'latin1') : line);
    }
  }
  await log.ensureTopic(topic);
  await appendRawLines(log, topic, kept, options.origin ?? 'http');
  return { topic, accepted: kept.length, skipped };
}
