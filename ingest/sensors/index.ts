// Sensors: configuration as data, the registry that reloads it, and the parse stage that applies it.
export {
  DEFAULT_OUTPUT_TOPIC,
  parserOptionsFor,
  rawTopicOf,
  type SensorConfig,
  sensorConfigSchema,
  sensorsFileSchema,
  type Transformation,
} from './config.ts';
export { createIngest, type IngestComponents, type IngestOptions } from './ingest-components.ts';
export { defaultSensorsText, type LoadedSensors, loadSensors, loadSources } from './load.ts';
export { ParseService } from './parse-service.ts';
export { createParseStage, PARSE_STAGE, type ParseStageOptions } from './parse-stage.ts';
export {
  compileSensors,
  type LineResult,
  Sensor,
  SensorRegistry,
  SensorSet,
  type WatchOptions,
} from './registry.ts';
export { compileTransformations, type EventTransform } from './transform.ts';
