// Simulator → raw.zeek → the parse stage → `events`, on a given log: the project's own labelled data
// for dataset/backtest tests and the replay benchmark. Runs the real parse stage through the runner.
import type { EventLog, ProducerRecord } from '../../ingest/log/types.ts';
import { runUntilDrained } from '../../ingest/pipeline/runner.ts';
import { createParseStage } from '../../ingest/sensors/parse-stage.ts';
import { SensorRegistry } from '../../ingest/sensors/registry.ts';
import type { SimulatorConfigInput } from '../../ingest/simulator/config.ts';
import { type GroundTruthRecord, Simulation } from '../../ingest/simulator/simulate.ts';
import { ORIGIN_HEADER } from '../../ingest/sources/raw-lines.ts';

export const SIM_RAW_TOPIC = 'raw.zeek';

export interface SimulatedEvents {
  rawLines: number;
  events: number;
  groundTruth: GroundTruthRecord[];
  startMs: number;
  endMs: number;
}

/** Appends the simulation's Zeek lines (at most maxLines) to raw.zeek and parses them into `events` (the parse stage). */
export async function simulateEvents(
  log: EventLog,
  config: SimulatorConfigInput,
  options: { chunk?: number; maxLines?: number } = {},
): Promise<SimulatedEvents> {
  const sim = new Simulation(config);
  await log.ensureTopic(SIM_RAW_TOPIC);
  const chunk = options.chunk ?? 5000;
  let batch: ProducerRecord[] = [];
  let rawLines = 0;
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  let lastMs = sim.startUs / 1000;
  for (const { event } of sim.events({ bucket: 0, index: 0 }, 'envelope')) {
    if (rawLines + batch.length >= maxLines) break;
    lastMs = event.ts;
    batch.push({
      key: 'simulator',
      value: event.line,
      timestamp: Math.floor(event.ts),
      headers: { [ORIGIN_HEADER]: 'simulator' },
    });
    if (batch.length >= chunk) {
      await log.append(SIM_RAW_TOPIC, batch);
      rawLines += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await log.append(SIM_RAW_TOPIC, batch);
  rawLines += batch.length;
  const sensors = SensorRegistry.fromText(
    'sensors:\n  - name: zeek\n    parser: zeek-json\n',
    '<simulated-events>',
  );
  const stats = await runUntilDrained(log, createParseStage({ sensors }), {
    replay: true,
    maxBatchRecords: chunk,
  });
  return {
    rawLines,
    events: stats.recordsOut,
    // Cut short by maxLines: the span and ground truth end at the last line written.
    groundTruth: sim.groundTruth(sim.startUs / 1000, Number.isFinite(maxLines) ? lastMs + 1 : undefined),
    startMs: sim.startUs / 1000,
    endMs: Number.isFinite(maxLines) ? Math.min(sim.endUs / 1000, lastMs + 1) : sim.endUs / 1000,
  };
}
