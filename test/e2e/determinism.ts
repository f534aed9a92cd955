// The whole pipeline on a short fast simulation (`vigil serve --until-drained`, in-process), and a
// byte-level digest of every topic it leaves in the log: for the determinism and crash/restart tests.
import { createHash } from 'node:crypto';
import { serviceConfigSchema } from '../../api/config.ts';
import { DEFAULT_SERVICE_CONFIG } from '../../api/pipeline.ts';
import { startService } from '../../api/serve.ts';
import { openEmbeddedLog } from '../../ingest/log/embedded/index.ts';
import { logDir } from '../../ingest/log/open.ts';
import type { EventLog } from '../../ingest/log/types.ts';
import { loadConfigFile } from '../../kernel/config.ts';

export interface RunOptions {
  seed: number;
  span: string;
  rate: number;
  /** Partitions per topic (the default config has 1). */
  partitions?: number;
}

// Two partitions, so the stages also merge inputs across partitions (the default config has one).
export const DEFAULT_RUN: RunOptions = { seed: 11, span: '20m', rate: 30, partitions: 2 };

export function determinismConfig(opts: RunOptions) {
  const base = loadConfigFile(DEFAULT_SERVICE_CONFIG, serviceConfigSchema);
  return serviceConfigSchema.parse({
    ...base,
    ...(opts.partitions ? { partitions: opts.partitions } : {}),
    log: { kind: 'embedded', fsync: false },
    api: { enabled: false },
    simulator: { enabled: true, mode: 'fast', seed: opts.seed, span: opts.span, rate: opts.rate },
  });
}

/** Runs the whole pipeline over a fresh (or partly processed) data dir to the end of the log. */
export async function runPipeline(dataDir: string, opts: RunOptions = DEFAULT_RUN): Promise<void> {
  const service = await startService({
    config: determinismConfig(opts),
    configPath: DEFAULT_SERVICE_CONFIG,
    dataDir,
    untilDrained: true,
  });
  try {
    await service.done;
  } finally {
    await service.stop();
  }
}

/** Per topic/partition: record count and a hash over every record's key, value and timestamp. */
export type TopicDigest = Record<string, { records: number; sha256: string }>;

export async function digestLog(log: EventLog, topics?: string[]): Promise<TopicDigest> {
  const out: TopicDigest = {};
  for (const topic of (topics ?? (await log.listTopics())).sort()) {
    for (const p of (await log.describeTopic(topic)).partitions) {
      const hash = createHash('sha256');
      let records = 0;
      let offset = p.earliest;
      while (offset < p.latest) {
        const batch = await log.read(topic, p.partition, offset, { maxRecords: 5000 });
        if (batch.length === 0) break;
        for (const r of batch) {
          // Length-prefixed fields, so a byte moved between key and value still changes the hash.
          const key = r.key ?? Buffer.alloc(0);
          hash.update(`${r.offset} ${r.timestamp} ${r.key === null ? -1 : key.length} ${r.value.length}\n`);
          hash.update(key);
          hash.update(r.value);
          records++;
        }
        offset = batch[batch.length - 1]!.offset + 1;
      }
      out[`${topic}/${p.partition}`] = { records, sha256: hash.digest('hex') };
    }
  }
  return out;
}

export async function digestDataDir(dataDir: string, topics?: string[]): Promise<TopicDigest> {
  const log = await openEmbeddedLog(logDir(dataDir), { fsync: false });
  try {
    return await digestLog(log, topics);
  } finally {
    await log.close();
  }
}

/** The topic/partitions whose records differ between two digests (or exist in only one). */
export function differing(a: TopicDigest, b: TopicDigest): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => a[n]?.sha256 !== b[n]?.sha256 || a[n]?.records !== b[n]?.records).sort();
}
