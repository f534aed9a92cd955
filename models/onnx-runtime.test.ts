import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { onnxAnomaly, onnxClassifier } from './reference-models.ts';
import { runtimeConformance } from './runtime-conformance.ts';

runtimeConformance({
  format: 'onnx',
  buildAnomaly: onnxAnomaly,
  buildClassifier: onnxClassifier,
  async writeToDisk(bytes, dir) {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, bytes);
    return file;
  },
});
