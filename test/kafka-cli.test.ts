// `vigil broker` as a user runs it: it owns the data dir (service.json names its endpoint, so other
// CLI commands go through it), kafkajs writes through it, and SIGTERM closes it cleanly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { exited, spawnTs } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';

it('serves the data dir over the Kafka protocol until SIGTERM', { timeout: 120_000 }, async () => {
  const tmp = tempDir('vigil-broker-cli-');
  const child = spawnTs(
    'bin/vigil.js',
    ['--data-dir', tmp.dir, 'broker', '--port', '0', '--partitions', '2'],
    {
      VIGIL_LOG_LEVEL: 'warn',
    },
  );
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('vigil broker:')) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`vigil broker exited early (${code})`)));
    });
    const port = Number(/:(\d+) over/.exec(banner)![1]);
    const service = JSON.parse(readFileSync(join(tmp.dir, 'service.json'), 'utf8'));
    expect(service.broker).toEqual({ host: '127.0.0.1', port });

    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'from-cli',
      messages: [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ],
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: ['from-cli'] })).topics;
    expect(meta!.partitions).toHaveLength(2); // --partitions for auto-created topics
    await admin.disconnect();

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(join(tmp.dir, 'service.json'))).toBe(false);
    // The records are in the data dir's log, readable once the broker has let go of it.
    const log = await openEmbeddedLog(join(tmp.dir, 'log'));
    const values = [...(await log.read('from-cli', 0, 0)), ...(await log.read('from-cli', 1, 0))].map((r) =>
      r.value.toString(),
    );
    expect(values.sort()).toEqual(['one', 'two']);
    await log.close();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    tmp.remove();
  }
});
