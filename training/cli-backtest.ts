// `vigil backtest` and `vigil dataset`: backtests of a model version (beside the champion) or a rule
// set over a range of the log or the archived history, and training sets materialized by replay.
// Progress bars on a TTY (stderr); `--json` prints one JSON document for scripts.
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseBound } from '../features/cli.ts';
import { loadProfilesConfig, type ProfilesConfig, parseProfilesConfig } from '../features/profile-config.ts';
import type { RangeBound } from '../features/replay.ts';
import { printTable } from '../ingest/cli/log-commands.ts';
import { type Progress, progressBar } from '../ingest/cli/progress.ts';
import { openLog, resolveDataDir } from '../ingest/log/open.ts';
import { openRegistry } from '../models/registry.ts';
import { type BacktestReport, type BacktestSource, backtest } from './backtest/backtest.ts';
import { historyRoot } from './history/history.ts';
import { loadIndicatorList, loadLabelFile } from './labels/label-file.ts';
import type { LabelSource } from './labels/labeler.ts';
import { readVerdicts, VERDICTS_TOPIC } from './labels/verdicts.ts';
import { materializeTrainingSet, type TrainingSetSummary } from './replay/materialize.ts';

/** A progress bar that may be stopped more than once (before printing, and in `finally`). */
function once(bar: Progress): Progress {
  let stopped = false;
  return {
    update: (done, total) => {
      if (!stopped) bar.update(done, total);
    },
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

/** The built-in network profiles, used when no --profiles file is given. */
const BUILTIN_PROFILES = 'builtin: [network]\nbuiltinWindow: 5m\n';

function profilesFrom(file: string | undefined): ProfilesConfig {
  return file
    ? loadProfilesConfig(file)
    : parseProfilesConfig(BUILTIN_PROFILES, '<built-in network profiles>');
}

const pct = (x: number | undefined) => (x === undefined ? '' : `${(100 * x).toFixed(1)}%`);
const mins = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 60_000).toFixed(1)}m`);

function printReport(report: BacktestReport): void {
  process.stdout.write(
    `backtest on ${report.dataset}${report.range ? ` (${new Date(report.range.start).toISOString()} → ${new Date(report.range.end).toISOString()})` : ''}\n\n`,
  );
  printTable(
    ['run', 'inputs', 'alerts', 'alerts/h', 'hits', 'precision', 'recall', 'ttd (median)', 'auroc'],
    report.runs.map((r) => [
      `${r.role}: ${r.name}`,
      String(r.inputs),
      String(r.alerts),
      r.meanAlertsPerHour.toFixed(1),
      r.hits === undefined ? '' : String(r.hits),
      pct(r.precision),
      pct(r.recall),
      mins(r.timeToDetectMs?.median),
      r.auroc === undefined ? '' : r.auroc.toFixed(3),
    ]),
  );
  const scenarios = [...new Set(report.runs.flatMap((r) => Object.keys(r.scenarios ?? {})))].sort();
  if (scenarios.length > 0) {
    process.stdout.write('\nper scenario (detected/episodes, time to first alert):\n');
    printTable(
      ['scenario', ...report.runs.map((r) => r.role)],
      scenarios.map((s) => [
        s,
        ...report.runs.map((r) => {
          const x = r.scenarios?.[s];
          return x
            ? `${x.detected}/${x.episodes}${x.timeToDetectMs ? ` in ${mins(x.timeToDetectMs.median)}` : ''}`
            : '';
        }),
      ]),
    );
  }
  process.stdout.write('\nalerts per hour:\n');
  const hours = [...new Set(report.runs.flatMap((r) => Object.keys(r.alertsPerHour)))].sort();
  printTable(
    ['hour', ...report.runs.map((r) => r.role)],
    hours.map((h) => [h, ...report.runs.map((r) => String(r.alertsPerHour[h] ?? 0))]),
  );
  if (report.out)
    process.stdout.write(`\nalerts and report in ${report.out} (nothing was written to the live topics)\n`);
}

function timeOf(b: RangeBound | undefined, flag: string): number | undefined {
  if (b === undefined) return undefined;
  if ('offset' in b)
    throw new InvalidArgumentError(
      `${flag}: the history is read by time (ISO-8601 or @epochMs), not by offset`,
    );
  return b.time;
}

interface BacktestCliOptions {
  model?: string;
  rules?: string;
  from?: RangeBound;
  to?: RangeBound;
  labels?: string;
  source: 'log' | 'history' | 'replay';
  topic?: string;
  profiles?: string;
  compareWith: string;
  compareRules?: string;
  out?: string;
  dataset?: string;
  record: boolean;
  json?: boolean;
}

interface DatasetCliOptions {
  topic: string;
  from?: RangeBound;
  to?: RangeBound;
  labels?: string;
  indicators?: string;
  verdicts?: string | boolean;
  labelColumn?: string;
  profiles?: string;
  profile?: string;
  out: string;
  json?: boolean;
}

export function registerBacktestCommands(program: Command): void {
  const dataDirOf = () => resolveDataDir((program.opts() as { dataDir?: string }).dataDir);

  program
    .command('backtest')
    .description(
      'run a model version (beside the champion) or a triage/Sigma rule set over history; writes no live alerts',
    )
    .option('--model <ref>', 'model NAME@ALIAS or NAME:VERSION')
    .option('--rules <file>', 'a triage/Sigma (enrich) config to backtest instead of a model')
    .option('--from <offset|time>', 'start: an offset, an ISO-8601 time or @epochMs', parseBound)
    .option('--to <offset|time>', 'end, exclusive', parseBound)
    .option(
      '--labels <file>',
      'labels: JSON lines or CSV of (entity, start, end, label), or the simulator ground truth',
    )
    .addOption(
      new Option(
        '--source <where>',
        'models: the features topic on the log, the archived history, or events replayed through profiles',
      )
        .choices(['log', 'history', 'replay'])
        .default('log'),
    )
    .option(
      '--topic <topic>',
      'input topic (default: features; --rules: events; --source replay: events.enriched)',
    )
    .option('--profiles <file>', '--source replay: profiles config (default: the built-in network profiles)')
    .option(
      '--compare-with <alias>',
      'the alias (or NAME:VERSION) to run side by side; "none" to skip',
      'champion',
    )
    .option('--compare-rules <file>', 'rules: a second rule set to run side by side (e.g. the live one)')
    .option('--out <dir>', 'scratch dir for the alerts and report (default: <data-dir>/backtests/<time>)')
    .option('--dataset <name>', 'name of the data range, recorded with the result')
    .option('--no-record', 'do not store the result on the model versions')
    .option('--json', 'print the report as JSON')
    .action(async (opts: BacktestCliOptions) => {
      if ((opts.model === undefined) === (opts.rules === undefined))
        throw new InvalidArgumentError('give exactly one of --model or --rules');
      const dataDir = dataDirOf();
      const labels = opts.labels ? loadLabelFile(opts.labels) : undefined;
      const out = opts.out ?? join(dataDir, 'backtests', new Date().toISOString().replaceAll(':', '-'));
      const needsLog = opts.rules !== undefined || opts.source !== 'history';
      const log = needsLog ? await openLog(dataDir) : null;
      const registry = opts.model !== undefined ? await openRegistry(dataDir) : undefined;
      const bar = once(progressBar('backtest', 'records'));
      try {
        let source: BacktestSource;
        if (opts.rules !== undefined)
          source = { kind: 'events', log: log!, topic: opts.topic ?? 'events', from: opts.from, to: opts.to };
        else if (opts.source === 'history')
          source = {
            kind: 'history',
            root: historyRoot(dataDir),
            from: timeOf(opts.from, '--from'),
            to: timeOf(opts.to, '--to'),
          };
        else if (opts.source === 'replay')
          source = {
            kind: 'replay',
            log: log!,
            topic: opts.topic ?? 'events.enriched',
            profiles: profilesFrom(opts.profiles),
            from: opts.from,
            to: opts.to,
          };
        else
          source = {
            kind: 'features',
            log: log!,
            topic: opts.topic ?? 'features',
            from: opts.from,
            to: opts.to,
          };
        const report = await backtest({
          source,
          model: opts.model,
          rules: opts.rules,
          registry,
          compareWith: opts.compareWith === 'none' ? null : opts.compareWith,
          compareRules: opts.compareRules,
          labels,
          out,
          record: opts.record,
          dataset: opts.dataset,
          who: process.env.USER ?? 'cli',
          onProgress: (p) => bar.update(p.records, p.total),
        });
        bar.stop();
        if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else printReport(report);
      } finally {
        bar.stop();
        await registry?.close();
        await log?.close();
      }
    });

  program
    .command('dataset')
    .description(
      'materialize a training set (Parquet) by replaying a topic range through the profiles, with labels joined',
    )
    .requiredOption('--topic <topic>', 'events topic to replay (e.g. events.enriched)')
    .option('--from <offset|time>', 'start: an offset, an ISO-8601 time or @epochMs', parseBound)
    .option('--to <offset|time>', 'end, exclusive', parseBound)
    .option(
      '--labels <file>',
      'label file: (entity, start, end, label) JSON lines/CSV, or the simulator ground truth',
    )
    .option(
      '--indicators <file>',
      'indicator list (one per line, or intel.csv): listed entities are positive',
    )
    .option('--verdicts [topic]', `join analyst verdicts from this topic (default ${VERDICTS_TOPIC})`)
    .option(
      '--label-column <cel>',
      'CEL predicate over events: a window is positive when any of its events matches',
    )
    .option('--profiles <file>', 'profiles config (default: the built-in network profiles)')
    .option('--profile <name>', 'the profile whose feature vectors become rows (default: the first)')
    .requiredOption('--out <file>', 'Parquet file to write')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: DatasetCliOptions) => {
      const dataDir = dataDirOf();
      const profiles = profilesFrom(opts.profiles);
      const log = await openLog(dataDir);
      const bar = once(progressBar('dataset', 'events', 1));
      try {
        const labels: LabelSource[] = [];
        if (opts.labels) labels.push({ kind: 'intervals', intervals: loadLabelFile(opts.labels) });
        if (opts.indicators)
          labels.push({ kind: 'indicators', indicators: loadIndicatorList(opts.indicators) });
        if (opts.verdicts) {
          const topic = typeof opts.verdicts === 'string' ? opts.verdicts : VERDICTS_TOPIC;
          const { verdicts, skipped } = await readVerdicts(log, topic);
          if (skipped > 0)
            process.stderr.write(`${skipped} unreadable or undecided verdicts on ${topic} skipped\n`);
          labels.push({ kind: 'verdicts', verdicts });
        }
        if (opts.labelColumn) labels.push({ kind: 'column', expr: opts.labelColumn });
        const summary: TrainingSetSummary = await materializeTrainingSet({
          log,
          topic: opts.topic,
          from: opts.from,
          to: opts.to,
          profiles,
          profile: opts.profile,
          labels,
          out: opts.out,
          onProgress: (p) => bar.update(p.events, Math.max(1, p.total)),
        });
        bar.stop();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        const rate = summary.elapsedMs > 0 ? Math.round((summary.events / summary.elapsedMs) * 1000) : 0;
        process.stdout.write(
          `wrote ${summary.rows} rows (${summary.featureSchema.name}@${summary.featureSchema.version}, ${summary.columns.length} columns) to ${summary.out}\n` +
            `labels: ${summary.labelled} labelled, ${summary.positives} positive${Object.keys(summary.byScenario).length ? ` ${JSON.stringify(summary.byScenario)}` : ''}\n` +
            `replayed ${summary.events} events from ${opts.topic} in ${(summary.elapsedMs / 1000).toFixed(2)}s (${rate} events/s)\n`,
        );
      } finally {
        bar.stop();
        await log.close();
      }
    });
}
