// /api/v1/backtests: run a model version over a range of history beside the champion, in the
// background, and follow it. The work is training/backtest's backtest() (the same code as
// `vigil backtest`): the live scorer's code path, no live alerts written, the result stored on the
// model versions (kind `backtest`) so a promotion policy can require it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { RangeBound } from '../../features/replay.ts';
import type { EventLog } from '../../ingest/log/types.ts';
import { logger } from '../../kernel/logger.ts';
import { formatModelRef, type ModelRegistry, parseModelRef } from '../../models/registry.ts';
import { type BacktestReport, type BacktestSource, backtest } from '../../training/backtest/backtest.ts';
import { openHistory } from '../../training/history/history.ts';
import { type LabelInterval, parseLabelFile } from '../../training/labels/label-file.ts';
import type { AuditLog } from '../audit.ts';
import { newRouter, requireRole } from '../http.ts';

export type BacktestState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface BacktestRequest {
  /** NAME@ALIAS or NAME:VERSION; an alias is pinned to its version when the backtest is started. */
  model: string;
  /** An offset, an ISO-8601 time or @epochMs (history: times only). */
  from?: string;
  /** Exclusive end, as `from`. */
  to?: string;
  /** `log`: the features topic (default); `history`: the archived features (Parquet). */
  source?: 'log' | 'history';
  /** The log topic of feature records (default `features`). */
  topic?: string;
  /** Label file text (JSON lines or CSV of entity, start, end, label) or the intervals themselves. */
  labels?: string | Record<string, unknown>[];
  /** The alias or NAME:VERSION run side by side (default `champion`; null or "none": no baseline). */
  compareWith?: string | null;
  dataset?: string;
}

export interface BacktestJob {
  id: string;
  /** The candidate, pinned: NAME:VERSION. */
  model: string;
  /** What was asked for (an alias stays visible). */
  requested: string;
  compareWith: string | null;
  source: 'log' | 'history';
  from?: string;
  to?: string;
  labelled: boolean;
  state: BacktestState;
  /** 0–1: records read over records in range (to 90%), then summarize and record (100%). */
  progress: number;
  records: number;
  total?: number;
  startedBy: string;
  createdAt: string;
  finishedAt?: string;
  error?: string;
  report?: BacktestReport;
}

export interface BacktestRunsOptions {
  log: EventLog;
  registry: ModelRegistry;
  /** The archived history root (training/history), for `source: history`. */
  historyRoot?: string;
  /** Each backtest's alerts and report.json go to <outDir>/<id> (nothing to the live topics). */
  outDir?: string;
  /** Backtests kept in memory (oldest finished dropped first). */
  keep?: number;
}

/** A request the caller got wrong: the field and why (a 400). */
export class BacktestRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'BacktestRequestError';
  }
}

const TOPIC = /^[A-Za-z0-9._-]{1,200}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}([@:][A-Za-z0-9._-]{1,128})?$/;

function parseBoundField(text: string, field: string): RangeBound {
  if (/^\d+$/.test(text)) {
    const offset = Number(text);
    if (!Number.isSafeInteger(offset)) throw new BacktestRequestError(field, `offset ${text} is too large`);
    return { offset };
  }
  const epoch = /^@(\d{1,15})$/.exec(text);
  if (epoch) return { time: Number(epoch[1]) };
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new BacktestRequestError(field, `'${text}' is neither an offset nor a time (ISO-8601 or @epochMs)`);
  return { time: t };
}

function parseLabels(labels: BacktestRequest['labels']): LabelInterval[] | undefined {
  if (labels === undefined) return undefined;
  // Objects go through the label-file parser too, so both forms are checked the same way.
  const text = typeof labels === 'string' ? labels : labels.map((l) => JSON.stringify(l)).join('\n');
  let parsed: LabelInterval[];
  try {
    parsed = parseLabelFile(text, 'labels');
  } catch (err) {
    throw new BacktestRequestError('labels', (err as Error).message);
  }
  if (parsed.length === 0) throw new BacktestRequestError('labels', 'no label intervals given');
  return parsed;
}

/** Background backtests, one at a time (2 cores shared with the pipeline). */
export class BacktestRuns {
  private readonly jobs = new Map<string, BacktestJob>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: BacktestRunsOptions) {}

  /** Validates the request now (a BacktestRequestError names the field), then queues the backtest. */
  async start(req: BacktestRequest, who: string): Promise<BacktestJob> {
    const { log, registry } = this.options;
    if (!REF.test(req.model))
      throw new BacktestRequestError('model', 'expected NAME, NAME@ALIAS or NAME:VERSION');
    const candidate = await Promise.resolve()
      .then(() => registry.resolve(parseModelRef(req.model)))
      .catch((err: Error) => {
        throw new BacktestRequestError('model', err.message);
      });
    const compare = req.compareWith === undefined ? 'champion' : req.compareWith;
    const compareWith = compare === null || compare === 'none' ? null : compare;
    if (compareWith !== null && !REF.test(compareWith))
      throw new BacktestRequestError('compareWith', 'expected an alias, NAME@ALIAS, NAME:VERSION or "none"');
    if (compareWith !== null && /[@:]/.test(compareWith)) {
      try {
        parseModelRef(compareWith);
      } catch (err) {
        throw new BacktestRequestError('compareWith', (err as Error).message);
      }
    }
    const sourceKind = req.source ?? 'log';
    const from = req.from === undefined ? undefined : parseBoundField(req.from, 'from');
    const to = req.to === undefined ? undefined : parseBoundField(req.to, 'to');
    if (from && to && 'offset' in from === 'offset' in to) {
      const a = 'offset' in from ? from.offset : from.time;
      const b = 'offset' in to ? to.offset : (to as { time: number }).time;
      if (a >= b) throw new BacktestRequestError('to', 'must be after from');
    }
    const labels = parseLabels(req.labels);

    let source: BacktestSource;
    if (sourceKind === 'history') {
      if (!this.options.historyRoot)
        throw new BacktestRequestError('source', 'this server has no archived history');
      for (const [field, b] of [
        ['from', from],
        ['to', to],
      ] as const) {
        if (b && 'offset' in b)
          throw new BacktestRequestError(
            field,
            'the history is read by time (ISO-8601 or @epochMs), not by offset',
          );
      }
      source = {
        kind: 'history',
        root: this.options.historyRoot,
        from: from && 'time' in from ? from.time : undefined,
        to: to && 'time' in to ? to.time : undefined,
      };
    } else {
      const topic = req.topic ?? 'features';
      if (!TOPIC.test(topic)) throw new BacktestRequestError('topic', 'not a topic name');
      if (!(await log.listTopics()).includes(topic))
        throw new BacktestRequestError('topic', `no topic "${topic}" on the log`);
      source = { kind: 'features', log, topic, from, to };
    }

    const job: BacktestJob = {
      id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      model: formatModelRef({ name: candidate.name, version: candidate.version }),
      requested: req.model,
      compareWith,
      source: sourceKind,
      from: req.from,
      to: req.to,
      labelled: labels !== undefined,
      state: 'queued',
      progress: 0,
      records: 0,
      startedBy: who,
      createdAt: new Date().toISOString(),
    };
    this.jobs.set(job.id, job);
    this.prune();
    this.queue = this.queue.then(() => this.execute(job, source, labels, req.dataset)).catch(() => undefined);
    return job;
  }

  get(id: string): BacktestJob | undefined {
    return this.jobs.get(id);
  }

  list(): BacktestJob[] {
    return [...this.jobs.values()].reverse();
  }

  /** Resolves when every queued backtest has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private async execute(
    job: BacktestJob,
    source: BacktestSource,
    labels: LabelInterval[] | undefined,
    dataset: string | undefined,
  ): Promise<void> {
    job.state = 'running';
    try {
      if (source.kind === 'history') job.total = await countHistory(source);
      job.report = await backtest({
        source,
        model: job.model,
        registry: this.options.registry,
        compareWith: job.compareWith,
        labels,
        dataset,
        out: this.options.outDir ? path.join(this.options.outDir, job.id) : undefined,
        who: job.startedBy,
        onProgress: (p) => {
          job.records = p.records;
          if (p.total !== undefined) job.total = p.total;
          if (job.total) job.progress = Math.max(job.progress, 0.9 * Math.min(1, p.records / job.total));
        },
      });
      job.state = 'succeeded';
      job.progress = 1;
    } catch (err) {
      job.state = 'failed';
      job.error = err instanceof Error ? err.message : String(err);
      logger.warn({ backtest: job.id, err: job.error }, 'backtest failed');
    } finally {
      job.finishedAt = new Date().toISOString();
    }
  }

  private prune(): void {
    const keep = this.options.keep ?? 100;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= keep) break;
      if (j.state === 'succeeded' || j.state === 'failed') this.jobs.delete(id);
    }
  }
}

// The archive has no record count up front; one count query gives the progress a denominator.
async function countHistory(source: Extract<BacktestSource, { kind: 'history' }>): Promise<number> {
  const history = await openHistory(source.root);
  try {
    if (!history.views.includes('features')) return 0;
    const where: string[] = [];
    if (source.from !== undefined) where.push(`_ts >= ${Math.floor(source.from)}`);
    if (source.to !== undefined) where.push(`_ts < ${Math.floor(source.to)}`);
    const { rows } = await history.query(
      `SELECT count(*)::DOUBLE AS n FROM features ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    history.close();
  }
}

const labelObject = z
  .object({
    entity: z.string(),
    start: z.union([z.number(), z.string()]),
    end: z.union([z.number(), z.string()]),
    label: z.union([z.number(), z.string(), z.boolean()]),
    scenario: z.string().nullable().optional(),
  })
  .passthrough();

const requestSchema = z
  .object({
    model: z.string().min(1).max(260).openapi({ example: 'network-src-anomaly@challenger' }),
    from: z.string().min(1).max(64).optional().openapi({ description: 'offset, ISO-8601 time or @epochMs' }),
    to: z.string().min(1).max(64).optional().openapi({ description: 'exclusive end, as from' }),
    source: z.enum(['log', 'history']).optional(),
    topic: z.string().min(1).max(200).optional(),
    labels: z
      .union([z.string().max(15_000_000), z.array(labelObject).max(100_000)])
      .optional()
      .openapi({ description: 'label file text (JSON lines or CSV) or label intervals' }),
    compareWith: z.string().min(1).max(260).nullable().optional(),
    dataset: z.string().min(1).max(200).optional(),
  })
  .strict()
  .openapi('BacktestRequest');

const jobSchema = z
  .object({
    id: z.string(),
    model: z.string(),
    requested: z.string(),
    compareWith: z.string().nullable(),
    source: z.enum(['log', 'history']),
    from: z.string().optional(),
    to: z.string().optional(),
    labelled: z.boolean(),
    state: z.enum(['queued', 'running', 'succeeded', 'failed']),
    progress: z.number().min(0).max(1),
    records: z.number(),
    total: z.number().optional(),
    startedBy: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    error: z.string().optional(),
    report: z.unknown().optional(),
  })
  .openapi('Backtest');
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const errorBody = z.object({ error: z.string() }).openapi('Error');
const idParam = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'a backtest id')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export function backtestRoutes(deps: { backtests: BacktestRuns; audit: AuditLog }) {
  const app = newRouter();
  // Reading results is triage work; starting one records results on model versions (policy input).
  app.use('*', requireRole('analyst'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      description:
        'Starts a backtest of a model version (beside the champion) over feature records on the log or in ' +
        'the archived history. Writes no live alerts; the result is stored on the model versions.',
      request: { body: { required: true, content: { 'application/json': { schema: requestSchema } } } },
      responses: {
        202: json(jobSchema, 'Started; poll its status'),
        400: json(errorBody, 'Invalid request (names the field)'),
      },
    }),
    async (c) => {
      const p = c.get('principal');
      let job: BacktestJob;
      try {
        job = await deps.backtests.start(c.req.valid('json') as BacktestRequest, p.name);
      } catch (err) {
        if (err instanceof BacktestRequestError)
          return c.json({ error: err.message, issues: [{ field: err.field, message: err.message }] }, 400);
        throw err;
      }
      await deps.audit.record(p, 'backtest.start', job.id, {
        model: job.model,
        compareWith: job.compareWith,
        source: job.source,
        from: job.from,
        to: job.to,
      });
      return c.json(job as never, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      responses: { 200: json(z.array(jobSchema), 'Backtests, newest first (reports left out)') },
    }),
    (c) => c.json(deps.backtests.list().map(({ report: _, ...j }) => j) as never, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      request: { params: idParam },
      responses: {
        200: json(jobSchema, 'The backtest: state, progress (0–1), and the report when done'),
        400: json(errorBody, 'Not a backtest id'),
        404: json(errorBody, 'No such backtest'),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const job = deps.backtests.get(id);
      if (!job) throw new HTTPException(404, { message: `no backtest ${id}` });
      return c.json(job as never, 200);
    },
  );
  return app;
}
