// Sources as data: `sources: [{type, sensor, path|port, follow}]` in the vigil config.
import { z } from 'zod';
import { parseConfig } from '../../kernel/config.ts';
import type { EventLog } from '../log/types.ts';
import { FileSource } from './file-source.ts';
import { defaultRawTopic } from './raw-lines.ts';
import type { Source } from './source.ts';
import { StreamSource } from './stream-source.ts';
import { SyslogTcpSource } from './syslog-tcp-source.ts';
import { SyslogUdpSource } from './syslog-udp-source.ts';

const sensor = z.string().min(1);
const port = z.number().int().min(0).max(65535);
const host = z.string().min(1).optional();

export const fileSourceConfigSchema = z.strictObject({
  type: z.literal('file'),
  sensor,
  path: z.string().min(1),
  follow: z.boolean().default(false),
  pollMs: z.number().int().positive().default(250),
  startAt: z.enum(['beginning', 'end']).default('beginning'),
});

export const stdinSourceConfigSchema = z.strictObject({ type: z.literal('stdin'), sensor });

export const syslogUdpSourceConfigSchema = z.strictObject({
  type: z.literal('syslog-udp'),
  sensor,
  port,
  host,
});

export const syslogTcpSourceConfigSchema = z.strictObject({
  type: z.literal('syslog-tcp'),
  sensor,
  port,
  host,
  maxFrameBytes: z.number().int().positive().optional(),
});

export const sourceConfigSchema = z.discriminatedUnion('type', [
  fileSourceConfigSchema,
  stdinSourceConfigSchema,
  syslogUdpSourceConfigSchema,
  syslogTcpSourceConfigSchema,
]);

export const sourcesConfigSchema = z.looseObject({ sources: z.array(sourceConfigSchema).default([]) });

export type SourceConfig = z.output<typeof sourceConfigSchema>;
export type SourcesConfig = z.output<typeof sourcesConfigSchema>;

/** Parses the `sources` section of a YAML/JSON config; throws ConfigError with file:line:field. */
export function parseSourcesConfig(text: string, source = '<config>'): SourcesConfig {
  return parseConfig(text, sourcesConfigSchema, source);
}

export interface CreateSourcesOptions {
  /** The raw topic of a sensor (from the SensorRegistry); `raw.<sensor>` when absent or unknown. */
  rawTopicOf?: (sensor: string) => string | undefined;
}

/** Builds (does not start) one source per entry. */
export function createSources(
  config: SourcesConfig | readonly SourceConfig[],
  log: EventLog,
  options: CreateSourcesOptions = {},
): Source[] {
  const entries = Array.isArray(config)
    ? (config as readonly SourceConfig[])
    : (config as SourcesConfig).sources;
  return entries.map((entry) => createSource(entry, log, options));
}

export function createSource(entry: SourceConfig, log: EventLog, options: CreateSourcesOptions = {}): Source {
  const topic = options.rawTopicOf?.(entry.sensor) ?? defaultRawTopic(entry.sensor);
  const common = { log, sensor: entry.sensor, topic };
  switch (entry.type) {
    case 'file':
      return new FileSource({
        ...common,
        path: entry.path,
        follow: entry.follow,
        pollMs: entry.pollMs,
        startAt: entry.startAt,
      });
    case 'stdin':
      return new StreamSource(common);
    case 'syslog-udp':
      return new SyslogUdpSource({ ...common, port: entry.port, host: entry.host });
    case 'syslog-tcp':
      return new SyslogTcpSource({
        ...common,
        port: entry.port,
        host: entry.host,
        maxFrameBytes: entry.maxFrameBytes,
      });
  }
}

/** Starts every source; if one fails to start, the ones already started are stopped again. */
export async function startSources(sources: readonly Source[]): Promise<void> {
  const started: Source[] = [];
  try {
    for (const s of sources) {
      await s.start();
      started.push(s);
    }
  } catch (e) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw e;
  }
}

export async function stopSources(sources: readonly Source[]): Promise<void> {
  await Promise.allSettled(sources.map((s) => s.stop()));
}
