// The EventLog conformance suite against the Kafka-backed log: (1) kafkajs → `vigil broker`'s
// Kafka-protocol endpoint → the embedded log, always; (2) a real Redpanda container through
// testcontainers, when a Docker engine is reachable (skipped with the reason printed otherwise).
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe } from 'vitest';
import { startBroker } from '../ingest/broker/server.ts';
import { openKafkaLog } from '../ingest/kafka/index.ts';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import type { EventLog } from '../ingest/log/types.ts';
import { tempDir } from './helpers/tmp.ts';
import { runLogConformance } from './log-conformance.ts';

runLogConformance('kafka (kafkajs → vigil broker → embedded)', async () => {
  const tmp = tempDir('vigil-kafka-conf-');
  let embedded = await openEmbeddedLog(tmp.dir, { fsync: false });
  let broker = await startBroker({ log: embedded, port: 0, autoCreateTopics: false });
  const open = () =>
    openKafkaLog({ kind: 'kafka', brokers: [`127.0.0.1:${broker.port}`], clientId: 'conformance' });
  let log: EventLog = await open();
  return {
    get log() {
      return log;
    },
    // Restart the whole stack over the same data dir: durability through the endpoint.
    reopen: async () => {
      await log.close();
      await broker.close();
      await embedded.close();
      embedded = await openEmbeddedLog(tmp.dir, { fsync: false });
      broker = await startBroker({ log: embedded, port: 0, autoCreateTopics: false });
      log = await open();
      return log;
    },
    cleanup: async () => {
      await log.close();
      await broker.close();
      await embedded.close();
      tmp.remove();
    },
  };
});

// --- Redpanda, when Docker is there -------------------------------------------------------------

const REDPANDA_IMAGE =
  process.env.VIGIL_REDPANDA_IMAGE ?? 'docker.redpanda.com/redpandadata/redpanda:v24.2.7';

function dockerEndpoint(): string | null {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  for (const sock of ['/var/run/docker.sock', `${process.env.HOME}/.docker/run/docker.sock`]) {
    if (existsSync(sock)) return sock;
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const docker = dockerEndpoint();
if (!docker) {
  console.log(
    '[kafka-conformance] Redpanda case skipped: no Docker engine reachable (no DOCKER_HOST, no docker.sock)',
  );
  describe.skip('EventLog conformance: kafka (Redpanda container) — no Docker engine reachable', () => {});
} else {
  runLogConformance('kafka (Redpanda container)', async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const port = await freePort();
    const container = await new GenericContainer(REDPANDA_IMAGE)
      .withExposedPorts({ container: 9092, host: port })
      .withCommand([
        'redpanda',
        'start',
        '--mode',
        'dev-container',
        '--smp',
        '1',
        '--kafka-addr',
        'PLAINTEXT://0.0.0.0:9092',
        '--advertise-kafka-addr',
        `PLAINTEXT://127.0.0.1:${port}`,
      ])
      .withWaitStrategy(Wait.forLogMessage(/Successfully started Redpanda/))
      .start();
    const log = await openKafkaLog({
      kind: 'kafka',
      brokers: [`127.0.0.1:${port}`],
      clientId: 'conformance',
    });
    return {
      log,
      cleanup: async () => {
        await log.close();
        await container.stop();
      },
    };
  });
}
