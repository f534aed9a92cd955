// Sources: raw lines from files, stdin, syslog and HTTP batches onto sensors' raw topics.
export {
  type CreateSourcesOptions,
  createSource,
  createSources,
  parseSourcesConfig,
  type SourceConfig,
  type SourcesConfig,
  sourceConfigSchema,
  sourcesConfigSchema,
  startSources,
  stopSources,
} from './config.ts';
export { type FilePosition, FileSource, type FileSourceOptions, filePositionGroup } from './file-source.ts';
export {
  appendRawLines,
  defaultRawTopic,
  type IngestLinesResult,
  ingestLines,
  ORIGIN_HEADER,
} from './raw-lines.ts';
export type { Source, SourceProgress } from './source.ts';
export { StreamSource, type StreamSourceOptions } from './stream-source.ts';
export { SyslogTcpSource, type SyslogTcpSourceOptions } from './syslog-tcp-source.ts';
export { SyslogUdpSource, type SyslogUdpSourceOptions } from './syslog-udp-source.ts';
