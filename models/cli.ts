// `vigil models list|show|register|promote|rollback|log|schemas`: the registry from the shell. The
// registry is single-writer: when `vigil serve` owns the data dir these commands refuse and point at
// its API instead of opening a second writer.
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { printTable } from '../ingest/cli/log-commands.ts';
import { resolveDataDir, runningService } from '../ingest/log/open.ts';
import { loadConfigFile } from '../kernel/config.ts';
import {
  FeatureStatsSchema,
  LineageSchema,
  type ModelRegistry,
  type ModelVersion,
  openRegistry,
  type PromotionPolicy,
  parseModelRef,
  ScoreDistributionSchema,
  ThresholdSchema,
} from './registry.ts';
import { DEFAULT_MAX_MODEL_BYTES, readModelFile } from './runtime.ts';
import { FeatureSchemaSchema, ModelSignatureSchema } from './signature.ts';
import { packTfjsArtifact, readTfjsDirectory } from './tfjs-runtime.ts';

interface GlobalOptions {
  dataDir?: string;
}

/** Everything `models register --meta FILE` reads (YAML or JSON). */
export const RegisterMetaSchema = z.object({
  signature: ModelSignatureSchema,
  /** Registers this feature schema first (models trained outside Vigil bring their own). */
  featureSchema: FeatureSchemaSchema.optional(),
  lineage: LineageSchema.optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  scoreDistribution: ScoreDistributionSchema.optional(),
  threshold: ThresholdSchema.optional(),
  featureStats: FeatureStatsSchema.optional(),
});

/** Opens the registry of a data dir this process may write, or explains who owns it. */
export async function openRegistryForCli(dataDirOption?: string): Promise<ModelRegistry> {
  const dataDir = resolveDataDir(dataDirOption);
  const service = runningService(dataDir);
  if (service) {
    throw new Error(
      `${dataDir} is owned by vigil serve (pid ${service.pid}); the registry has one writer, so use its API` +
        `${service.apiUrl ? ` at ${service.apiUrl}/api/v1/models` : ''} or stop it first`,
    );
  }
  return openRegistry(dataDir);
}

const defaultWho = () => process.env.VIGIL_USER ?? userInfo().username;

const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} must be a positive whole number`);
  return n;
};

/** Reads an artifact: an ONNX/packed file, or a TF.js model directory packed into one artifact. */
export async function readArtifactSource(
  file: string,
  maxBytes = DEFAULT_MAX_MODEL_BYTES,
): Promise<Uint8Array> {
  const st = await stat(file).catch(() => null);
  if (!st) throw new Error(`no artifact at ${file}`);
  if (st.isDirectory()) return packTfjsArtifact(await readTfjsDirectory(file, maxBytes));
  return readModelFile(file, maxBytes);
}

function versionSummary(v: ModelVersion): Record<string, unknown> {
  return {
    name: v.name,
    version: v.version,
    format: v.format,
    sha256: v.sha256,
    size: v.size,
    featureSchema: v.signature.inputs.featureSchema,
    output: v.signature.output,
    created: v.createdAt,
    by: v.createdBy,
    tags: v.tags,
    metrics: v.metrics,
    threshold: v.threshold,
    description: v.description,
  };
}

export function registerModelsCommands(program: Command): void {
  const globals = () => program.opts() as GlobalOptions;
  const withRegistry = async (fn: (r: ModelRegistry) => Promise<void>): Promise<void> => {
    const registry = await openRegistryForCli(globals().dataDir);
    try {
      await fn(registry);
    } finally {
      await registry.close();
    }
  };
  const out = (v: unknown): void => {
    process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  };

  const models = program.command('models').description('the model registry: versions, aliases, promotion');

  models
    .command('list', { isDefault: true })
    .description('list models with their versions and aliases')
    .option('--json', 'JSON output')
    .action((opts: { json?: boolean }) =>
      withRegistry(async (r) => {
        const list = await r.list();
        if (opts.json) return out(list);
        printTable(
          ['MODEL', 'VERSIONS', 'LATEST', 'ALIASES', 'UPDATED'],
          list.map((m) => [
            m.name,
            String(m.versions),
            String(m.latest),
            Object.entries(m.aliases)
              .map(([a, v]) => `${a}=${v}`)
              .join(' '),
            m.updatedAt,
          ]),
        );
      }),
    );

  models
    .command('show <ref>')
    .description('show a model (all versions) or one version: NAME, NAME@ALIAS or NAME:VERSION')
    .option('--json', 'JSON output')
    .action((ref: string, opts: { json?: boolean }) =>
      withRegistry(async (r) => {
        const explicit = ref.includes('@') || ref.includes(':');
        const { name } = parseModelRef(ref);
        const versions = explicit ? [await r.resolve(ref)] : await r.versions(name);
        if (versions.length === 0) throw new Error(`no model named "${name}"`);
        const aliases = await r.aliases(name);
        const evaluations = (await r.evaluations(name)).filter((e) =>
          versions.some((v) => v.version === e.version),
        );
        const log = await r.promotionLog(name);
        if (opts.json) return out({ versions, aliases, evaluations, promotionLog: log });
        for (const v of versions) {
          process.stdout.write(`${JSON.stringify(versionSummary(v), null, 2)}\n`);
        }
        process.stdout.write(
          `aliases: ${
            Object.entries(aliases)
              .map(([a, v]) => `${a}=${v}`)
              .join(' ') || '(none)'
          }\n`,
        );
        if (evaluations.length) {
          printTable(
            ['VERSION', 'KIND', 'DATASET', 'METRICS', 'AT'],
            evaluations.map((e) => [
              String(e.version),
              e.kind,
              e.dataset ?? '',
              JSON.stringify(e.metrics),
              e.at,
            ]),
          );
        }
      }),
    );

  models
    .command('register <name>')
    .description('register a new immutable version from an artifact and a metadata file')
    .requiredOption('--artifact <path>', 'ONNX file, packed TF.js artifact, or TF.js model directory')
    .requiredOption(
      '--meta <file>',
      'YAML/JSON: signature, lineage, metrics, tags, description, scoreDistribution, threshold',
    )
    .option('--alias <alias>', 'also point this alias at the new version (no policy; logged)')
    .option('--who <who>', 'who registers it', defaultWho())
    .option('--json', 'JSON output')
    .action(
      (name: string, opts: { artifact: string; meta: string; alias?: string; who: string; json?: boolean }) =>
        withRegistry(async (r) => {
          const meta = loadConfigFile(opts.meta, RegisterMetaSchema);
          if (meta.featureSchema) await r.registerFeatureSchema(meta.featureSchema);
          const artifact = await readArtifactSource(opts.artifact, r.maxArtifactBytes);
          const v = await r.register(name, artifact, { ...meta, who: opts.who });
          if (opts.alias)
            await r.setAlias(name, opts.alias, v.version, { who: opts.who, reason: 'set at registration' });
          if (opts.json) return out(versionSummary(v));
          process.stdout.write(`registered ${v.name}:${v.version} (sha256 ${v.sha256})\n`);
        }),
    );

  models
    .command('promote')
    .argument('<name>', 'model name')
    .argument('<version>', 'version to point the alias at', positiveInt('version'))
    .description('point an alias (default champion) at a version; optionally gated by a metric')
    .option('--alias <alias>', 'alias to move', 'champion')
    .requiredOption('--reason <text>', 'why (kept in the promotion log)')
    .option('--who <who>', 'who promotes', defaultWho())
    .option(
      '--require-metric <metric>',
      'policy: the version must have an evaluation beating the current one on this metric',
    )
    .option('--lower-is-better', 'policy: lower metric values win')
    .option('--min-improvement <delta>', 'policy: required margin', Number)
    .option('--kind <kind>', 'policy: count only evaluation or backtest records')
    .option('--json', 'JSON output')
    .action(
      (
        name: string,
        version: number,
        opts: {
          alias: string;
          reason: string;
          who: string;
          requireMetric?: string;
          lowerIsBetter?: boolean;
          minImprovement?: number;
          kind?: 'evaluation' | 'backtest';
          json?: boolean;
        },
      ) =>
        withRegistry(async (r) => {
          const policy: PromotionPolicy | undefined = opts.requireMetric
            ? {
                metric: opts.requireMetric,
                higherIsBetter: !opts.lowerIsBetter,
                minImprovement: opts.minImprovement,
                kind: opts.kind,
              }
            : undefined;
          const e = await r.promote(name, opts.alias, version, {
            who: opts.who,
            reason: opts.reason,
            policy,
          });
          if (opts.json) return out(e);
          process.stdout.write(`${name}@${e.alias}: ${e.fromVersion ?? '(none)'} -> ${e.toVersion}\n`);
        }),
    );

  models
    .command('rollback <name>')
    .description('move an alias back to the version it had before (logged)')
    .option('--alias <alias>', 'alias to roll back', 'champion')
    .requiredOption('--reason <text>', 'why (kept in the promotion log)')
    .option('--who <who>', 'who rolls back', defaultWho())
    .option('--json', 'JSON output')
    .action((name: string, opts: { alias: string; reason: string; who: string; json?: boolean }) =>
      withRegistry(async (r) => {
        const e = await r.rollback(name, opts.alias, { who: opts.who, reason: opts.reason });
        if (opts.json) return out(e);
        process.stdout.write(`${name}@${e.alias}: ${e.fromVersion} -> ${e.toVersion} (rolled back)\n`);
      }),
    );

  models
    .command('log [name]')
    .description('the append-only promotion log')
    .option('--json', 'JSON output')
    .action((name: string | undefined, opts: { json?: boolean }) =>
      withRegistry(async (r) => {
        const log = await r.promotionLog(name);
        if (opts.json) return out(log);
        printTable(
          ['SEQ', 'MODEL', 'ALIAS', 'ACTION', 'FROM', 'TO', 'WHO', 'AT', 'REASON'],
          log.map((e) => [
            String(e.seq),
            e.name,
            e.alias,
            e.action,
            String(e.fromVersion ?? '-'),
            String(e.toVersion),
            e.who,
            e.at,
            e.reason,
          ]),
        );
      }),
    );

  models
    .command('schemas')
    .description('feature schemas models can be registered against')
    .option('--json', 'JSON output')
    .action((opts: { json?: boolean }) =>
      withRegistry(async (r) => {
        const schemas = await r.featureSchemas();
        if (opts.json) return out(schemas);
        printTable(
          ['SCHEMA', 'VERSION', 'FEATURES'],
          schemas.map((s) => [s.name, String(s.version), s.features.map((f) => f.name).join(',')]),
        );
      }),
    );
}
