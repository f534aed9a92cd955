// /api/v1/training/runs: start a training run from a spec (YAML text) in the background and follow it.
// The trainer is training/train.ts's runTraining (the same code as `vigil train`); a finished run is
// registered in the model registry (never promoted: that stays a deliberate, audited act).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from '../../kernel/config.ts';
import { logger } from '../../kernel/logger.ts';
import type { ModelRegistry } from '../../models/registry.ts';
import { registerTrainingResult } from '../../training/register.ts';
import { type LoadedSpec, parseTrainingSpec, type TrainingSpec } from '../../training/spec.ts';
import { flatMetrics, runTraining, type TrainingProgress } from '../../training/train.ts';
import type { AuditLog } from '../audit.ts';
import { newRouter, requireRole } from '../http.ts';

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TrainingRun {
  id: string;
  name: string;
  state: RunState;
  /** 0–1: load 5%, prepare 10%, training epochs up to 80%, export 85%, evaluate 90%, registered 100%. */
  progress: number;
  phase: TrainingProgress['phase'] | 'queued' | 'register' | 'done';
  epoch?: number;
  epochs?: number;
  loss?: number;
  startedBy: string;
  createdAt: string;
  finishedAt?: string;
  error?: string;
  results?: {
    metrics: Record<string, number>;
    rows: { train: number; validation: number; test: number };
    timingsMs: Record<string, number>;
    threshold: number;
    model?: { name: string; version: number };
  };
}

export interface TrainingRunsOptions {
  /** Where spec source paths resolve; a path outside `allowedRoots` is refused. */
  baseDir: string;
  /** Directories a spec may read (default [baseDir]). */
  allowedRoots?: string[];
  registry?: ModelRegistry;
  /** Runs kept in memory (oldest finished dropped first). */
  keep?: number;
}

const PHASE_AT = { load: 0.05, prepare: 0.1, train: 0.1, export: 0.85, evaluate: 0.9 } as const;

export function progressOf(p: TrainingProgress): number {
  if (p.phase === 'train' && p.epoch !== undefined && p.epochs) {
    return PHASE_AT.train + 0.7 * Math.min(1, p.epoch / p.epochs);
  }
  return PHASE_AT[p.phase];
}

/** Background training runs, one at a time (2 cores shared with the pipeline). */
export class TrainingRuns {
  private readonly runs = new Map<string, TrainingRun>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: TrainingRunsOptions) {}

  /** Validates the spec now (errors are the caller's to report), then queues the run. */
  start(specText: string, who: string): TrainingRun {
    const loaded = parseTrainingSpec(specText, this.options.baseDir, 'spec');
    this.checkSources(loaded.spec);
    const run: TrainingRun = {
      id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      name: loaded.spec.name,
      state: 'queued',
      progress: 0,
      phase: 'queued',
      startedBy: who,
      createdAt: new Date().toISOString(),
    };
    this.runs.set(run.id, run);
    this.prune();
    this.queue = this.queue.then(() => this.execute(run, loaded)).catch(() => undefined);
    return run;
  }

  get(id: string): TrainingRun | undefined {
    return this.runs.get(id);
  }

  list(): TrainingRun[] {
    return [...this.runs.values()].reverse();
  }

  /** Resolves when every queued run has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  // A spec from the API may read only under the allowed roots, and never through free SQL.
  private checkSources(spec: TrainingSpec): void {
    const roots = (this.options.allowedRoots ?? [this.options.baseDir]).map((r) => path.resolve(r));
    const sources = [spec.source, spec.split?.kind === 'source' ? spec.split.test : undefined];
    for (const [i, s] of sources.entries()) {
      if (!s) continue;
      const field = i === 0 ? 'source' : 'split.test';
      if (s.sql !== undefined)
        throw specError(`${field}.sql`, 'SQL sources are not accepted over the API; give a path');
      if (s.path === undefined) continue;
      const file = path.resolve(this.options.baseDir, s.path);
      if (!roots.some((r) => file === r || file.startsWith(r + path.sep))) {
        throw specError(`${field}.path`, `must be inside ${roots.join(' or ')}`);
      }
    }
  }

  private async execute(run: TrainingRun, loaded: LoadedSpec): Promise<void> {
    run.state = 'running';
    try {
      const result = await runTraining(loaded, {
        onProgress: (p) => {
          run.phase = p.phase;
          run.progress = Math.max(run.progress, progressOf(p));
          if (p.epoch !== undefined) run.epoch = p.epoch;
          if (p.epochs !== undefined) run.epochs = p.epochs;
          if (p.loss !== undefined) run.loss = p.loss;
        },
      });
      run.results = {
        metrics: flatMetrics(result),
        rows: result.rows,
        timingsMs: result.timings,
        threshold: result.threshold.value,
      };
      if (this.options.registry) {
        run.phase = 'register';
        const v = await registerTrainingResult(this.options.registry, result, { who: run.startedBy });
        run.results.model = { name: v.name, version: v.version };
      }
      run.state = 'succeeded';
      run.phase = 'done';
      run.progress = 1;
    } catch (err) {
      run.state = 'failed';
      run.error = err instanceof Error ? err.message : String(err);
      logger.warn({ run: run.id, err: run.error }, 'training run failed');
    } finally {
      run.finishedAt = new Date().toISOString();
    }
  }

  private prune(): void {
    const keep = this.options.keep ?? 100;
    for (const [id, r] of this.runs) {
      if (this.runs.size <= keep) break;
      if (r.state === 'succeeded' || r.state === 'failed') this.runs.delete(id);
    }
  }
}

function specError(field: string, message: string): ConfigError {
  return new ConfigError(`spec: ${field}: ${message}`, 'spec', [{ path: field, message }]);
}

const runSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'failed']),
    progress: z.number().min(0).max(1),
    phase: z.string(),
    epoch: z.number().optional(),
    epochs: z.number().optional(),
    loss: z.number().optional(),
    startedBy: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    error: z.string().optional(),
    results: z.unknown().optional(),
  })
  .openapi('TrainingRun');
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const errorBody = z.object({ error: z.string() }).openapi('Error');

export function trainingRoutes(deps: { training: TrainingRuns; audit: AuditLog }) {
  const app = newRouter();
  app.use('*', requireRole('admin'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/runs',
      description:
        'Starts a training run in the background from a training spec (YAML text, as for `vigil train`). ' +
        'Sources must be files under the allowed data roots. The trained model is registered (not promoted).',
      request: {
        body: {
          required: true,
          content: {
            'application/json': { schema: z.object({ spec: z.string().min(1).max(1_000_000) }) },
          },
        },
      },
      responses: {
        202: json(runSchema, 'Started; poll its status'),
        400: json(errorBody, 'Invalid spec (file:line: field)'),
      },
    }),
    async (c) => {
      const p = c.get('principal');
      let run: TrainingRun;
      try {
        run = deps.training.start(c.req.valid('json').spec, p.name);
      } catch (err) {
        if (err instanceof ConfigError) {
          return c.json(
            {
              error: err.message,
              issues: err.issues.map((i) => ({
                field: i.path || '(spec)',
                line: i.line,
                message: i.message,
              })),
            },
            400,
          );
        }
        throw err;
      }
      await deps.audit.record(p, 'training.start', run.id, { name: run.name });
      return c.json(run as never, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs',
      responses: { 200: json(z.array(runSchema), 'Runs, newest first') },
    }),
    (c) => c.json(deps.training.list() as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}',
      request: {
        params: z.object({
          id: z
            .string()
            .regex(/^[a-z0-9-]{1,64}$/, 'a run id')
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
      },
      responses: {
        200: json(runSchema, 'The run: state, progress (0–1), and results when done'),
        404: json(errorBody, 'No such run'),
      },
    }),
    (c) => {
      const run = deps.training.get(c.req.valid('param').id);
      if (!run) throw new HTTPException(404, { message: `no training run ${c.req.valid('param').id}` });
      return c.json(run as never, 200);
    },
  );
  return app;
}
