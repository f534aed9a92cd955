// `vigil score --model NAME[@ALIAS|:VERSION]`: feature vectors as JSON lines on stdin, scores as JSON
// lines on stdout, through the same loading and scoring code as the scorer stage. Bad lines are
// reported on stderr (line number and reason) and skipped.
import { createInterface } from 'node:readline';
import { type Command, InvalidArgumentError } from 'commander';
import { openRegistryForCli } from '../../models/cli.ts';
import { ModelHandle } from '../scorer/model-handle.ts';
import {
  type FeatureRecord,
  parseFeatureRecord,
  type ScoreOptions,
  scoreFeatureRecords,
} from '../scorer/score-features.ts';

const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} must be a positive whole number`);
  return n;
};

export interface ScoreStreamOptions extends ScoreOptions {
  /** Also write alert records (as {"alert": {...}} lines) after the score that raised them. */
  alerts?: boolean;
}

/** Scores a stream of JSON lines; returns counts. Exported for tests and scripts. */
export async function scoreLines(
  handle: ModelHandle,
  lines: AsyncIterable<string>,
  write: (line: string) => void,
  report: (line: string) => void,
  options: ScoreStreamOptions = {},
): Promise<{ scored: number; errors: number; skipped: number }> {
  const batchSize = options.batchSize ?? 256;
  const counts = { scored: 0, errors: 0, skipped: 0 };
  let batch: { line: number; record: FeatureRecord }[] = [];
  const flush = async () => {
    const model = handle.take();
    if (!model) throw new Error(`no loadable version of ${handle.label}`);
    const outcomes = await scoreFeatureRecords(
      model,
      batch.map((b) => b.record),
      options,
    );
    for (const [k, o] of outcomes.entries()) {
      if (o.ok) {
        counts.scored++;
        write(JSON.stringify(o.score));
        if (options.alerts && o.alert) write(JSON.stringify({ alert: o.alert }));
      } else if (o.kind === 'other-schema') {
        counts.skipped++;
      } else {
        counts.errors++;
        report(JSON.stringify({ line: batch[k]?.line, kind: o.kind, message: o.message }));
      }
    }
    batch = [];
  };
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    const record = parseFeatureRecord(text);
    if (typeof record === 'string') {
      counts.errors++;
      report(JSON.stringify({ line: n, kind: 'invalid-record', message: record }));
      continue;
    }
    batch.push({ line: n, record });
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return counts;
}

export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('score feature vectors (JSON lines on stdin) with a registered model; scores on stdout')
    .requiredOption('--model <ref>', 'NAME, NAME@ALIAS or NAME:VERSION (NAME alone means NAME@champion)')
    .option('--batch-size <n>', 'rows per model call', positiveInt('batch size'), 256)
    .option('--explain <which>', "occlusion explanations for 'alerts' or 'all' scores", 'alerts')
    .option('--top-k <n>', 'top contributing features per score', positiveInt('top-k'), 3)
    .option('--alerts', 'also write alert records as {"alert": ...} lines')
    .action(
      async (opts: { model: string; batchSize: number; explain: string; topK: number; alerts?: boolean }) => {
        if (opts.explain !== 'alerts' && opts.explain !== 'all') {
          throw new InvalidArgumentError("--explain must be 'alerts' or 'all'");
        }
        const globals = program.opts() as { dataDir?: string };
        const registry = await openRegistryForCli(globals.dataDir);
        const handle = new ModelHandle(registry, opts.model);
        try {
          await handle.start();
          const failure = handle
            .drainEvents()
            .find((e) => e.kind === 'load-failed' || e.kind === 'resolve-failed');
          if (!handle.take()) throw new Error(failure?.message ?? `cannot load ${opts.model}`);
          const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
          const out: string[] = [];
          const counts = await scoreLines(
            handle,
            rl,
            (line) => {
              out.push(line);
              if (out.length >= 256) process.stdout.write(`${out.splice(0).join('\n')}\n`);
            },
            (line) => process.stderr.write(`${line}\n`),
            { batchSize: opts.batchSize, explain: opts.explain, topK: opts.topK, alerts: opts.alerts },
          );
          if (out.length) process.stdout.write(`${out.join('\n')}\n`);
          process.stderr.write(
            `scored ${counts.scored}, errors ${counts.errors}, other-schema skipped ${counts.skipped} (${handle.label})\n`,
          );
        } finally {
          await handle.stop();
          await registry.close();
        }
      },
    );
}
