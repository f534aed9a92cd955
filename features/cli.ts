// `vigil replay`: runs a topic range through the profiles in batch mode and writes the profile and
// feature records (as JSON lines, or to topics on the log), byte-identical to the live run's.
import { createWriteStream } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { openLog, resolveDataDir } from '../ingest/log/open.ts';
import type { StageOutput } from '../ingest/pipeline/stage.ts';
import { loadProfilesConfig } from './profile-config.ts';
import { type RangeBound, replayTopic } from './replay.ts';

/** A whole number is an offset; anything else must be a time (ISO-8601, or epoch ms as `@1733340000000`). */
export function parseBound(text: string): RangeBound {
  if (/^\d+$/.test(text)) return { offset: Number(text) };
  const epoch = /^@(\d+)$/.exec(text);
  if (epoch) return { time: Number(epoch[1]) };
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new InvalidArgumentError(`'${text}' is neither an offset nor a time (ISO-8601 or @epochMs)`);
  return { time: t };
}

interface ReplayCliOptions {
  topic: string;
  profiles: string;
  from?: RangeBound;
  to?: RangeBound;
  output: string;
  produce?: string;
  topics: string;
  batch: number;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a topic range through profiles (batch mode) and emit their profile/feature records')
    .requiredOption('--topic <topic>', 'input topic of events (e.g. events.enriched)')
    .requiredOption('--profiles <file>', 'profiles config (YAML/JSON)')
    .option(
      '--from <offset|time>',
      'start: an offset, an ISO-8601 time or @epochMs (default: earliest)',
      parseBound,
    )
    .option('--to <offset|time>', 'end, exclusive (default: the log end)', parseBound)
    .option('--output <file>', 'write records as JSON lines to this file ("-" = stdout)', '-')
    .option(
      '--produce <prefix>',
      'also append the records to topics <prefix><topic> on the log (e.g. replay.)',
    )
    .option('--topics <list>', 'output topics to keep', 'profiles,features,alerts,late')
    .option(
      '--batch <n>',
      'records per read',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new InvalidArgumentError('--batch must be a positive whole number');
        return n;
      },
      5000,
    )
    .action(async (opts: ReplayCliOptions) => {
      const globals = program.opts() as { dataDir?: string };
      const profiles = loadProfilesConfig(opts.profiles);
      const keep = new Set(
        opts.topics
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      );
      const log = await openLog(resolveDataDir(globals.dataDir));
      const file = opts.output === '-' ? null : createWriteStream(opts.output);
      const out: NodeJS.WritableStream = file ?? process.stdout;
      try {
        const stats = await replayTopic(
          log,
          { topic: opts.topic, profiles, from: opts.from, to: opts.to, batchRecords: opts.batch },
          async (outputs: StageOutput[]) => {
            const kept = outputs.filter((o) => keep.has(o.topic));
            if (kept.length === 0) return;
            const lines = kept.map((o) =>
              JSON.stringify({
                topic: o.topic,
                key: o.key === null || o.key === undefined ? null : String(o.key),
                timestamp: o.timestamp,
                value: String(o.value),
              }),
            );
            if (!out.write(`${lines.join('\n')}\n`)) await new Promise((r) => out.once('drain', r));
            if (opts.produce !== undefined) {
              const byTopic = new Map<string, StageOutput[]>();
              for (const o of kept) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
              for (const [topic, records] of byTopic) {
                const name = `${opts.produce}${topic}`;
                await log.ensureTopic(name);
                await log.append(
                  name,
                  records.map(({ key, value, timestamp }) => ({ key, value, timestamp })),
                );
              }
            }
          },
        );
        const rate = stats.elapsedMs > 0 ? Math.round((stats.events / stats.elapsedMs) * 1000) : 0;
        process.stderr.write(
          `replayed ${stats.events} events from ${opts.topic} in ${(stats.elapsedMs / 1000).toFixed(2)}s (${rate} events/s); ` +
            `outputs ${JSON.stringify(stats.outputs)}; unreadable ${stats.errors}\n`,
        );
      } finally {
        if (file !== null) await new Promise<void>((r) => file.end(() => r()));
        await log.close();
      }
    });
}
