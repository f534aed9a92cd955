// `vigil eval`: scores an ONNX model (a registry version or an artifact file) with onnxruntime on a
// spec's test rows — split exactly as training split them — and reports the evaluation.
import { encode, encodingFromFeatureNames } from './data/encode.ts';
import { chooseThreshold, type EvaluationReport, evaluate, type ThresholdPolicy } from './eval/evaluate.ts';
import { spanDays } from './eval/metrics.ts';
import { onnxScores } from './onnx/parity.ts';
import type { LoadedSpec } from './spec.ts';
import { type Dataset, loadDataset } from './train.ts';

export interface ModelEvaluation {
  threshold: { value: number; policy: ThresholdPolicy };
  evaluation: EvaluationReport;
  rows: { validation: number; test: number };
}

export async function evaluateOnnxModel(
  loaded: LoadedSpec,
  onnx: Uint8Array,
  featureNames: string[],
  policy?: ThresholdPolicy,
  preloaded?: Dataset,
): Promise<ModelEvaluation> {
  const { spec } = loaded;
  if (!spec.label) throw new Error('evaluation needs a labeled spec (label: ...)');
  const encoding = encodingFromFeatureNames(spec.features, featureNames);
  const data = preloaded ?? (await loadDataset(loaded));
  const chosen: ThresholdPolicy =
    policy ??
    spec.threshold ??
    (spec.model.family === 'mlp' || spec.model.family === 'gradient-boosting'
      ? { kind: 'fixed', value: 0.5 }
      : { kind: 'fpr', target: 0.01 });
  let threshold: number;
  if (chosen.kind === 'fixed') threshold = chosen.value;
  else {
    const cal = data.validation.rows.length > 0 ? data.validation : data.train;
    const calScores = await onnxScores(onnx, encode(cal.columns, encoding, cal.rows));
    const t = data.timesOf(cal);
    const days = t ? spanDays(t) : (spec.testDays ?? 1);
    threshold = chooseThreshold(chosen, calScores, data.labelsOf(cal), days);
  }
  const scores = await onnxScores(onnx, encode(data.test.columns, encoding, data.test.rows));
  const evaluation = evaluate(scores, data.labelsOf(data.test)!, {
    threshold,
    timestamps: data.timesOf(data.test),
    days: spec.testDays,
  });
  return {
    threshold: { value: threshold, policy: chosen },
    evaluation,
    rows: { validation: data.validation.rows.length, test: data.test.rows.length },
  };
}
