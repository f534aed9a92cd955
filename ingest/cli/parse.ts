// `vigil parse --sensor <name|format> [--config FILE]`: a parser debugger. Raw lines on stdin become
// normalized events (JSON lines) on stdout through the same code the parse stage runs (parser,
// transformations, normalization); bad lines become error records (JSON lines) on stderr. A one-line
// summary ends stderr. Exit 0 even when lines were bad; a usage or config error exits non-zero.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type Command, InvalidArgumentError } from 'commander';
import { parserAliases, parserFormats } from '../parsers/registry.ts';
import { makeErrorRecord } from '../schema/error-record.ts';
import { sensorConfigSchema } from '../sensors/config.ts';
import { loadSensors } from '../sensors/load.ts';
import { Sensor } from '../sensors/registry.ts';

export interface ParseIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface ParseSummary {
  lines: number;
  events: number;
  errors: number;
  parseErrors: number;
  invalid: number;
  /** Lines that yield no event and no error: stream headers (Zeek TSV `#fields`, a CSV header). */
  headers: number;
}

/** The sensor named in the config, else an ad-hoc sensor for a parser format (or Metron alias). */
export function resolveSensor(name: string, configPath: string | undefined): Sensor {
  const { registry } = loadSensors(configPath);
  const configured = registry.current.get(name);
  if (configured !== undefined) return configured;
  const aliases = parserAliases();
  if (!parserFormats().includes(name) && !(name in aliases)) {
    const known = registry.current.sensors.map((s) => s.name).join(', ') || '(none)';
    throw new InvalidArgumentError(
      `unknown sensor or parser format '${name}'; sensors: ${known}; formats: ${parserFormats().join(', ')}`,
    );
  }
  // Builds (and so validates) the parser: a format that needs options fails here, naming them.
  const config = sensorConfigSchema.safeParse({ name, parser: aliases[name] ?? name });
  if (!config.success) {
    const detail = config.error.issues.map((i) => i.message).join('; ');
    throw new InvalidArgumentError(`${detail} (give its options in a sensors config with --config)`);
  }
  return new Sensor(config.data);
}

/** Streams stdin through the sensor; resolves with the counts once stdin ends. */
export async function runParse(sensor: Sensor, io: ParseIo, ingestedAt?: number): Promise<ParseSummary> {
  const parser = sensor.newParser();
  const summary: ParseSummary = { lines: 0, events: 0, errors: 0, parseErrors: 0, invalid: 0, headers: 0 };
  let out = '';
  let err = '';
  const flush = async () => {
    if (out !== '') {
      const ok = io.stdout.write(out);
      out = '';
      if (!ok) await once(io.stdout, 'drain');
    }
    if (err !== '') {
      const ok = io.stderr.write(err);
      err = '';
      if (!ok) await once(io.stderr, 'drain');
    }
  };
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    summary.lines++;
    const r = sensor.processLine(parser, raw, ingestedAt ?? Date.now());
    if (r.ok) {
      summary.events += r.events.length;
      if (r.events.length === 0) summary.headers++;
      for (const e of r.events) out += `${JSON.stringify(e)}\n`;
    } else {
      summary.errors++;
      if (r.kind === 'parse') summary.parseErrors++;
      else summary.invalid++;
      const kind = r.kind === 'parse' || r.kind === 'invalid' ? r.kind : 'internal';
      err += `${JSON.stringify(makeErrorRecord({ stage: 'parse', sensor: sensor.name, kind, message: r.message, raw }))}\n`;
    }
    if (out.length > 1 << 16 || err.length > 1 << 16) await flush();
  }
  await flush();
  return summary;
}

export function registerParseCommand(program: Command, io?: ParseIo): void {
  program
    .command('parse')
    .description(
      'parse raw lines from stdin with a sensor (or a parser format) and print events as JSON lines',
    )
    .requiredOption('-s, --sensor <name>', 'a sensor from the config, or a parser format such as zeek-json')
    .option('--config <file>', 'sensors config (YAML/JSON); default: the global --config or ./vigil.yaml')
    .option(
      '--ingested-at <time>',
      'fixed event.ingested (ISO-8601) instead of the wall clock, for reproducible output',
    )
    .action(async (opts: { sensor: string; config?: string; ingestedAt?: string }) => {
      const streams = io ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
      const globals = program.opts() as { config?: string };
      const configPath =
        opts.config ?? globals.config ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
      let ingestedAt: number | undefined;
      if (opts.ingestedAt !== undefined) {
        ingestedAt = Date.parse(opts.ingestedAt);
        if (Number.isNaN(ingestedAt))
          throw new InvalidArgumentError(`--ingested-at: ${opts.ingestedAt} is not a time`);
      }
      const sensor = resolveSensor(opts.sensor, configPath);
      const started = performance.now();
      const s = await runParse(sensor, streams, ingestedAt);
      const ms = Math.round(performance.now() - started);
      streams.stderr.write(
        `vigil parse: sensor ${sensor.name}: ${s.lines} line(s), ${s.events} event(s), ${s.errors} error(s) ` +
          `(${s.parseErrors} parse, ${s.invalid} invalid), ${s.headers} header line(s) in ${ms} ms\n`,
      );
    });
}
