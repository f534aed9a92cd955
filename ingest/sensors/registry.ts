// The running sensor set. A new config is validated and compiled completely before it replaces the
// current one in a single assignment, so readers see the old set or the new one, never a mix, and a
// bad config changes nothing.
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { ConfigError, parseConfig } from '../../kernel/config.ts';
import { logger } from '../../kernel/logger.ts';
import { createParser } from '../parsers/registry.ts';
import type { Parser, VigilEvent } from '../parsers/types.ts';
import { normalizeEvent } from '../schema/normalize.ts';
import { parserOptionsFor, rawTopicOf, type SensorConfig, sensorsFileSchema } from './config.ts';
import { compileTransformations, type EventTransform } from './transform.ts';

export type LineResult =
  | { ok: true; events: VigilEvent[] }
  | { ok: false; kind: 'parse' | 'invalid' | 'internal'; message: string };

export class Sensor {
  readonly name: string;
  readonly rawTopic: string;
  readonly outputTopic: string;
  /** Hash of the config: equal fingerprints mean a reload left this sensor unchanged. */
  readonly fingerprint: string;
  private readonly parserOptions: Record<string, unknown>;
  private readonly transform: EventTransform | null;

  constructor(readonly config: SensorConfig) {
    this.name = config.name;
    this.rawTopic = rawTopicOf(config);
    this.outputTopic = config.outputTopic;
    this.fingerprint = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
    this.parserOptions = parserOptionsFor(config);
    this.transform = compileTransformations(config.transformations);
  }

  /** A fresh parser: stateful formats (Zeek TSV headers) need one per stream. */
  newParser(): Parser {
    return createParser(this.config.parser.format, this.parserOptions);
  }

  /**
   * One raw line through the parser, the transformations and normalization. Never throws.
   * `ingestedAt` must come from the input (the log record's timestamp) so a replay is identical.
   */
  processLine(parser: Parser, raw: string, ingestedAt: number): LineResult {
    let parsed: ReturnType<Parser['parse']>;
    try {
      parsed = parser.parse(raw);
    } catch (e) {
      return {
        ok: false,
        kind: 'parse',
        message: `${parser.format}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    if (!parsed.ok) return parsed;
    const events = parsed.events;
    const many = events.length > 1;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const where = many ? `event ${i + 1} of ${events.length}: ` : '';
      if (this.transform !== null) {
        const t = this.transform(event);
        if (!t.ok) return { ok: false, kind: 'invalid', message: `${where}${t.message}` };
      }
      try {
        const n = normalizeEvent(event, { sensor: this.name, raw, ingestedAt, index: i });
        if (!n.ok) return { ok: false, kind: 'invalid', message: `${where}${n.message}` };
      } catch (e) {
        return {
          ok: false,
          kind: 'internal',
          message: `${where}normalize: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
    }
    return { ok: true, events };
  }
}

/** An immutable set of sensors, one version of the config. */
export class SensorSet {
  private readonly byName: ReadonlyMap<string, Sensor>;
  private readonly byTopic: ReadonlyMap<string, Sensor>;

  constructor(
    readonly sensors: readonly Sensor[],
    readonly version: number,
    readonly source: string,
  ) {
    this.byName = new Map(sensors.map((s) => [s.name, s]));
    this.byTopic = new Map(sensors.map((s) => [s.rawTopic, s]));
  }

  get(name: string): Sensor | undefined {
    return this.byName.get(name);
  }

  byRawTopic(topic: string): Sensor | undefined {
    return this.byTopic.get(topic);
  }

  rawTopics(): string[] {
    return [...this.byTopic.keys()].sort();
  }

  outputTopics(): string[] {
    return [...new Set(this.sensors.map((s) => s.outputTopic))].sort();
  }
}

/** Validates and compiles a sensors file (`sensors: [...]`); throws ConfigError with file:line: field. */
export function compileSensors(text: string, source = '<sensors>', version = 1): SensorSet {
  const file = parseConfig(text, sensorsFileSchema, source);
  try {
    return new SensorSet(
      file.sensors.map((c) => new Sensor(c)),
      version,
      source,
    );
  } catch (e) {
    // The schema already built every parser and expression; this is a last line of defence.
    if (e instanceof ConfigError) throw e;
    const message = `${source}: ${e instanceof Error ? e.message : String(e)}`;
    throw new ConfigError(message, source, [{ path: '', message }]);
  }
}

export interface WatchOptions {
  /** How often the file's mtime is checked (fs.watchFile polling, robust across editors' renames). */
  intervalMs?: number;
  onReload?: (set: SensorSet) => void;
  onError?: (error: ConfigError | Error) => void;
}

export class SensorRegistry {
  private set: SensorSet;
  private readonly listeners = new Set<(set: SensorSet) => void>();

  constructor(initial?: SensorSet) {
    this.set = initial ?? new SensorSet([], 0, '<none>');
  }

  static fromText(text: string, source?: string): SensorRegistry {
    return new SensorRegistry(compileSensors(text, source));
  }

  static fromFile(path: string): SensorRegistry {
    return SensorRegistry.fromText(readFileSync(path, 'utf8'), path);
  }

  /** The current set; take it once per batch so one batch sees one version. */
  get current(): SensorSet {
    return this.set;
  }

  /** Replaces the set with a new config, or throws ConfigError and keeps the running one. */
  load(text: string, source = '<sensors>'): SensorSet {
    const next = compileSensors(text, source, this.set.version + 1);
    this.set = next;
    for (const listener of this.listeners) listener(next);
    return next;
  }

  loadFile(path: string): SensorSet {
    return this.load(readFileSync(path, 'utf8'), path);
  }

  onChange(listener: (set: SensorSet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reloads when the file changes; a bad edit is reported and the running config stays. */
  watchFile(path: string, options: WatchOptions = {}): () => void {
    const reload = (curr: { mtimeMs: number }, prev: { mtimeMs: number }) => {
      if (curr.mtimeMs === prev.mtimeMs || curr.mtimeMs === 0) return;
      try {
        const set = this.loadFile(path);
        logger.info({ path, version: set.version, sensors: set.sensors.length }, 'sensors: config reloaded');
        options.onReload?.(set);
      } catch (e) {
        logger.error(
          { path, err: e instanceof Error ? e.message : String(e) },
          'sensors: config rejected, keeping the running one',
        );
        options.onError?.(e as Error);
      }
    };
    watchFile(path, { interval: options.intervalMs ?? 1000, persistent: false }, reload);
    return () => unwatchFile(path, reload);
  }
}
