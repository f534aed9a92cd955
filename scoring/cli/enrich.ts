// `vigil enrich [--config FILE]`: try enrichment and triage rules before deploying them (Metron's
// users asked for a triage simulator). Events as JSON lines on stdin become enriched, triaged events
// on stdout, each with its matched rules, scores and reasons (`vigil.triage`). A bad config or
// expression is reported on stderr with its position and exits 2; per-event failures (a rule that
// could not evaluate, an IP that isn't one) are written to stderr with the line number.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { formatSigmaProblems } from '../sigma/load.ts';
import { AlertDeduplicator } from '../triage/alerts.ts';
import {
  DEFAULT_ENRICH_CONFIG_PATH,
  enrichConfigFromData,
  type LoadedEnrichConfig,
  loadEnrichConfigFile,
} from '../triage/config.ts';
import { EnrichRuntime } from '../triage/runtime.ts';

export interface EnrichIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface EnrichSummary {
  lines: number;
  events: number;
  matched: number;
  alerts: number;
  invalid: number;
  eventErrors: number;
}

/**
 * Reads the config: an enrichment config file, or a service config whose `enrichment` section holds
 * one (inline, or as a path relative to the service config).
 */
export function readEnrichConfig(path: string): LoadedEnrichConfig {
  const data = parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
  const section = data?.enrichment;
  if (section === undefined) return loadEnrichConfigFile(path);
  if (typeof section === 'string') return loadEnrichConfigFile(resolve(dirname(path), section));
  return enrichConfigFromData(section, dirname(resolve(path)), `${path}: enrichment`);
}

export async function runEnrich(
  runtime: EnrichRuntime,
  io: EnrichIo,
  options: { sensor?: string; alertsOnly?: boolean; onlyMatched?: boolean } = {},
): Promise<EnrichSummary> {
  const summary: EnrichSummary = { lines: 0, events: 0, matched: 0, alerts: 0, invalid: 0, eventErrors: 0 };
  const dedup = new AlertDeduplicator(runtime.config.alerts.dedupWindowMs, runtime.config.alerts.maxKeys);
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    summary.lines++;
    if (line.trim() === '') continue;
    let event: Record<string, unknown>;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('expected a JSON object');
      event = parsed as Record<string, unknown>;
    } catch (error) {
      summary.invalid++;
      io.stderr.write(`line ${summary.lines}: invalid event: ${(error as Error).message}\n`);
      continue;
    }
    if (options.sensor !== undefined) {
      const observer = (event.observer as Record<string, unknown> | undefined) ?? {};
      observer.type = options.sensor;
      event.observer = observer;
    }
    const ts = typeof event['@timestamp'] === 'string' ? Date.parse(event['@timestamp']) : Number.NaN;
    const outcome = runtime.withProviders(() => runtime.process(event, Number.isNaN(ts) ? 0 : ts, dedup));
    summary.events++;
    if (outcome.triage.rules.length > 0) summary.matched++;
    if (outcome.alert !== undefined) summary.alerts++;
    const errors = ((
      event.vigil as { errors?: { step: string; field?: string; message: string }[] } | undefined
    )?.errors ?? []) as { step: string; field?: string; message: string }[];
    for (const e of errors) {
      summary.eventErrors++;
      io.stderr.write(
        `line ${summary.lines}: ${e.step}${e.field ? ` ${JSON.stringify(e.field)}` : ''}: ${e.message}\n`,
      );
    }
    if (options.alertsOnly) {
      if (outcome.alert !== undefined) io.stdout.write(`${JSON.stringify(outcome.alert)}\n`);
    } else if (!options.onlyMatched || outcome.triage.rules.length > 0) {
      io.stdout.write(`${JSON.stringify(event)}\n`);
    }
  }
  return summary;
}

export function registerEnrichCommand(program: Command, io?: EnrichIo): void {
  program
    .command('enrich')
    .description(
      'enrich and triage events (JSON lines on stdin) and print them with matched rules, scores and reasons',
    )
    .option(
      '--config <file>',
      'enrichment/triage config, or a service config with an `enrichment` section; default: built-in',
    )
    .option(
      '-s, --sensor <name>',
      'treat every event as coming from this sensor (its per-sensor rules apply)',
    )
    .option('--only-matched', 'print only events that matched at least one rule')
    .option('--alerts', 'print the alerts (after dedup) instead of the events')
    .action(async (opts: { config?: string; sensor?: string; onlyMatched?: boolean; alerts?: boolean }) => {
      const streams = io ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
      const globals = program.opts() as { config?: string };
      const path = opts.config ?? globals.config ?? DEFAULT_ENRICH_CONFIG_PATH;
      if (!existsSync(path)) throw new InvalidArgumentError(`--config: ${path} does not exist`);
      let runtime: EnrichRuntime;
      try {
        runtime = await EnrichRuntime.load(readEnrichConfig(path));
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
      for (const line of formatSigmaProblems(runtime.report.sigma.problems)) {
        streams.stderr.write(`sigma rule not loaded: ${line}\n`);
      }
      for (const line of runtime.report.enrichment.intel?.problems ?? [])
        streams.stderr.write(`intel: ${line}\n`);
      const started = performance.now();
      const s = await runEnrich(runtime, streams, {
        sensor: opts.sensor,
        alertsOnly: opts.alerts,
        onlyMatched: opts.onlyMatched,
      });
      const ms = Math.round(performance.now() - started);
      streams.stderr.write(
        `vigil enrich: ${s.events} event(s), ${s.matched} matched, ${s.alerts} alert(s), ` +
          `${s.eventErrors} enrichment/rule error(s), ${s.invalid} invalid line(s) in ${ms} ms ` +
          `(${runtime.report.triageRules} rules, ${runtime.report.sigma.loaded} Sigma rules)\n`,
      );
    });
}
