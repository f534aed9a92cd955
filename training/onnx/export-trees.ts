// Tree ensembles → ONNX through ai.onnx.ml TreeEnsembleRegressor. Isolation forest: each leaf holds
// its path length / T, so the sum is the mean path length E[h(x)], and plain ops turn it into
// 2^(-E[h]/c(psi)) = exp(-E[h]·ln2/c). Gradient boosting: the sum of leaf values plus the base
// log-odds, then Sigmoid.
import type { GradientBoostingModel } from '../families/gradient-boosting.ts';
import { type IsolationForestModel, isolationNormaliser } from '../families/isolation-forest.ts';
import { type Attr, OnnxGraphBuilder } from './builder.ts';

export interface ExportOptions {
  inputName?: string;
  outputName?: string;
  metadata?: Record<string, string>;
}

interface FlatTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Output of each node (read for leaves only). */
  leafWeight: number[];
}

/** The node and target attributes of a single-target TreeEnsembleRegressor (aggregate SUM). */
export function treeEnsembleAttributes(trees: FlatTree[]): Record<string, Attr> {
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
  };
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const target = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    ids: [] as number[],
    weights: [] as number[],
  };
  trees.forEach((tree, ti) => {
    for (let i = 0; i < tree.feature.length; i++) {
      const leaf = tree.feature[i]! < 0;
      n.treeIds.push(ti);
      n.nodeIds.push(i);
      n.featureIds.push(leaf ? 0 : tree.feature[i]!);
      n.values.push(leaf ? 0 : tree.threshold[i]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      trueIds.push(leaf ? 0 : tree.left[i]!);
      falseIds.push(leaf ? 0 : tree.right[i]!);
      if (leaf) {
        target.treeIds.push(ti);
        target.nodeIds.push(i);
        target.ids.push(0);
        target.weights.push(tree.leafWeight[i]!);
      }
    }
  });
  return {
    n_targets: { int: 1 },
    aggregate_function: { string: 'SUM' },
    post_transform: { string: 'NONE' },
    nodes_treeids: { ints: n.treeIds },
    nodes_nodeids: { ints: n.nodeIds },
    nodes_featureids: { ints: n.featureIds },
    nodes_values: { floats: n.values },
    nodes_modes: { strings: modes },
    nodes_truenodeids: { ints: trueIds },
    nodes_falsenodeids: { ints: falseIds },
    target_treeids: { ints: target.treeIds },
    target_nodeids: { ints: target.nodeIds },
    target_ids: { ints: target.ids },
    target_weights: { floats: target.weights },
  };
}

export function exportIsolationForest(model: IsolationForestModel, opts: ExportOptions = {}): Uint8Array {
  const inputName = opts.inputName ?? 'features';
  const outputName = opts.outputName ?? 'score';
  const b = new OnnxGraphBuilder('vigil_isolation_forest');
  b.input(inputName, ['N', model.inputDim]);
  const t = model.trees.length;
  const meanPath = b.node('TreeEnsembleRegressor', [inputName], {
    domain: 'ai.onnx.ml',
    attrs: treeEnsembleAttributes(
      model.trees.map((tree) => ({ ...tree, leafWeight: tree.pathLength.map((p) => p / t) })),
    ),
  });
  const k = b.floats('neg_ln2_over_c', [-Math.LN2 / isolationNormaliser(model)], [1]);
  const score2d = b.node('Exp', [b.node('Mul', [meanPath, k])]);
  b.node('Reshape', [score2d, b.int64s('flat_shape', [-1], [1])], { outputs: [outputName] });
  b.output(outputName, ['N']);
  return b.toBytes({
    doc: 'Vigil isolation forest: anomaly score in (0,1], higher is more anomalous',
    metadata: { 'vigil.family': 'isolation-forest', ...opts.metadata },
  });
}

/** Gradient-boosted trees → ONNX: TreeEnsembleRegressor (sum of leaf values + base) then Sigmoid. */
export function exportGradientBoosting(model: GradientBoostingModel, opts: ExportOptions = {}): Uint8Array {
  const inputName = opts.inputName ?? 'features';
  const outputName = opts.outputName ?? 'score';
  const b = new OnnxGraphBuilder('vigil_gradient_boosting');
  b.input(inputName, ['N', model.inputDim]);
  const attrs = treeEnsembleAttributes(model.trees.map((t) => ({ ...t, leafWeight: t.value })));
  const logit = b.node('TreeEnsembleRegressor', [inputName], {
    domain: 'ai.onnx.ml',
    attrs: { ...attrs, base_values: { floats: [model.base] } },
  });
  b.node('Reshape', [b.node('Sigmoid', [logit]), b.int64s('flat_shape', [-1], [1])], {
    outputs: [outputName],
  });
  b.output(outputName, ['N']);
  return b.toBytes({
    doc: 'Vigil gradient-boosted trees: P(malicious)',
    metadata: { 'vigil.family': 'gradient-boosting', ...opts.metadata },
  });
}
