import { graphAnomaly, graphClassifier, layersAnomaly, layersClassifier } from './reference-models.ts';
import { runtimeConformance } from './runtime-conformance.ts';
import { writeTfjsDirectory } from './tfjs-runtime.ts';

runtimeConformance({
  format: 'tfjs-layers',
  buildAnomaly: layersAnomaly,
  buildClassifier: layersClassifier,
  writeToDisk: writeTfjsDirectory,
});

runtimeConformance({
  format: 'tfjs-graph',
  buildAnomaly: graphAnomaly,
  buildClassifier: graphClassifier,
  writeToDisk: writeTfjsDirectory,
});
