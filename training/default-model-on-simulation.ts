// The default model, trained on what this deployment's simulator actually produces: a benign-only
// simulation (every attack scenario off, its own seed) runs through the same parse stage and the
// same profiler code as the live pipeline, and its `network.src` feature vectors train the model.
// Synthetic vectors alone miss the simulator's real distribution and raise false alerts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfilesConfigSchema } from '../features/profile-config.ts';
import { replayTopic } from '../features/replay.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { SCENARIO_NAMES } from '../ingest/simulator/scenarios/index.ts';
import type { ModelRegistry } from '../models/registry.ts';
import { networkVectorsFromRecords } from './data/network-vectors.ts';
import { type DefaultModel, trainDefaultModel } from './default-model.ts';
import { simulateEvents } from './replay/simulated-events.ts';

export interface SimulatedTrainingOptions {
  registry?: ModelRegistry;
  /** The simulator's benign rate (lines/s at the weekday peak), as the live simulator runs it. */
  rate: number;
  /** Profile window, ms (the live profiles' builtinWindow). */
  windowMs: number;
  /** Simulated spans of benign traffic, each [start ISO, duration]. */
  spans?: [string, string][];
  seed?: number;
  workstations?: number;
  /** False-positive rate on held-out benign windows that sets the alert threshold. */
  targetFpr?: number;
}

/** Night and office hours of a weekday, so both quiet and busy hosts are normal to the model. */
const DEFAULT_SPANS: [string, string][] = [
  ['2026-11-24T02:00:00.000Z', '30m'],
  ['2026-11-24T07:45:00.000Z', '75m'],
];

export async function trainDefaultModelOnSimulation(opts: SimulatedTrainingOptions): Promise<DefaultModel> {
  const seed = opts.seed ?? 1_000_003;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-default-model-'));
  const log = await openEmbeddedLog(dir, { fsync: false });
  try {
    const scenarios = Object.fromEntries(SCENARIO_NAMES.map((name) => [name, { enabled: false }]));
    const spans = opts.spans ?? DEFAULT_SPANS;
    for (const [start, span] of spans) {
      await simulateEvents(log, {
        seed,
        start,
        span,
        rate: opts.rate,
        scenarios: scenarios as never,
        ...(opts.workstations ? { org: { workstations: opts.workstations } } : {}),
      });
    }
    const profiles = ProfilesConfigSchema.parse({ builtin: ['network'], builtinWindow: opts.windowMs });
    const records: string[] = [];
    await replayTopic(log, { topic: 'events', profiles }, (outputs) => {
      for (const o of outputs) if (o.topic === 'features') records.push(o.value.toString());
    });
    const vectors = networkVectorsFromRecords(records);
    if (vectors.length < 100)
      throw new Error(`only ${vectors.length} benign windows simulated; too few to train on`);
    return await trainDefaultModel({
      registry: opts.registry,
      vectors,
      seed,
      // The live pipeline scores every host every window: hold false alerts to a few a day.
      targetFpr: opts.targetFpr ?? 0.0002,
      vectorsLineage: {
        generator: 'vigil simulator, benign only, replayed through parse and the network profiles',
        simulatorSeed: seed,
        rate: opts.rate,
        spans,
        windowMs: opts.windowMs,
      },
    });
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
