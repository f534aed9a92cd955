// Shared HTTP plumbing: the app's environment type, auth, role checks, JSON errors, rate limits.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { KeyStore, Principal, Role } from './auth/keys.ts';
import { roleAtLeast } from './auth/keys.ts';

export type AppEnv = { Variables: { principal: Principal } };

export const KEY_COOKIE = 'vigil_key';

/** An OpenAPIHono whose validation failures are 400s that name the field and why. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({
          field: i.path.join('.') || '(body)',
          message: i.message,
        }));
        return c.json(
          {
            error: `invalid ${result.target}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
            issues,
          },
          400,
        );
      }
    },
  });
}

export function keyFrom(c: Context): string | undefined {
  const auth = c.req.header('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return c.req.header('x-api-key') ?? getCookie(c, KEY_COOKIE) ?? undefined;
}

/** Authenticates every request but the public paths; pages redirect to /login, the API answers 401. */
export function authenticate(keys: KeyStore, isPublic: (path: string) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (isPublic(c.req.path)) return next();
    const principal = keys.authenticate(keyFrom(c));
    if (!principal) {
      if (!c.req.path.startsWith('/api/') && c.req.method === 'GET') {
        return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
      }
      return c.json({ error: 'an API key is required (Authorization: Bearer <key> or X-API-Key)' }, 401);
    }
    c.set('principal', principal);
    return next();
  };
}

export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p || !roleAtLeast(p.role, role)) {
      return c.json({ error: `this needs the ${role} role; your key has ${p?.role ?? 'none'}` }, 403);
    }
    return next();
  };
}

export function notFound(what: string): never {
  throw new HTTPException(404, { message: `${what} not found` });
}

/** A token bucket per API key: `rate` requests a second, bursts up to `burst`. */
export function rateLimit(rate: number, burst: number): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const id = c.get('principal')?.keyId ?? 'anonymous';
    const now = Date.now();
    const b = buckets.get(id) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(id, b);
    if (b.tokens < 1) {
      c.header('Retry-After', String(Math.ceil((1 - b.tokens) / rate)));
      return c.json({ error: `rate limit: at most ${rate} requests/s (burst ${burst}) per key` }, 429);
    }
    b.tokens -= 1;
    return next();
  };
}
