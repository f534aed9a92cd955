// /api/v1/config/{sensors|enrichment|profiles}: get and put live configuration. A put is validated by
// the owning module's own parser (errors → 400 naming file:line: field), applied through its reload
// hook (the running config stays if either fails), audited, and the version it replaced is kept.
import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { compileProfiles, parseProfilesConfig } from '../../features/profile-config.ts';
import type { ProfileStore } from '../../features/profile-store.ts';
import type { ProfilerStage } from '../../features/stage.ts';
import type { SensorRegistry } from '../../ingest/sensors/registry.ts';
import { ConfigError } from '../../kernel/config.ts';
import { parseEnrichConfig } from '../../scoring/triage/config.ts';
import type { EnrichStage } from '../../scoring/triage/enrich-stage.ts';
import type { AuditLog } from '../audit.ts';
import { newRouter, requireRole } from '../http.ts';

export const CONFIG_KINDS = ['sensors', 'enrichment', 'profiles'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

/** How a module plugs into the config API. */
export interface ConfigHooks {
  /** Validates and applies the text (hot reload); throws ConfigError (or Error) and keeps the running one. */
  load(text: string, source: string): void | Promise<void>;
  /** The text of the config running now (at start: what the service loaded). */
  current(): string;
  /** Called after a put was applied, e.g. to persist the text so a restart keeps it. */
  onApplied?(text: string): void | Promise<void>;
}

export interface ConfigVersion {
  text: string;
  version: number;
  at: string;
  who: string;
}

export interface ConfigIssue {
  field: string;
  line?: number;
  message: string;
}

/** A put that did not validate or load: the issues name source:line: field. */
export class ConfigRejected extends Error {
  constructor(
    message: string,
    readonly issues: ConfigIssue[],
  ) {
    super(message);
    this.name = 'ConfigRejected';
  }
}

/** One kind of live config: the current text, the one it replaced, and serialized puts. */
export class ConfigStore {
  private cur: ConfigVersion;
  private prev: ConfigVersion | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly kind: string,
    private readonly hooks: ConfigHooks,
  ) {
    this.cur = { text: hooks.current(), version: 1, at: new Date().toISOString(), who: 'startup' };
  }

  current(): ConfigVersion {
    return this.cur;
  }

  previous(): ConfigVersion | null {
    return this.prev;
  }

  /** Validates and applies new text; one put at a time so current/previous stay in step. */
  put(text: string, who: string): Promise<ConfigVersion> {
    const run = this.queue.then(async () => {
      const source = `config/${this.kind}`;
      try {
        await this.hooks.load(text, source);
      } catch (err) {
        if (err instanceof ConfigError) {
          throw new ConfigRejected(
            err.message,
            err.issues.map((i) => ({ field: i.path || '(document)', line: i.line, message: i.message })),
          );
        }
        // The module refused it for a reason its schema can't see (a bad expression, a missing file).
        const message = err instanceof Error ? err.message : String(err);
        throw locateError(text, source, message);
      }
      this.prev = this.cur;
      this.cur = { text, version: this.cur.version + 1, at: new Date().toISOString(), who };
      await this.hooks.onApplied?.(text);
      return this.cur;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Modules that check beyond their schema (compiling CEL rules, say) name the field but not the line:
 * "<source>: defaults.triage.rules[0].rule (name): why". Find that field in the text for its line.
 */
export function locateError(text: string, source: string, message: string): ConfigRejected {
  const rest = message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message;
  const m = /^([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*)/.exec(rest);
  const field = m?.[1];
  let line: number | undefined;
  if (field?.includes('.') || field?.includes('[')) {
    const path = field.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
    const keys = path.map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    try {
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter });
      const node = doc.getIn(keys, true) as { range?: [number, number] } | undefined;
      if (node?.range) line = lineCounter.linePos(node.range[0]).line;
    } catch {
      // no line then; the message still names the field
    }
  }
  const where = `${source}${line !== undefined ? `:${line}` : ''}`;
  return new ConfigRejected(`${where}: ${rest}`, [
    { field: field && line !== undefined ? field : '(document)', line, message: rest },
  ]);
}

export type ConfigStores = Partial<Record<ConfigKind, ConfigStore>>;

// ---- the modules' hooks, for `vigil serve` to plug in ----

/** Sensors: the SensorRegistry validates (compileSensors) and swaps the set the parse stage reads. */
export function sensorsConfigStore(registry: SensorRegistry, initialText: string): ConfigStore {
  let text = initialText;
  return new ConfigStore('sensors', {
    load: (next, source) => {
      registry.load(next, source);
      text = next;
    },
    current: () => text,
  });
}

/** Enrichment/triage: parsed with the triage config schema, then the enrich stage swaps its runtime. */
export function enrichmentConfigStore(
  stage: Pick<EnrichStage, 'reload'>,
  initialText: string,
  baseDir: string,
): ConfigStore {
  let text = initialText;
  return new ConfigStore('enrichment', {
    load: async (next, source) => {
      await stage.reload(parseEnrichConfig(next, source, baseDir));
      text = next;
    },
    current: () => text,
  });
}

/** Profiles: parsed and compiled (expressions checked), then the profiler stage swaps its profile set. */
export function profilesConfigStore(
  stage: Pick<ProfilerStage, 'reload'>,
  initialText: string,
  store?: ProfileStore,
): ConfigStore {
  let text = initialText;
  return new ConfigStore('profiles', {
    load: (next, source) => {
      const compiled = compileProfiles(parseProfilesConfig(next, source));
      stage.reload(compiled);
      store?.setRetention(Object.fromEntries(compiled.profiles.map((p) => [p.name, p.ttlMs])));
      text = next;
    },
    current: () => text,
  });
}

/** When a service config holds a section as data rather than text, this is its editable text. */
export function configText(data: unknown): string {
  return stringify(data ?? {});
}

const kindParam = z.object({
  kind: z.enum(CONFIG_KINDS).openapi({ param: { name: 'kind', in: 'path' }, example: 'sensors' }),
});
const versionBody = z.object({
  kind: z.string(),
  version: z.number(),
  at: z.string(),
  who: z.string(),
  text: z.string(),
});
const errorBody = z.object({ error: z.string() }).openapi('Error');
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export function configRoutes(deps: { configs: ConfigStores; audit: AuditLog }) {
  const app = newRouter();
  app.use('*', requireRole('admin'));
  const storeOf = (kind: ConfigKind): ConfigStore => {
    const store = deps.configs[kind];
    if (!store)
      throw new HTTPException(404, { message: `the ${kind} config is not managed by this service` });
    return store;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      responses: {
        200: json(
          z.array(z.object({ kind: z.string(), version: z.number(), at: z.string(), who: z.string() })),
          'Managed configs and their current versions',
        ),
      },
    }),
    (c) =>
      c.json(
        CONFIG_KINDS.flatMap((kind) => {
          const s = deps.configs[kind];
          if (!s) return [];
          const { text: _text, ...v } = s.current();
          return [{ kind, ...v }];
        }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{kind}',
      description:
        'The config text running now (YAML or JSON as it was put), or with `?version=previous` the one it replaced. ' +
        'With `Accept: text/plain` or `?format=text` the bare text.',
      request: {
        params: kindParam,
        query: z.object({
          version: z.enum(['current', 'previous']).default('current'),
          format: z.enum(['json', 'text']).default('json'),
        }),
      },
      responses: {
        200: {
          content: { 'application/json': { schema: versionBody }, 'text/plain': { schema: z.string() } },
          description: 'The config',
        },
        404: json(errorBody, 'Not managed here, or no previous version yet'),
      },
    }),
    (c) => {
      const { kind } = c.req.valid('param');
      const q = c.req.valid('query');
      const store = storeOf(kind);
      const v = q.version === 'previous' ? store.previous() : store.current();
      if (!v) throw new HTTPException(404, { message: `the ${kind} config has no previous version yet` });
      if (q.format === 'text') return c.text(v.text, 200);
      return c.json({ kind, ...v }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{kind}',
      description:
        'Replaces the config with YAML or JSON text (the raw body; any text content type). It is validated by ' +
        "the module's parser and hot-reloaded; on any error the running config stays and the answer is a 400 " +
        'whose issues name config/<kind>:line: field. Admin only; audited.',
      request: {
        params: kindParam,
        body: {
          required: true,
          content: {
            'application/yaml': { schema: z.string() },
            'text/plain': { schema: z.string() },
            // Docs only (not a zod schema): the raw text is read as is, so it is not parsed twice.
            'application/json': { schema: { type: 'object' } },
          },
        },
      },
      responses: {
        200: json(versionBody, 'Applied; the new current version'),
        400: json(
          z.object({
            error: z.string(),
            issues: z.array(
              z.object({ field: z.string(), line: z.number().optional(), message: z.string() }),
            ),
          }),
          'Rejected; the running config is unchanged',
        ),
      },
    }),
    async (c) => {
      const { kind } = c.req.valid('param');
      const store = storeOf(kind);
      const text = await c.req.text();
      if (!text.trim()) {
        return c.json(
          {
            error: 'empty config body',
            issues: [{ field: '(body)', message: 'expected YAML or JSON text' }],
          },
          400,
        );
      }
      const p = c.get('principal');
      try {
        const v = await store.put(text, p.name);
        await deps.audit.record(p, 'config.put', kind, {
          version: v.version,
          bytes: Buffer.byteLength(text),
        });
        return c.json({ kind, ...v }, 200);
      } catch (err) {
        if (!(err instanceof ConfigRejected)) throw err;
        await deps.audit.record(p, 'config.rejected', kind, { error: err.message });
        return c.json({ error: err.message, issues: err.issues }, 400);
      }
    },
  );

  return app;
}
