// Issue 10 item 4: the same seed and config give byte-identical topics (raw.zeek, events,
// events.enriched, profiles, features, scores, alerts: key, value, timestamp, per partition) and the
// same trained default model, across two runs and across SIGKILLs in the middle of a run.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPipeline } from '../api/pipeline.ts';
import { openLog } from '../ingest/log/open.ts';
import { type ModelRegistry, openRegistry } from '../models/registry.ts';
import { DEFAULT_MODEL_NAME, trainDefaultModel } from '../training/default-model.ts';
import {
  DEFAULT_RUN,
  determinismConfig,
  differing,
  digestDataDir,
  runPipeline,
  type TopicDigest,
} from './e2e/determinism.ts';
import { exited, repoRoot, spawnTs } from './helpers/child.ts';

const dirs: string[] = [];
const fresh = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `vigil-determinism-${name}-`));
  dirs.push(dir);
  return dir;
};

/** The registry's content-addressed artifacts: same names = byte-identical models. */
function artifacts(dataDir: string): string[] {
  const root = join(dataDir, 'registry', 'artifacts');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/** The archiver's Parquet files (history/<topic>/day=…/…): path → sha256. */
function history(dataDir: string): Record<string, string> {
  const root = join(dataDir, 'history');
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(
    files
      .map((e) => join(e.parentPath, e.name))
      .sort()
      .map((path) => [relative(root, path), createHash('sha256').update(readFileSync(path)).digest('hex')]),
  );
}

const PIPELINE_TOPICS = ['raw.zeek', 'events', 'events.enriched', 'profiles', 'features', 'scores', 'alerts'];

function expectSameTopics(actual: TopicDigest, reference: TopicDigest, what: string) {
  const diff = differing(actual, reference);
  expect(diff, `${what}: topics whose records differ from the reference run`).toEqual([]);
}

/**
 * Resolves true once a line of the child's stdout satisfies `when` (then SIGKILLs it), false when the
 * child exits first.
 */
function killWhen(child: ChildProcess, when: (line: string) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    let buffered = '';
    let done = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (done) return;
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      if (lines.some(when)) {
        done = true;
        child.kill('SIGKILL');
        resolve(true);
      }
    });
    child.once('exit', () => {
      if (!done) resolve(false);
    });
  });
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const childScript = join(repoRoot, 'test', 'fixtures', 'serve-child.ts');
const runArgs = [
  String(DEFAULT_RUN.seed),
  DEFAULT_RUN.span,
  String(DEFAULT_RUN.rate),
  String(DEFAULT_RUN.partitions),
];

describe(`the whole pipeline, seed ${DEFAULT_RUN.seed}, ${DEFAULT_RUN.span} at rate ${DEFAULT_RUN.rate}, ${DEFAULT_RUN.partitions} partitions`, () => {
  let reference: TopicDigest;
  let referenceDir: string;
  let referenceHistory: Record<string, string>;

  beforeAll(async () => {
    referenceDir = fresh('a');
    await runPipeline(referenceDir);
    reference = await digestDataDir(referenceDir);
    referenceHistory = history(referenceDir);
  }, 120_000);

  it('produces every topic, with alerts and scores (so the comparisons below compare something)', () => {
    for (const topic of PIPELINE_TOPICS) {
      const records = Object.entries(reference)
        .filter(([name]) => name.startsWith(`${topic}/`))
        .reduce((sum, [, d]) => sum + d.records, 0);
      expect(records, `records on ${topic}`).toBeGreaterThan(0);
    }
  });

  it('gives byte-identical topics and model across two runs into fresh data dirs', async () => {
    const second = fresh('b');
    await runPipeline(second);
    expectSameTopics(await digestDataDir(second), reference, 'second run');
    expect(artifacts(second)).toEqual(artifacts(referenceDir));
    expect(history(second)).toEqual(referenceHistory);
  }, 120_000);

  it('gives byte-identical topics and model when SIGKILLed mid-run and restarted', async () => {
    const dir = fresh('crash');
    // Kill points in the order a bounded run reaches them, each in a fresh child resuming the last:
    // while the default model trains at first start, then in the middle of each stateful stage.
    const batch = (stage: string, n: number) => (l: string) => l === `batch ${stage} ${n}`;
    const killPoints: [string, (line: string) => boolean][] = [
      ['training the default model', (l) => l.includes('first start: training the default anomaly model')],
      ['profiler, batch 3 of 6', batch('profiler', 3)],
      ['scorer, batch 8 of 19', batch('scorer', 8)],
      ['archiver, batch 3 of 8', batch('archiver', 3)],
    ];
    for (const [at, when] of killPoints) {
      const child = spawnTs(childScript, [dir, ...runArgs]);
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const killed = await killWhen(child, when);
      const code = await exited(child);
      expect(killed, `the child finished (exit ${code}) before the kill point "${at}": ${stderr}`).toBe(true);
      expect(code).toBe('SIGKILL');
    }
    // The last kill left the run unfinished (the archiver's history still to complete).
    expect(history(dir)).not.toEqual(referenceHistory);

    const child = spawnTs(childScript, [dir, ...runArgs]);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    expect(await exited(child), `the restarted run failed: ${output.slice(-2000)}`).toBe(0);
    expectSameTopics(await digestDataDir(dir), reference, 'killed and restarted run');
    expect(artifacts(dir)).toEqual(artifacts(referenceDir));
    expect(history(dir)).toEqual(referenceHistory);
  }, 240_000);
});

describe('the default model at first start', () => {
  it('completes a first start killed between registering the default model and naming it champion', async () => {
    const dir = fresh('alias');
    const registry = await openRegistry(dir);
    // The kill lands right after `register` committed: setAlias never runs.
    const killedBeforeAlias = new Proxy(registry, {
      get: (target, prop) =>
        prop === 'setAlias'
          ? () => Promise.reject(new Error('killed before setAlias'))
          : Reflect.get(target, prop, target).bind(target),
    });
    await expect(
      trainDefaultModel({ registry: killedBeforeAlias as ModelRegistry, syntheticRows: 2000 }),
    ).rejects.toThrow('killed before setAlias');
    expect(await registry.aliases(DEFAULT_MODEL_NAME)).toEqual({});
    await registry.close();

    // The restart's first-start check: no retraining (it would register version 2), champion → 1.
    const log = await openLog(dir, { kind: 'embedded', fsync: false });
    const pipeline = await buildPipeline({
      config: determinismConfig(DEFAULT_RUN),
      dataDir: dir,
      log,
      configPath: null,
    });
    await pipeline.close();
    await log.close();
    const reopened = await openRegistry(dir);
    try {
      expect(await reopened.aliases(DEFAULT_MODEL_NAME)).toEqual({ champion: 1 });
      expect((await reopened.versions(DEFAULT_MODEL_NAME)).length).toBe(1);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});
