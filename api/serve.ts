// `vigil serve`: the main job. Opens the log, wires every stage from config (api/pipeline.ts), runs
// each under a StageRunner, serves the HTTP app, and stops cleanly on SIGTERM/SIGINT: the batch in
// flight is committed, then the process exits 0.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve as serveHttp } from '@hono/node-server';
import type { Command } from 'commander';
import { type RunningBroker, startBroker } from '../ingest/broker/server.ts';
import { type LogConfig, openLog, resolveDataDir, writeServiceInfo } from '../ingest/log/open.ts';
import type { EventLog } from '../ingest/log/types.ts';
import { StageRunner } from '../ingest/pipeline/runner.ts';
import { logger } from '../kernel/logger.ts';
import { createAlertSinkStage } from './alerts/sink-stage.ts';
import { AlertStore } from './alerts/store.ts';
import { createApp } from './app.ts';
import { AuditLog } from './audit.ts';
import { bootstrapAdminKey, KeyStore } from './auth/keys.ts';
import { loadServiceConfig, resolveConfigPath, type ServiceConfig } from './config.ts';
import { buildPipeline, DEFAULT_SERVICE_CONFIG, type Pipeline } from './pipeline.ts';

export interface ServeOptions {
  config: ServiceConfig;
  /** The file the config came from (line numbers in errors, relative paths); null when built in code. */
  configPath?: string | null;
  dataDir: string;
  /** Run every stage to the end of its input, then stop (bounded runs, tests). */
  untilDrained?: boolean;
  /** Override the API port (0 = any free port). */
  port?: number;
  /** Override the Kafka endpoint's port (0 = any free port). */
  brokerPort?: number;
}

export interface Service {
  log: EventLog;
  pipeline: Pipeline;
  runners: StageRunner[];
  url: string | null;
  configPath: string | null;
  /** The admin key created at first start (null once keys exist and its file is gone). */
  adminKey: string | null;
  alerts: AlertStore;
  /** Resolves when every runner has stopped (in until-drained mode: when all are drained). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startService(options: ServeOptions): Promise<Service> {
  const { config, dataDir } = options;
  const logConfig: LogConfig =
    config.log.kind === 'kafka'
      ? config.log
      : { ...config.log, defaultPartitions: config.log.defaultPartitions ?? config.partitions };
  const log = await openLog(dataDir, logConfig);
  let ready = false;
  const runners: StageRunner[] = [];
  let pipeline: Pipeline | null = null;
  let server: ReturnType<typeof serveHttp> | null = null;
  let removeServiceInfo = () => {};
  let alerts: AlertStore | null = null;
  let broker: RunningBroker | null = null;
  try {
    alerts = await AlertStore.open(join(dataDir, 'api', 'alerts.duckdb'));
    const keys = new KeyStore(join(dataDir, 'api', 'keys.json'));
    const adminKey = bootstrapAdminKey(keys, join(dataDir, 'api', 'admin.key'));
    const audit = new AuditLog(log);
    pipeline = await buildPipeline({ config, dataDir, log, configPath: options.configPath ?? null });
    pipeline.stages.push({
      stage: createAlertSinkStage(alerts),
      summary: "alerts → the analysts' alert store",
    });
    let url: string | null = null;
    if (config.api.enabled && !options.untilDrained) {
      const app = createApp({
        log,
        runners: () => runners,
        ready: () => ready,
        keys,
        alerts,
        audit,
        ...pipeline.appDeps,
      });
      const port = options.port ?? config.api.port;
      const listening = await new Promise<AddressInfo>((resolve, reject) => {
        server = serveHttp({ fetch: app.fetch, hostname: config.api.host, port }, (info) => resolve(info));
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new Error(
                  `port ${port} on ${config.api.host} is in use: pass --port N or set api.port in the config`,
                )
              : err,
          ),
        );
      });
      url = `http://${config.api.host}:${listening.port}`;
    }
    // The Kafka-protocol endpoint: Kafka clients (and `vigil` commands run beside this service) use the
    // embedded log through it, never by opening its files.
    if (config.broker.enabled && config.log.kind === 'embedded' && !options.untilDrained) {
      broker = await startBrokerWithFallback(
        log,
        config.broker.host,
        options.brokerPort ?? config.broker.port,
      );
      pipeline.broker = { host: broker.host, port: broker.port };
    }
    removeServiceInfo = writeServiceInfo(dataDir, {
      pid: process.pid,
      apiUrl: url ?? undefined,
      broker: pipeline.broker ?? undefined,
      startedAt: new Date().toISOString(),
    });
    // Stages that scale-out workers run elsewhere stay out of this process (their config API stays).
    pipeline.stages = pipeline.stages.filter(
      (s) => !(config.externalStages as string[]).includes(s.stage.name),
    );
    for (const stage of pipeline.stages) {
      const runner = new StageRunner(log, stage.stage, {
        ...stage.options,
        defaultPartitions: config.partitions,
        untilDrained: options.untilDrained,
      });
      runners.push(runner);
    }
    // Stages start in flow order so a bounded run drains upstream before downstream checks its end.
    let stopped = false;
    const startAfter = new Map(pipeline.stages.map((s, i) => [runners[i]!, s.startAfter]));
    let deferred: Promise<void> = Promise.resolve();
    if (options.untilDrained) {
      pipeline.afterStart();
      await pipeline.startSources();
      await pipeline.drainSources();
    } else {
      for (const r of runners) {
        const after = startAfter.get(r);
        if (after) deferred = deferred.then(() => after.then(() => (stopped ? undefined : r.start())));
        else await r.start();
      }
      await pipeline.startSources();
      pipeline.afterStart();
    }
    ready = true;
    const done = options.untilDrained
      ? (async () => {
          for (const r of runners) {
            await startAfter.get(r);
            await r.start();
            await r.done;
          }
        })()
      : deferred.then(() => Promise.all(runners.map((r) => r.done))).then(() => undefined);
    deferred.catch((err) => logger.error({ err }, 'a deferred stage could not start'));
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      ready = false;
      await pipeline!.stopSources();
      for (const r of runners) await r.stop();
      await pipeline!.close();
      await broker?.close();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      removeServiceInfo();
      alerts!.close();
      await log.close();
    };
    return {
      log,
      pipeline,
      runners,
      url,
      configPath: options.configPath ?? null,
      adminKey,
      alerts,
      done,
      stop,
    };
  } catch (err) {
    await pipeline?.stopSources().catch(() => {});
    await pipeline?.close().catch(() => {});
    if (server) (server as { close: () => void }).close();
    await broker?.close().catch(() => {});
    removeServiceInfo();
    alerts?.close();
    await log.close();
    throw err;
  }
}

/** Starts the endpoint on its port, or on a free one when that is taken (service.json tells clients). */
async function startBrokerWithFallback(log: EventLog, host: string, port: number): Promise<RunningBroker> {
  try {
    return await startBroker({ log, host, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    logger.warn(
      { port },
      'Kafka endpoint port in use; using a free port instead (see the banner or service.json)',
    );
    return startBroker({ log, host, port: 0 });
  }
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the pipeline and the API/console (the main job)')
    .option('--port <port>', 'API port (default from config, 8080)', (v) => Number(v))
    .option('--until-drained', 'process everything in the log, then stop')
    .action(async (opts: { port?: number; untilDrained?: boolean }) => {
      const globals = program.opts() as { dataDir?: string; config?: string };
      const configPath = resolveConfigPath(globals.config, DEFAULT_SERVICE_CONFIG);
      const config = loadServiceConfig(configPath);
      const dataDir = resolveDataDir(globals.dataDir ?? config.dataDir);
      const service = await startService({
        config,
        configPath,
        dataDir,
        untilDrained: opts.untilDrained,
        port: opts.port,
      });
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'stopping: committing the batches in flight');
        await service.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      if (opts.untilDrained) {
        await service.done;
        printDrained(service);
        await service.stop();
        return;
      }
      printBanner(service, dataDir, config);
    });
}

function printBanner(service: Service, dataDir: string, config: ServiceConfig): void {
  const lines = [
    '',
    'Vigil is running.',
    `  data dir   ${dataDir} (${config.log.kind} log)`,
    `  config     ${service.configPath ?? 'built in'}`,
    ...service.pipeline.describe().map((l) => `  ${l}`),
  ];
  if (service.url) {
    lines.push(`  console    ${service.url}/`);
    lines.push(
      service.adminKey
        ? `  API key    ${service.adminKey}  (admin; also in ${join(dataDir, 'api', 'admin.key')})`
        : `  API key    see ${join(dataDir, 'api', 'admin.key')} or ask an admin`,
    );
    for (const l of service.pipeline.accessLines(service.url)) lines.push(`  ${l}`);
    lines.push(`  metrics    ${service.url}/metrics`);
  }
  if (service.pipeline.broker) {
    lines.push(
      `  kafka      ${service.pipeline.broker.host}:${service.pipeline.broker.port} (Kafka protocol: kcat, kafkajs, Zeek's Kafka plugin…)`,
    );
  }
  lines.push('  Ctrl-C stops it (the batch in flight is committed first).', '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printDrained(service: Service): void {
  for (const r of service.runners) {
    process.stdout.write(
      `${r.stats.stage}: ${r.stats.recordsIn} in, ${r.stats.recordsOut} out, ${r.stats.errors} errors\n`,
    );
  }
}
