// `vigil simulate`: synthetic Zeek telemetry with labelled attacks, to files (--out DIR) or into the
// data dir's log (--to-log, fast over the span, or --live paced by the wall clock until Ctrl-C).
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfigFile } from '../../kernel/config.ts';
import {
  liveDemoConfig,
  resolveSimulatorConfig,
  type SimulatorConfig,
  selectScenarios,
  simulatorConfigSchema,
} from '../simulator/config.ts';
import { parseDuration } from '../simulator/duration.ts';
import { writeSimulation } from '../simulator/files.ts';
import { SCENARIO_NAMES } from '../simulator/scenarios/index.ts';
import { Simulation } from '../simulator/simulate.ts';
import { SimulatorSource } from '../simulator/source.ts';
import { defaultLogOpener, type GlobalOptions, type LogOpener } from './log-commands.ts';
import { progressBar } from './progress.ts';

export interface SimulateOptions {
  simConfig?: string;
  seed?: number;
  start?: string;
  span?: string;
  rate?: number;
  scenarios?: string;
  out?: string;
  format?: 'json' | 'tsv';
  syslog?: boolean;
  cef?: boolean;
  flat?: boolean;
  toLog?: boolean;
  live?: boolean;
  topics?: 'envelope' | 'per-log';
  truth?: boolean;
}

const number = (name: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${name} must be a ${integer ? 'whole ' : ''}non-negative number`);
  }
  return n;
};

const duration = (v: string) => {
  try {
    parseDuration(v);
    return v;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** The config file (if any) with the command-line flags laid over it. */
export function simulatorConfigFromOptions(opts: SimulateOptions): SimulatorConfig {
  // Live without a config file: the npm start preset, attacks early and every 15 minutes.
  const base = opts.simConfig
    ? loadConfigFile(opts.simConfig, simulatorConfigSchema)
    : opts.live
      ? liveDemoConfig()
      : resolveSimulatorConfig({});
  let config = resolveSimulatorConfig({
    ...base,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.start !== undefined ? { start: opts.start } : {}),
    ...(opts.span !== undefined ? { span: opts.span } : {}),
    ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
    ...(opts.format !== undefined ? { format: opts.format } : {}),
    ...(opts.syslog ? { syslog: true } : {}),
    ...(opts.cef ? { cef: true } : {}),
    ...(opts.flat ? { rhythm: false } : {}),
  });
  if (opts.scenarios !== undefined) config = selectScenarios(config, opts.scenarios);
  return config;
}

export function registerSimulateCommand(program: Command, openFor: LogOpener = defaultLogOpener): void {
  program
    .command('simulate')
    .description(
      'generate Zeek telemetry of a small org with labelled attack scenarios (seeded, deterministic)',
    )
    .option('--sim-config <file>', 'simulator config (YAML/JSON; see ingest/simulator/README.md)')
    .option('--seed <n>', 'random seed', number('--seed', true))
    .option(
      '--start <time>',
      'event time of the first line (ISO 8601 or epoch ms; default 2026-11-30T08:00Z)',
    )
    .option('--span <duration>', 'event time to cover, e.g. 2h (default 1h)', duration)
    .option('--rate <n>', 'benign lines/s at the weekday peak (default 300)', number('--rate', false))
    .option('--scenarios <list>', `comma-separated, "all" or "none" (${SCENARIO_NAMES.join(', ')})`)
    .option('--out <dir>', 'write conn.log, dns.log, ..., ground-truth.jsonl and intel.csv here')
    .option('--format <format>', 'file format: json or tsv', (v) => {
      if (v !== 'json' && v !== 'tsv') throw new InvalidArgumentError('--format must be json or tsv');
      return v;
    })
    .option('--syslog', 'also write sshd syslog lines (RFC 5424)')
    .option('--cef', 'also write perimeter-firewall CEF lines')
    .option('--flat', 'no diurnal/weekly rhythm: the peak rate around the clock')
    .option('--to-log', "append to the data dir's log (raw.zeek, raw.syslog, raw.cef)")
    .option('--live', 'with --to-log: event time = wall clock, paced, until Ctrl-C')
    .option(
      '--topics <mode>',
      'envelope (one raw.zeek topic, {"conn": {...}}) or per-log (raw.zeek_conn, ...)',
      (v) => {
        if (v !== 'envelope' && v !== 'per-log')
          throw new InvalidArgumentError('--topics must be envelope or per-log');
        return v;
      },
    )
    .option('--truth', 'print the ground truth (JSON lines) for the span and exit')
    .action(async (opts: SimulateOptions) => {
      const config = simulatorConfigFromOptions(opts);
      if (opts.truth) {
        for (const t of new Simulation(config).groundTruth()) process.stdout.write(`${JSON.stringify(t)}\n`);
        return;
      }
      if (!opts.out && !opts.toLog) throw new InvalidArgumentError('say where: --out <dir> or --to-log');
      if (opts.live && !opts.toLog) throw new InvalidArgumentError('--live needs --to-log');
      if (opts.out) {
        const bar = progressBar('simulate', 'lines');
        const summary = writeSimulation(config, opts.out, (_ts, lines) => bar.update(lines));
        bar.stop();
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      }
      if (opts.toLog) await simulateToLog(program.opts() as GlobalOptions, openFor, config, opts);
    });
}

async function simulateToLog(
  globals: GlobalOptions,
  openFor: LogOpener,
  config: SimulatorConfig,
  opts: SimulateOptions,
): Promise<void> {
  const log = await openFor(globals);
  const source = new SimulatorSource(log, config, { mode: opts.live ? 'live' : 'fast', topics: opts.topics });
  const stop = () => void source.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await source.start();
    const bar = progressBar('simulate', 'lines');
    const timer = setInterval(() => bar.update(source.stats.appended), 500);
    await source.done;
    clearInterval(timer);
    bar.stop();
    process.stdout.write(
      `${JSON.stringify({ appended: source.stats.appended, position: source.stats.position })}\n`,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await log.close();
  }
}
