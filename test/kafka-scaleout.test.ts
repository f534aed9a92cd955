// Scale-out: three worker processes share a 6-partition input through one consumer group on
// `vigil broker`; one is SIGKILLed mid-stream. The group rebalances its partitions onto the
// survivors, and the output holds every input exactly once (transactions: no loss, no duplicates).
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, expect, it, vi } from 'vitest';
import { type RunningBroker, startBroker } from '../ingest/broker/server.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { LogRecord } from '../ingest/log/types.ts';
import { exited, spawnTs } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';

const PARTITIONS = 6;

interface Assignment {
  worker: string;
  generation: number;
  partitions: number[];
}

let tmp: ReturnType<typeof tempDir> | undefined;
let log: EmbeddedLog | undefined;
let broker: RunningBroker | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await broker?.close();
  await log?.close();
  tmp?.remove();
});

async function outputs(): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    let offset = 0;
    for (;;) {
      const batch = await log!.read('scale-out', p, offset, { maxRecords: 5000 });
      if (batch.length === 0) break;
      all.push(...batch);
      offset = batch[batch.length - 1]!.offset + 1;
    }
  }
  return all;
}

it('rebalances a killed worker’s partitions onto the others with complete, duplicate-free output', {
  timeout: 180_000,
}, async () => {
  tmp = tempDir('vigil-scaleout-');
  log = await openEmbeddedLog(tmp.dir, { fsync: false });
  broker = await startBroker({ log, port: 0 });
  await log.createTopic('scale-in', { partitions: PARTITIONS });
  await log.createTopic('scale-out', { partitions: PARTITIONS });
  let produced = 0;
  const produce = async (n: number) => {
    const records = Array.from({ length: n }, (_, i) => ({
      value: `m-${produced + i}`,
      partition: (produced + i) % PARTITIONS,
    }));
    produced += n;
    await log!.append('scale-in', records);
  };
  await produce(300);

  const assignments: Assignment[] = [];
  const workers = ['w1', 'w2', 'w3'].map((name) => {
    const child = spawnTs('test/fixtures/kafka-worker.ts', [String(broker!.port), name], {
      VIGIL_LOG_LEVEL: 'warn',
    });
    children.push(child);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"worker"')) assignments.push(JSON.parse(line) as Assignment);
    });
    return { name, child };
  });
  const latest = () => {
    const byWorker = new Map<string, Assignment>();
    for (const a of assignments) byWorker.set(a.worker, a);
    return byWorker;
  };

  // All three share the partitions in one generation.
  await vi.waitFor(
    () => {
      const now = [...latest().values()];
      expect(now).toHaveLength(3);
      expect(new Set(now.map((a) => a.generation)).size).toBe(1);
      expect(now.flatMap((a) => a.partitions).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      for (const a of now) expect(a.partitions).toHaveLength(2);
    },
    { timeout: 90_000, interval: 200 },
  );
  await vi.waitFor(async () => expect((await outputs()).length).toBeGreaterThanOrEqual(300), {
    timeout: 60_000,
    interval: 200,
  });
  const before = latest();
  const victim = workers[1]!;
  const victimPartitions = before.get(victim.name)!.partitions;

  // Mid-stream: keep producing while w2 dies without a goodbye.
  for (let i = 0; i < 10; i++) {
    await produce(30);
    if (i === 3) victim.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await exited(victim.child)).toBe('SIGKILL');

  // The survivors are reassigned every partition in a newer generation ...
  await vi.waitFor(
    () => {
      const now = latest();
      const survivors = [now.get('w1')!, now.get('w3')!];
      expect(survivors[0]!.generation).toBe(survivors[1]!.generation);
      expect(survivors[0]!.generation).toBeGreaterThan(before.get('w1')!.generation);
      expect(survivors.flatMap((a) => a.partitions).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    },
    { timeout: 60_000, interval: 200 },
  );
  // ... and the output ends up with every input exactly once.
  await vi.waitFor(async () => expect((await outputs()).length).toBeGreaterThanOrEqual(produced), {
    timeout: 60_000,
    interval: 250,
  });
  const out = await outputs();
  const values = out.map((r) => r.value.toString());
  expect(values.length).toBe(produced);
  expect(new Set(values).size).toBe(produced);
  expect(new Set(values)).toEqual(new Set(Array.from({ length: produced }, (_, i) => `m-${i}`)));
  // Records of the victim's partitions that arrived after the kill were copied by a survivor.
  const last = out.filter(
    (r) => victimPartitions.includes(r.partition) && Number(r.value.toString().slice(2)) >= produced - 30,
  );
  expect(last.length).toBeGreaterThan(0);
  for (const r of last) expect(['w1', 'w3']).toContain(r.headers.worker?.toString());

  for (const w of [workers[0]!, workers[2]!]) w.child.kill('SIGTERM');
  for (const w of [workers[0]!, workers[2]!]) expect(await exited(w.child)).toBe(0);
});
