// The service's configuration: one YAML/JSON file (optional; every field has a default). Each
// stage's section is validated by that stage's own schema when the service wires it.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadConfigFile } from '../kernel/config.ts';

const logSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('embedded'),
    fsync: z.boolean().default(true),
    maxRecordBytes: z.number().int().positive().optional(),
    defaultPartitions: z.number().int().min(1).max(1024).optional(),
  }),
  z.object({
    kind: z.literal('kafka'),
    brokers: z.array(z.string().min(1)).min(1),
    clientId: z.string().optional(),
    ssl: z.boolean().optional(),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string(),
        password: z.string(),
      })
      .optional(),
  }),
]);

export const serviceConfigSchema = z
  .object({
    dataDir: z.string().optional(),
    log: logSchema.default({ kind: 'embedded', fsync: true }),
    /** Stages run by `vigil worker` processes elsewhere (scale-out), not by this service. */
    externalStages: z.array(z.enum(['parse', 'enrich'])).default([]),
    /** Partitions for topics the service creates. */
    partitions: z.number().int().min(1).max(256).default(1),
    api: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
      })
      .prefault({}),
    broker: z
      .object({
        enabled: z.boolean().default(false),
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9092),
      })
      .prefault({}),
    /** Where stage configs live (sensors, sources, enrichment, triage, profiles, models); default: built-ins. */
    simulator: z.unknown().optional(),
    sensors: z.unknown().optional(),
    sources: z.unknown().optional(),
    enrichment: z.unknown().optional(),
    profiles: z.unknown().optional(),
    scoring: z.unknown().optional(),
  })
  .strict();

export type ServiceConfig = z.output<typeof serviceConfigSchema>;

/** The config file in force: --config, else ./vigil.yaml, else the built-in default (api/defaults). */
export function resolveConfigPath(path: string | undefined, builtin: string): string {
  if (path) return path;
  if (existsSync('vigil.yaml')) return 'vigil.yaml';
  return builtin;
}

export function loadServiceConfig(path: string): ServiceConfig {
  return loadConfigFile(path, serviceConfigSchema);
}
