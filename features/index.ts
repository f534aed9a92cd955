// The features stage's public surface: profiles as data, the profiler stage, the profile store and
// its CEL provider, replay, and the versioned feature schemas models are checked against.
export {
  type Aggregation,
  type AggregationSpec,
  bloomContains,
  createAggregation,
} from './aggregations/index.ts';
export { registerReplayCommand } from './cli.ts';
export { networkProfiles } from './network-profiles.ts';
export {
  type CompiledProfiles,
  compileProfiles,
  loadProfilesConfig,
  type ProfilesConfig,
  parseProfilesConfig,
} from './profile-config.ts';
export { createProfileStoreStage, installProfileProvider, ProfileStore } from './profile-store.ts';
export {
  ALERTS_TOPIC,
  FEATURES_TOPIC,
  LATE_TOPIC,
  PROFILES_TOPIC,
  Profiler,
  type ProfileValueRecord,
} from './profiler.ts';
export { profileRetention, watchProfilesFile } from './reload.ts';
export { type ReplayOptions, type ReplayStats, replayTopic } from './replay.ts';
export {
  assertFeatureSchema,
  BUILTIN_FEATURE_SCHEMAS,
  type FeatureSchema,
  FeatureSchemaMismatch,
  type FeatureVector,
  featureArray,
  NETWORK_PAIR_FEATURES,
  NETWORK_SOURCE_FEATURES,
} from './schema.ts';
export { createProfilerStage, type ProfilerStage, type ProfilerStageOptions } from './stage.ts';
