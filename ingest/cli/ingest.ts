// `vigil ingest --sensor <name> <file|->`: appends a file's (or stdin's) lines to the sensor's raw
// topic, with a progress bar on a terminal. The parse stage of `vigil serve` picks them up from there.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadSensors } from '../sensors/load.ts';
import { StreamSource } from '../sources/stream-source.ts';
import { defaultLogOpener, type GlobalOptions, type LogOpener } from './log-commands.ts';
import { progressBar } from './progress.ts';

/** The config file a command reads: --config, else ./vigil.yaml when present. */
function configPath(globals: GlobalOptions): string | undefined {
  return globals.config ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
}

export function registerIngestCommand(program: Command, openFor: LogOpener = defaultLogOpener): void {
  program
    .command('ingest <input>')
    .description("append raw lines from a file (or - for stdin) to a sensor's raw topic")
    .requiredOption('-s, --sensor <name>', 'the sensor the lines come from (see sensors in the config)')
    .action(async (input: string, opts: { sensor: string }) => {
      const globals = program.opts() as GlobalOptions;
      const { registry } = loadSensors(configPath(globals));
      const sensor = registry.current.get(opts.sensor);
      if (sensor === undefined) {
        const known = registry.current.sensors.map((s) => s.name).join(', ') || '(none)';
        throw new InvalidArgumentError(`unknown sensor '${opts.sensor}'; configured sensors: ${known}`);
      }
      const fromStdin = input === '-';
      if (!fromStdin && !existsSync(input)) throw new InvalidArgumentError(`no such file: ${input}`);
      const total = fromStdin ? undefined : statSync(input).size;
      const log = await openFor(globals);
      const bar = progressBar(`ingest ${sensor.name}`, 'bytes', total);
      const source = new StreamSource({
        log,
        sensor: sensor.name,
        topic: sensor.rawTopic,
        input: fromStdin ? process.stdin : createReadStream(input, { highWaterMark: 1 << 20 }),
        origin: fromStdin ? 'stdin' : resolve(input),
        onProgress: (p) => bar.update(p.bytes),
      });
      try {
        await source.start();
        await source.done;
      } finally {
        bar.stop();
        await log.close();
      }
      process.stderr.write(
        `ingested ${source.progress.lines} line(s) (${source.progress.bytes} bytes) into ${sensor.rawTopic}\n`,
      );
    });
}
