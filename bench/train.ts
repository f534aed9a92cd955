// `npm run bench -- train [--rows N] [--full]`: training time and rows/s per model family on a
// generated flow table (CSV read through DuckDB), beside the data-prep rate and the ONNX scoring
// rate of the same model measured in the same run. `--full` also runs the committed real-data specs
// (training/specs/*.yaml, needs ../shared/data) with their full epochs and prints their figures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode, fitEncoding } from '../training/data/encode.ts';
import { loadSource } from '../training/data/source.ts';
import { onnxScores } from '../training/onnx/parity.ts';
import { createRng } from '../training/random.ts';
import { loadTrainingSpec, type TrainingSpecInput, trainingSpec } from '../training/spec.ts';
import { flatMetrics, runTraining } from '../training/train.ts';

const args = process.argv.slice(2);
const rows = Number(args[args.indexOf('--rows') + 1]) || 200_000;
const full = args.includes('--full');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function flows(n: number): string {
  const rng = createRng(1);
  const out = ['ts,proto,bytes_out,bytes_in,conns,failed_ratio,duration,label'];
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const a = rng.next() < 0.1;
    out.push(
      [
        new Date(t0 + i * 1000).toISOString(),
        a ? 'icmp' : rng.next() < 0.8 ? 'tcp' : 'udp',
        Math.round((a ? 50 : 2000) * Math.exp(rng.next() * 2)),
        Math.round((a ? 20 : 30000) * Math.exp(rng.next() * 2)),
        Math.round((a ? 200 : 10) * (0.5 + rng.next())),
        ((a ? 0.5 : 0.02) * rng.next()).toFixed(4),
        (rng.next() * 100).toFixed(2),
        a ? 'attack' : 'normal',
      ].join(','),
    );
  }
  return `${out.join('\n')}\n`;
}

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-train-'));
try {
  writeFileSync(path.join(dir, 'flows.csv'), flows(rows));
  const features = {
    numeric: ['bytes_out', 'bytes_in', 'conns', 'failed_ratio', 'duration'],
    categorical: ['proto'],
    log1p: ['bytes_out', 'bytes_in', 'conns', 'duration'],
  };
  console.log(
    `training benchmark: ${rows.toLocaleString()} generated flow rows, ${features.numeric.length} numeric + 1 categorical column`,
  );

  // baseline: DuckDB read + arquero vocabulary + encoding alone
  let t = performance.now();
  const cols = await loadSource({ path: 'flows.csv', header: true }, dir, {
    numeric: features.numeric,
    text: ['proto', 'label'],
  });
  const enc = fitEncoding(
    cols,
    trainingSpec({ name: 'b', source: { path: 'x' }, features, model: { family: 'isolation-forest' } })
      .features,
  );
  encode(cols, enc);
  const prepMs = performance.now() - t;
  console.log(
    `data prep (DuckDB CSV read + one-hot encode): ${prepMs.toFixed(0)} ms, ${Math.round(rows / (prepMs / 1000)).toLocaleString()} rows/s`,
  );

  const families: [string, TrainingSpecInput['model'], Partial<TrainingSpecInput>][] = [
    [
      'isolation-forest (100 trees, psi 256)',
      { family: 'isolation-forest', params: { trees: 100, sampleSize: 256 } },
      { trainOn: 'negatives' },
    ],
    [
      'autoencoder [16,4,16], 3 epochs',
      { family: 'autoencoder', params: { hidden: [16, 4, 16], epochs: 3, batchSize: 256 } },
      { trainOn: 'negatives' },
    ],
    ['mlp [32,16], 3 epochs', { family: 'mlp', params: { hidden: [32, 16], epochs: 3, batchSize: 256 } }, {}],
    [
      'gradient-boosting (50 trees, depth 4)',
      { family: 'gradient-boosting', params: { trees: 50, maxDepth: 4 } },
      {},
    ],
  ];
  console.log(
    '\nfamily                                  train ms   train rows/s   row-epochs/s   ONNX score rows/s   TS/TF.js score rows/s   AUROC',
  );
  for (const [label, model, extra] of families) {
    const spec = trainingSpec({
      name: 'bench',
      source: { path: 'flows.csv' },
      timestamp: 'ts',
      features,
      label: { column: 'label', negative: ['normal'] },
      split: { kind: 'time', testFraction: 0.2 },
      clip: 10,
      model,
      seed: 1,
      ...extra,
    });
    const r = await runTraining({ spec, baseDir: dir }, { checkParity: false });
    const epochs = 'epochs' in r.spec.model.params ? r.spec.model.params.epochs : 1;
    const xm = encode(cols, r.encoding); // the model's own vocabulary (benign-only for anomaly families)
    t = performance.now();
    await onnxScores(r.onnx, xm);
    const onnxRate = rows / ((performance.now() - t) / 1000);
    t = performance.now();
    await r.model.score(xm);
    const refRate = rows / ((performance.now() - t) / 1000);
    const trainRate = r.rows.train / (r.timings.trainMs / 1000);
    console.log(
      `${label.padEnd(38)} ${r.timings.trainMs.toFixed(0).padStart(9)} ${Math.round(trainRate).toLocaleString().padStart(14)} ${Math.round(
        trainRate * epochs,
      )
        .toLocaleString()
        .padStart(
          14,
        )} ${Math.round(onnxRate).toLocaleString().padStart(19)} ${Math.round(refRate).toLocaleString().padStart(23)}   ${r.evaluation!.auroc.toFixed(4)}`,
    );
    r.model.dispose();
  }

  if (full) {
    console.log('\nreal-data runs (committed specs, full epochs):');
    for (const name of ['nsl-kdd-mlp', 'nsl-kdd-gbt', 'nsl-kdd-autoencoder', 'dga-char-mlp']) {
      const loaded = loadTrainingSpec(path.join(repoRoot, 'training/specs', `${name}.yaml`));
      const r = await runTraining(loaded);
      const m = flatMetrics(r);
      const e = r.evaluation!;
      console.log(
        `${name}: train ${r.rows.train} rows in ${(r.timings.trainMs / 1000).toFixed(1)} s; test ${r.rows.test} rows: accuracy ${(m.accuracy! * 100).toFixed(2)}% ` +
          `AUROC ${e.auroc.toFixed(4)} PR-AUC ${e.prAuc.toFixed(4)} precision ${e.atThreshold.precision.toFixed(4)} recall ${e.atThreshold.recall.toFixed(4)} ` +
          `F1 ${e.atThreshold.f1.toFixed(4)} FPR ${e.atThreshold.fpr.toFixed(4)} threshold ${r.threshold.value.toPrecision(4)} ${JSON.stringify(r.threshold.policy)}; ` +
          `confusion ${JSON.stringify(e.atThreshold.confusion)}; ONNX parity ${r.parity.maxAbsDiff.toExponential(2)}`,
      );
      r.model.dispose();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
