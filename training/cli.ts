// `vigil train --spec FILE` and `vigil eval`: training and evaluation from the shell, with progress
// bars on a TTY and `--json` results for scripts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { openLog, resolveDataDir } from '../ingest/log/open.ts';
import { openRegistry } from '../models/registry.ts';
import { trainDefaultModel } from './default-model.ts';
import type { ThresholdPolicy } from './eval/evaluate.ts';
import { evaluateOnnxModel } from './evaluate-model.ts';
import { registerTrainingResult } from './register.ts';
import { type LoadedSpec, loadTrainingSpec, readsLog } from './spec.ts';
import { flatMetrics, runTraining, type TrainingProgress, writeTrainingArtifacts } from './train.ts';

const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

/** Phase lines and an epoch bar on stderr when it is a terminal; silent otherwise. */
function trainingProgress(enabled: boolean): { onProgress: (p: TrainingProgress) => void; stop(): void } {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return { onProgress() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  return {
    onProgress(p) {
      if (p.epoch !== undefined && p.epochs !== undefined) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: 'train [{bar}] epoch {value}/{total} | loss {loss}',
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.epochs, 0, { loss: '-' });
        }
        bar.update(p.epoch, { loss: p.loss?.toFixed(5) ?? '-' });
        return;
      }
      if (p.phase !== phase) {
        bar?.stop();
        bar = undefined;
        phase = p.phase;
        process.stderr.write(`${phase}…\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function policyFrom(o: {
  threshold?: number;
  targetFpr?: number;
  alertsPerDay?: number;
}): ThresholdPolicy | undefined {
  if (o.threshold !== undefined) return { kind: 'fixed', value: o.threshold };
  if (o.targetFpr !== undefined) return { kind: 'fpr', target: o.targetFpr };
  if (o.alertsPerDay !== undefined) return { kind: 'alerts-per-day', budget: o.alertsPerDay };
  return undefined;
}

/** Runs fn with the data dir's log opened when the spec reads a topic of it (closed after). */
async function withSpecLog<T>(loaded: LoadedSpec, dataDir: string, fn: () => Promise<T>): Promise<T> {
  if (!readsLog(loaded.spec)) return fn();
  loaded.log = await openLog(dataDir);
  try {
    return await fn();
  } finally {
    await loaded.log.close();
    loaded.log = undefined;
  }
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export function registerTrainCommands(program: Command): void {
  const dataDir = () => resolveDataDir((program.opts() as { dataDir?: string }).dataDir);

  program
    .command('train')
    .description('train a model from a YAML training spec, export it to ONNX, evaluate it and register it')
    .option('--spec <file>', 'training spec (YAML)')
    .option('--default-model', '(re)build the default anomaly model for `vigil serve` (network.src features)')
    .option('--out <dir>', 'also write model.onnx and model.json here')
    .option('--no-register', 'do not register the model in the data dir registry')
    .option('--name <name>', 'registry model name (default: the spec name)')
    .option('--alias <alias>', 'point this alias (e.g. challenger) at the new version')
    .option('--epochs <n>', 'override the spec epochs (TF.js families)', num('--epochs'))
    .option('--limit <n>', 'read only the first N source rows (quick runs)', num('--limit'))
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      if (!o.spec === !o.defaultModel)
        throw new InvalidArgumentError('give exactly one of --spec or --default-model');
      if (o.defaultModel) {
        const registry = o.register ? await openRegistry(dataDir()) : undefined;
        try {
          const m = await trainDefaultModel({
            registry,
            outDir: o.out ? path.resolve(o.out) : undefined,
            name: o.name,
          });
          if (registry && o.alias && m.version) {
            await registry.setAlias(m.name, o.alias, m.version.version, {
              who: 'vigil train',
              reason: 'trained',
            });
          }
          const summary = {
            name: m.name,
            version: m.version?.version,
            threshold: m.threshold,
            evaluation: m.evaluation,
            parityMaxAbsDiff: m.parityMaxAbsDiff,
          };
          process.stdout.write(
            o.json
              ? `${JSON.stringify(summary)}\n`
              : `${m.name}${m.version ? `:${m.version.version}` : ''}: AUROC ${m.evaluation.auroc.toFixed(4)} on held-out benign vs synthetic attack windows; threshold ${m.threshold.toPrecision(6)} (benign FPR ${m.evaluation.fprAtThreshold}); recall ${JSON.stringify(m.evaluation.recallByShape)}\n`,
          );
        } finally {
          await registry?.close();
        }
        return;
      }
      const loaded = loadTrainingSpec(o.spec);
      if (o.epochs !== undefined && 'epochs' in loaded.spec.model.params)
        loaded.spec.model.params.epochs = o.epochs;
      if (o.limit !== undefined) loaded.spec.source.limit = o.limit;
      const progress = trainingProgress(!o.json);
      let result: Awaited<ReturnType<typeof runTraining>>;
      try {
        result = await withSpecLog(loaded, dataDir(), () =>
          runTraining(loaded, { onProgress: progress.onProgress }),
        );
      } finally {
        progress.stop();
      }
      const files = o.out ? await writeTrainingArtifacts(result, path.resolve(o.out)) : undefined;
      let registered: { name: string; version: number; sha256: string } | undefined;
      if (o.register) {
        const registry = await openRegistry(dataDir());
        try {
          const v = await registerTrainingResult(registry, result, { name: o.name, alias: o.alias });
          registered = { name: v.name, version: v.version, sha256: v.sha256 };
        } finally {
          await registry.close();
        }
      }
      result.model.dispose();
      const summary = {
        name: result.spec.name,
        family: result.model.family,
        rows: result.rows,
        metrics: flatMetrics(result),
        threshold: result.threshold,
        confusion: result.evaluation?.atThreshold.confusion,
        parity: result.parity,
        timings: result.timings,
        registered,
        files,
      };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const e = result.evaluation;
      const lines = [
        `${summary.name} (${summary.family}): trained on ${result.rows.train} rows in ${(result.timings.trainMs / 1000).toFixed(1)} s`,
        e
          ? `test ${e.rows} rows: AUROC ${e.auroc.toFixed(4)}  PR-AUC ${e.prAuc.toFixed(4)}  accuracy ${pct(e.atThreshold.accuracy)}  precision ${pct(e.atThreshold.precision)}  recall ${pct(e.atThreshold.recall)}  F1 ${e.atThreshold.f1.toFixed(4)}`
          : 'no label: not evaluated',
        `threshold ${result.threshold.value.toPrecision(6)} (${JSON.stringify(result.threshold.policy)})${e ? `  FPR ${pct(e.atThreshold.fpr)}  alerts/day ${e.alertsPerDay.toFixed(1)}` : ''}`,
        e ? `confusion ${JSON.stringify(e.atThreshold.confusion)}` : '',
        `ONNX parity: max |onnxruntime − ${result.model.family === 'isolation-forest' || result.model.family === 'gradient-boosting' ? 'TS' : 'TF.js'}| = ${result.parity.maxAbsDiff.toExponential(2)} over ${result.parity.rows} rows`,
        registered
          ? `registered ${registered.name}:${registered.version}${o.alias ? ` (${o.alias})` : ''}`
          : '',
        files ? `wrote ${files.onnx} and ${files.json}` : '',
      ];
      process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
    });

  program
    .command('eval')
    .description("evaluate a registered model (or an ONNX file) on a training spec's test rows")
    .requiredOption('--spec <file>', 'training spec whose data and split to evaluate on')
    .option('--model <ref>', 'registry model: NAME, NAME@ALIAS or NAME:VERSION')
    .option(
      '--onnx <file>',
      'an ONNX file instead of a registry model (needs --artifact-json or model.json beside it)',
    )
    .option('--threshold <score>', 'fixed score threshold', num('--threshold'))
    .option(
      '--target-fpr <rate>',
      'choose the threshold for this false-positive rate on validation rows',
      num('--target-fpr'),
    )
    .option(
      '--alerts-per-day <n>',
      'choose the threshold for this daily alert budget',
      num('--alerts-per-day'),
    )
    .option('--record', 'store the evaluation on the model version in the registry')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      if (!o.model === !o.onnx) throw new InvalidArgumentError('give exactly one of --model or --onnx');
      const loaded = loadTrainingSpec(o.spec);
      let onnx: Uint8Array;
      let featureNames: string[];
      let ref: { name: string; version: number } | undefined;
      const registry = o.model ? await openRegistry(dataDir()) : undefined;
      try {
        if (registry) {
          const v = await registry.resolve(o.model);
          onnx = await registry.readArtifact(v);
          featureNames = v.signature.inputs.features.map((f) => f.name);
          ref = { name: v.name, version: v.version };
        } else {
          onnx = await readFile(o.onnx);
          const meta = JSON.parse(await readFile(path.join(path.dirname(o.onnx), 'model.json'), 'utf8'));
          featureNames = meta.encoding.featureNames;
        }
        const r = await withSpecLog(loaded, dataDir(), () =>
          evaluateOnnxModel(loaded, onnx, featureNames, policyFrom(o)),
        );
        if (o.record && registry && ref) {
          const e = r.evaluation;
          await registry.recordEvaluation(ref.name, ref.version, {
            metrics: {
              auroc: e.auroc,
              prAuc: e.prAuc,
              accuracy: e.atThreshold.accuracy,
              precision: e.atThreshold.precision,
              recall: e.atThreshold.recall,
              f1: e.atThreshold.f1,
              fpr: e.atThreshold.fpr,
              alertsPerDay: e.alertsPerDay,
              threshold: r.threshold.value,
            },
            dataset: path.resolve(o.spec),
            details: r,
            who: 'vigil eval',
          });
        }
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ model: ref ?? o.onnx, ...r })}\n`);
          return;
        }
        const e = r.evaluation;
        process.stdout.write(
          [
            `${ref ? `${ref.name}:${ref.version}` : o.onnx} on ${e.rows} test rows (${e.positives} malicious)`,
            `AUROC ${e.auroc.toFixed(4)}  PR-AUC ${e.prAuc.toFixed(4)}  precision@k ${JSON.stringify(e.precisionAtK)}`,
            `threshold ${r.threshold.value.toPrecision(6)} (${JSON.stringify(r.threshold.policy)}): accuracy ${pct(e.atThreshold.accuracy)}  precision ${pct(e.atThreshold.precision)}  recall ${pct(e.atThreshold.recall)}  F1 ${e.atThreshold.f1.toFixed(4)}  FPR ${pct(e.atThreshold.fpr)}`,
            `confusion ${JSON.stringify(e.atThreshold.confusion)}  alerts/day ${e.alertsPerDay.toFixed(1)} over ${e.days.toFixed(1)} days`,
            o.record && ref ? 'evaluation recorded in the registry' : '',
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      } finally {
        await registry?.close();
      }
    });
}
