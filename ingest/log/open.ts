// Opens the log a command should use. The data dir has one owner: when `vigil serve` holds it, a CLI
// command talks to that service's Kafka-protocol endpoint instead of opening the files (never two
// writers); otherwise it opens the embedded log itself.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type EmbeddedLogOptions, openEmbeddedLog } from './embedded/index.ts';
import { type EventLog, LogError } from './types.ts';

export interface KafkaLogConfig {
  kind: 'kafka';
  brokers: string[];
  clientId?: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface EmbeddedLogConfig extends EmbeddedLogOptions {
  kind: 'embedded';
}

export type LogConfig = EmbeddedLogConfig | KafkaLogConfig;

/** --data-dir, else $VIGIL_DATA_DIR, else ./data. */
export function resolveDataDir(option?: string): string {
  return resolve(option ?? process.env.VIGIL_DATA_DIR ?? 'data');
}

export function logDir(dataDir: string): string {
  return join(dataDir, 'log');
}

/** What a running `vigil serve` advertises in its data dir so CLI commands can reach it. */
export interface ServiceInfo {
  pid: number;
  apiUrl?: string;
  apiKeyFile?: string;
  broker?: { host: string; port: number };
  startedAt: string;
}

const SERVICE_FILE = 'service.json';

export function writeServiceInfo(dataDir: string, info: ServiceInfo): () => void {
  const path = join(dataDir, SERVICE_FILE);
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`);
  return () => rmSync(path, { force: true });
}

/** The running service that owns this data dir, if there is one. */
export function runningService(dataDir: string): ServiceInfo | null {
  const path = join(dataDir, SERVICE_FILE);
  if (!existsSync(path)) return null;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as ServiceInfo;
    process.kill(info.pid, 0);
    return info.pid === process.pid ? null : info;
  } catch {
    return null;
  }
}

export async function openLog(dataDir: string, config: LogConfig = { kind: 'embedded' }): Promise<EventLog> {
  if (config.kind === 'kafka') return openKafka(config);
  const service = runningService(dataDir);
  if (service) {
    if (service.broker) {
      return openKafka({
        kind: 'kafka',
        brokers: [`${service.broker.host}:${service.broker.port}`],
        clientId: 'vigil-cli',
      });
    }
    throw new LogError(
      `${dataDir} is owned by vigil serve (pid ${service.pid}), which has no Kafka endpoint enabled; ` +
        'enable broker in its config or stop it first',
      'LOCKED',
    );
  }
  const { kind: _kind, ...options } = config;
  return openEmbeddedLog(logDir(dataDir), options);
}

async function openKafka(config: KafkaLogConfig): Promise<EventLog> {
  // Loaded lazily: kafkajs is only needed when a Kafka log is in use.
  const backend = '../kafka/index.ts';
  const mod = (await import(backend).catch((err) => {
    throw new LogError(`the Kafka log backend is unavailable: ${(err as Error).message}`, 'INVALID_CONFIG');
  })) as { openKafkaLog: (c: KafkaLogConfig) => Promise<EventLog> };
  return mod.openKafkaLog(config);
}
