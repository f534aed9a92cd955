// /openapi.json of the full app (every optional resource mounted) must be a valid OpenAPI 3.1
// document: checked against the official schema by a maintained validator, every $ref resolvable,
// and every route the app serves under /api/v1 described.
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../api/alerts/store.ts';
import { createApp } from '../api/app.ts';
import { AuditLog } from '../api/audit.ts';
import { KeyStore } from '../api/auth/keys.ts';
import { BacktestRuns } from '../api/routes/backtests.ts';
import { enrichmentConfigStore, profilesConfigStore, sensorsConfigStore } from '../api/routes/config.ts';
import { TrainingRuns } from '../api/routes/training.ts';
import { parseProfilesConfig } from '../features/profile-config.ts';
import { ProfileStore } from '../features/profile-store.ts';
import { createProfilerStage } from '../features/stage.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { SensorRegistry } from '../ingest/sensors/registry.ts';
import { type ModelRegistry, openRegistry } from '../models/registry.ts';
import { parseEnrichConfig } from '../scoring/triage/config.ts';
import { createEnrichStage } from '../scoring/triage/enrich-stage.ts';
import { tempDir } from './helpers/tmp.ts';

const tmp = tempDir();
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

type Param = { name: string; in: string; required?: boolean };
type Op = { parameters?: Param[] };

/** Problems the OpenAPI JSON Schema does not see: path parameters and 3.1 schema keywords. */
function semanticProblems(doc: { paths: Record<string, unknown> }): string[] {
  const problems: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string).sort();
    for (const method of METHODS) {
      const op = (item as Record<string, Op | undefined>)[method];
      if (!op) continue;
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      const names = declared.map((p) => p.name).sort();
      if (JSON.stringify(names) !== JSON.stringify(inPath))
        problems.push(
          `${method} ${path}: path parameters ${names.join(',') || 'none'}, path has ${inPath.join(',')}`,
        );
      for (const p of declared)
        if (p.required !== true)
          problems.push(`${method} ${path}: path parameter ${p.name} must be required`);
    }
  }
  const walk = (x: unknown, at: string): void => {
    if (Array.isArray(x)) {
      for (const [i, v] of x.entries()) walk(v, `${at}/${i}`);
      return;
    }
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    const types = typeof o.type === 'string' ? [o.type] : Array.isArray(o.type) ? o.type : [];
    for (const t of types) if (!TYPES.has(t as string)) problems.push(`${at}: type ${String(t)}`);
    if ('nullable' in o) problems.push(`${at}: nullable is OpenAPI 3.0; 3.1 uses type [..., "null"]`);
    for (const k of ['exclusiveMinimum', 'exclusiveMaximum'])
      if (k in o && typeof o[k] !== 'number') problems.push(`${at}: ${k} must be a number in 3.1`);
    for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
  };
  walk(doc.paths, '#/paths');
  walk((doc as { components?: { schemas?: unknown } }).components?.schemas, '#/components/schemas');
  return problems;
}
const SENSORS = 'sensors:\n  - name: bro\n    parser: zeek-json\n';
const ENRICH = 'sigma: { enabled: false }\n';
const PROFILES =
  'profiles:\n  - name: conns\n    foreach: source.ip\n    window: { size: 1m }\n    aggregations:\n      n: { op: count }\n';
let log: EmbeddedLog;
let alerts: AlertStore;
let registry: ModelRegistry;
let profiles: ProfileStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  log = await openEmbeddedLog(join(tmp.dir, 'log'), { fsync: false });
  alerts = await AlertStore.open(join(tmp.dir, 'alerts.duckdb'));
  registry = await openRegistry(tmp.dir);
  profiles = await ProfileStore.open(':memory:');
  const sensors = SensorRegistry.fromText(SENSORS);
  const enrich = createEnrichStage({ config: parseEnrichConfig(ENRICH, 'enrich.yaml', tmp.dir) });
  const profiler = createProfilerStage({ profiles: parseProfilesConfig(PROFILES) });
  app = createApp({
    log,
    runners: () => [],
    ready: () => true,
    keys: new KeyStore(join(tmp.dir, 'keys.json')),
    alerts,
    audit: new AuditLog(log),
    models: { registry, policy: { metric: 'auroc' } },
    configs: {
      sensors: sensorsConfigStore(sensors, SENSORS),
      enrichment: enrichmentConfigStore(enrich, ENRICH, tmp.dir),
      profiles: profilesConfigStore(profiler, PROFILES),
    },
    ingest: { sensors },
    profiles: { store: profiles, names: () => ['conns'] },
    training: new TrainingRuns({ baseDir: tmp.dir, registry }),
    backtests: new BacktestRuns({ log, registry }),
  });
});

afterAll(async () => {
  profiles.close();
  await registry.close();
  alerts.close();
  await log.close();
  tmp.remove();
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document describing every resource', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');

    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 4000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Every $ref points at something the document defines.
    expect(() => validator.resolveRefs()).not.toThrow();

    // One described path per optional resource (a mount missing from the document fails here).
    const paths = Object.keys(doc.paths);
    for (const prefix of [
      '/api/v1/alerts',
      '/api/v1/events',
      '/api/v1/models',
      '/api/v1/config',
      '/api/v1/ingest',
      '/api/v1/profiles',
      '/api/v1/training/runs',
      '/api/v1/backtests',
    ]) {
      expect(
        paths.some((p) => p.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    // Path parameters are declared in OpenAPI's {name} form, never Hono's :name.
    expect(paths.filter((p) => p.includes('/:'))).toEqual([]);
    // What the schema validator leaves to us: every {param} declared as a required path parameter
    // and nothing else, and JSON Schema 2020-12 keywords (no 3.0 leftovers like `nullable`).
    expect(semanticProblems(doc)).toEqual([]);
  });

  it('has a semantic check that catches what the schema validator lets through', () => {
    const doc = {
      paths: {
        '/a/{id}': { get: { parameters: [{ name: 'ID', in: 'path', required: true }] } },
        '/b': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: { type: 'object', properties: { n: { type: 'int', nullable: true } } },
                },
              },
            },
          },
        },
        '/c': { get: { parameters: [{ name: 'x', in: 'query', schema: { exclusiveMinimum: true } }] } },
      },
    };
    expect(semanticProblems(doc)).toHaveLength(4);
  });
});
