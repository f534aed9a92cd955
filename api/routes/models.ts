// /api/v1/models: the model registry over REST — list, show (versions, aliases, metrics, lineage,
// evaluations), register by upload, promote/rollback behind the promotion policy, the promotion log.
// Promotions and registrations are audited; the policy's refusal is a 409 that says why.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  type ModelRegistry,
  type PromotionPolicy,
  type RegisterOptions,
  RegistryError,
} from '../../models/registry.ts';
import type { AuditLog } from '../audit.ts';
import { type AppEnv, newRouter, requireRole } from '../http.ts';

export interface ModelsDeps {
  registry: ModelRegistry;
  /** The gate every REST promotion passes (e.g. {metric: 'auroc'}); none: any version may be promoted. */
  policy?: PromotionPolicy;
  /** Largest artifact accepted by upload, bytes (default 64 MiB; the registry's own limit also holds). */
  maxUploadBytes?: number;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

// The registry's own name rule; checked here too so a traversal attempt is a 400 before any lookup.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const modelName = z
  .string()
  .regex(NAME, "letters, digits, '.', '_' or '-' (max 128), starting with a letter or digit")
  .openapi({ param: { name: 'name', in: 'path' }, example: 'network-anomaly' });
const nameParam = z.object({ name: modelName });
const alias = z
  .string()
  .regex(NAME, "an alias: letters, digits, '.', '_' or '-'")
  .openapi({ example: 'champion' });
const reason = z.string().trim().min(1, 'say why').max(2000);
const errorBody = z.object({ error: z.string() }).openapi('Error');
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const promotionEntry = z
  .object({
    seq: z.number(),
    name: z.string(),
    alias: z.string(),
    action: z.enum(['promote', 'rollback', 'set']),
    fromVersion: z.number().nullable(),
    toVersion: z.number(),
    who: z.string(),
    reason: z.string(),
    at: z.string(),
    metrics: z.record(z.string(), z.number()),
  })
  .openapi('PromotionLogEntry');

const versionRow = z
  .object({
    name: z.string(),
    version: z.number(),
    sha256: z.string(),
    size: z.number(),
    format: z.string(),
    signature: z.unknown(),
    lineage: z.unknown(),
    metrics: z.record(z.string(), z.number()),
    tags: z.record(z.string(), z.string()),
    description: z.string(),
    scoreDistribution: z.unknown(),
    threshold: z.unknown(),
    featureStats: z.unknown(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('ModelVersion');

/** The metadata part of an upload: everything `register` takes but the artifact bytes. */
export const uploadMetadataSchema = z.strictObject({
  signature: z.record(z.string(), z.unknown()),
  lineage: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  description: z.string().max(10_000).optional(),
  scoreDistribution: z.record(z.string(), z.unknown()).optional(),
  threshold: z.record(z.string(), z.unknown()).optional(),
  featureStats: z.record(z.string(), z.unknown()).optional(),
  /** Point this alias at the new version (no policy; logged as 'set'). */
  alias: alias.optional(),
});

const STATUS: Record<RegistryError['code'], 400 | 404 | 409 | 413 | 500 | 503> = {
  NOT_FOUND: 404,
  INVALID: 400,
  TOO_LARGE: 413,
  SIGNATURE_MISMATCH: 400,
  POLICY_REJECTED: 409,
  NOTHING_TO_ROLL_BACK: 409,
  CORRUPT_ARTIFACT: 500,
  CLOSED: 503,
};

/** Registry errors become HTTP errors with the registry's message (it names the model and why). */
async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryError) {
      throw new HTTPException(STATUS[err.code], { message: err.message, cause: err });
    }
    throw err;
  }
}

const badRequest = (c: Context<AppEnv>, field: string, message: string) =>
  c.json({ error: `invalid ${field}: ${message}`, issues: [{ field, message }] }, 400);

export function modelRoutes(deps: { models: ModelsDeps; audit: AuditLog }) {
  const app = newRouter();
  const { registry, policy } = deps.models;
  const maxUpload = deps.models.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      responses: {
        200: json(
          z.array(
            z.object({
              name: z.string(),
              versions: z.number(),
              latest: z.number(),
              aliases: z.record(z.string(), z.number()),
              updatedAt: z.string(),
            }),
          ),
          'Registered models with their version counts and aliases',
        ),
      },
    }),
    async (c) => c.json(await registryCall(() => registry.list()), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{name}',
      request: { params: nameParam },
      responses: {
        200: json(
          z.object({
            name: z.string(),
            aliases: z.record(z.string(), z.number()),
            versions: z.array(versionRow),
            evaluations: z.array(z.unknown()),
            policy: z.unknown(),
          }),
          'A model: its versions (metrics, lineage, signature), aliases and evaluation/backtest records',
        ),
        404: json(errorBody, 'No such model'),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const versions = await registryCall(() => registry.versions(name));
      if (!versions.length) throw new HTTPException(404, { message: `no model named "${name}"` });
      const [aliases, evaluations] = await Promise.all([
        registryCall(() => registry.aliases(name)),
        registryCall(() => registry.evaluations(name)),
      ]);
      return c.json({ name, aliases, versions, evaluations, policy: policy ?? null } as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{name}/promotions',
      request: {
        params: nameParam,
        query: z.object({ alias: alias.optional() }),
      },
      responses: { 200: json(z.array(promotionEntry), 'Every alias move of this model, oldest first') },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const q = c.req.valid('query');
      return c.json(await registryCall(() => registry.promotionLog(name, q.alias)), 200);
    },
  );

  app.use('/:name/versions', requireRole('admin'));
  app.use('/:name/promote', requireRole('admin'));
  app.use('/:name/rollback', requireRole('admin'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{name}/versions',
      description:
        'Registers a new version by upload (multipart/form-data): `artifact` (the model file) and `metadata` ' +
        '(JSON: signature, and optionally lineage, metrics, tags, description, scoreDistribution, threshold, ' +
        'featureStats, alias). The artifact is loaded by its runtime before it is accepted. Admin only.',
      request: {
        params: nameParam,
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({
                artifact: z.any().openapi({ type: 'string', format: 'binary' }),
                metadata: z.any().openapi({ type: 'string', description: 'JSON object (see description)' }),
              }),
            },
          },
        },
      },
      responses: {
        201: json(versionRow, 'The new version'),
        400: json(errorBody, 'Bad metadata, signature or artifact'),
        409: json(errorBody, 'The alias already exists: promote instead'),
        413: json(errorBody, 'Artifact over the size limit'),
      },
    }),
    // Validated by hand: the form validator can't type a file part, and errors must name the field.
    async (c) => {
      const { name } = c.req.valid('param');
      if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
        return badRequest(c, 'body', 'expected multipart/form-data with parts `artifact` and `metadata`');
      }
      let form: FormData;
      try {
        form = await c.req.formData();
      } catch (err) {
        return badRequest(c, 'body', `unreadable multipart body (${(err as Error).message})`);
      }
      const file = form.get('artifact');
      if (!(file instanceof Blob)) return badRequest(c, 'artifact', 'a file part is required');
      if (file.size > maxUpload) {
        return c.json({ error: `artifact is ${file.size} bytes, over the ${maxUpload}-byte limit` }, 413);
      }
      const metaText = form.get('metadata');
      if (typeof metaText !== 'string') return badRequest(c, 'metadata', 'a JSON text part is required');
      let metaJson: unknown;
      try {
        metaJson = JSON.parse(metaText);
      } catch (err) {
        return badRequest(c, 'metadata', `not JSON (${(err as Error).message})`);
      }
      const meta = uploadMetadataSchema.safeParse(metaJson);
      if (!meta.success) {
        const issues = meta.error.issues.map((i) => ({
          field: ['metadata', ...i.path].join('.'),
          message: i.message,
        }));
        return c.json(
          { error: `invalid metadata: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues },
          400,
        );
      }
      const { alias: setAlias, ...rest } = meta.data;
      // An upload may name the first target of an alias; moving an existing one is a promotion (policy).
      if (setAlias && (await registry.aliases(name))[setAlias] !== undefined) {
        return c.json(
          {
            error: `${name}@${setAlias} already points at a version: register without alias, then promote (the policy applies)`,
          },
          409,
        );
      }
      const p = c.get('principal');
      const bytes = new Uint8Array(await file.arrayBuffer());
      const version = await registryCall(() =>
        registry.register(name, bytes, { ...(rest as unknown as RegisterOptions), who: p.name }),
      );
      await deps.audit.record(p, 'model.register', `${name}:${version.version}`, {
        sha256: version.sha256,
        size: version.size,
        format: version.format,
      });
      if (setAlias) {
        await registryCall(() =>
          registry.setAlias(name, setAlias, version.version, { who: p.name, reason: 'registered by upload' }),
        );
        await deps.audit.record(p, 'model.alias', `${name}@${setAlias}`, { version: version.version });
      }
      return c.json(version as never, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{name}/promote',
      description:
        'Points an alias at a version. The configured promotion policy must accept it (the candidate needs an ' +
        'evaluation beating the current version); a refusal is a 409 saying why. Admin only; audited.',
      request: {
        params: nameParam,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                alias: alias.default('champion'),
                version: z.number().int().min(1),
                reason,
              }),
            },
          },
        },
      },
      responses: {
        200: json(promotionEntry, 'The alias moved; the promotion log entry'),
        404: json(errorBody, 'No such model or version'),
        409: json(errorBody, 'The promotion policy refused'),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const body = c.req.valid('json');
      const p = c.get('principal');
      try {
        const entry = await registryCall(() =>
          registry.promote(name, body.alias, body.version, { who: p.name, reason: body.reason, policy }),
        );
        await deps.audit.record(p, 'model.promote', `${name}@${body.alias}`, {
          from: entry.fromVersion,
          to: entry.toVersion,
          reason: body.reason,
        });
        return c.json(entry, 200);
      } catch (err) {
        // A refused promotion is audited too: who tried what, and why it was refused.
        if (err instanceof HTTPException && err.status === 409) {
          await deps.audit.record(p, 'model.promote.refused', `${name}@${body.alias}`, {
            version: body.version,
            reason: body.reason,
            refusal: err.message,
          });
        }
        throw err;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{name}/rollback',
      description:
        'Moves an alias back to the version it pointed at before its current one. Admin only; audited.',
      request: {
        params: nameParam,
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ alias: alias.default('champion'), reason }) } },
        },
      },
      responses: {
        200: json(promotionEntry, 'The alias moved back; the promotion log entry'),
        404: json(errorBody, 'No such model'),
        409: json(errorBody, 'Nothing to roll back to'),
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const body = c.req.valid('json');
      const p = c.get('principal');
      const entry = await registryCall(() =>
        registry.rollback(name, body.alias, { who: p.name, reason: body.reason }),
      );
      await deps.audit.record(p, 'model.rollback', `${name}@${body.alias}`, {
        from: entry.fromVersion,
        to: entry.toVersion,
        reason: body.reason,
      });
      return c.json(entry, 200);
    },
  );

  return app;
}
