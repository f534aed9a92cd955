// A sensor's field transformations compiled into one function over an event (applied after the
// parser, before normalization validates the result). Never throws: a failure is a message.
import {
  type CompiledExpression,
  compileExpression,
  eventVariables,
  isMissingFieldError,
} from '../../kernel/expr/index.ts';
import type { VigilEvent } from '../parsers/types.ts';
import type { Transformation } from './config.ts';

export type TransformResult = { ok: true } | { ok: false; message: string };
export type EventTransform = (event: VigilEvent) => TransformResult;

type Obj = Record<string, unknown>;
const OK: TransformResult = { ok: true };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function getPath(event: Obj, path: readonly string[]): unknown {
  let v: unknown = event;
  for (const key of path) {
    if (!isObj(v)) return undefined;
    v = v[key];
  }
  return v;
}

export function setPath(event: Obj, path: readonly string[], value: unknown): void {
  let obj = event;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = obj[key];
    if (isObj(next)) obj = next;
    else {
      const created: Obj = {};
      obj[key] = created;
      obj = created;
    }
  }
  obj[path[path.length - 1]!] = value;
}

/** Deletes a field, and the objects it leaves empty. */
export function deletePath(event: Obj, path: readonly string[]): void {
  const parents: Obj[] = [event];
  let obj = event;
  for (let i = 0; i < path.length - 1; i++) {
    const next = obj[path[i]!];
    if (!isObj(next)) return;
    obj = next;
    parents.push(obj);
  }
  delete obj[path[path.length - 1]!];
  for (let i = parents.length - 1; i > 0; i--) {
    if (Object.keys(parents[i]!).length > 0) break;
    delete parents[i - 1]![path[i - 1]!];
  }
}

const splitPath = (p: string) => (p === '@timestamp' ? ['@timestamp'] : p.split('.'));

/** CEL values back to JSON: ints come as bigint, maps as Map. */
function toJson(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x)]));
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.toISOString();
  if (isObj(v)) {
    const inner = (v as { valueOf?: () => unknown }).valueOf?.();
    if (inner !== v && (typeof inner === 'number' || typeof inner === 'bigint')) return toJson(inner);
  }
  return v;
}

function compileOne(t: Transformation): EventTransform {
  switch (t.type) {
    case 'rename': {
      const moves = Object.entries(t.fields).map(([from, to]) => [splitPath(from), splitPath(to)] as const);
      return (event) => {
        for (const [from, to] of moves) {
          const v = getPath(event, from);
          if (v === undefined) continue;
          deletePath(event, from);
          setPath(event, to, v);
        }
        return OK;
      };
    }
    case 'remove': {
      const paths = t.fields.map(splitPath);
      return (event) => {
        for (const p of paths) deletePath(event, p);
        return OK;
      };
    }
    case 'select': {
      const paths = t.fields.map(splitPath);
      return (event) => {
        const kept = paths.map((p) => [p, getPath(event, p)] as const);
        for (const key of Object.keys(event)) delete event[key];
        for (const [p, v] of kept) if (v !== undefined) setPath(event, p, v);
        return OK;
      };
    }
    case 'compute': {
      const fields = Object.entries(t.fields).map(
        ([target, source]) =>
          [target, splitPath(target), compileExpression(source)] as [string, string[], CompiledExpression],
      );
      return (event) => {
        // Each field sees the ones computed before it.
        for (const [target, path, expr] of fields) {
          const vars = eventVariables(event);
          if (expr.missingVariable?.(vars) !== undefined) continue;
          try {
            const v = toJson(expr.evaluate(vars));
            if (v === null || v === undefined) deletePath(event, path);
            else setPath(event, path, v);
          } catch (e) {
            // An expression reading a field this event lacks computes nothing, as in Metron's Stellar.
            if (isMissingFieldError(e)) continue;
            return { ok: false, message: `compute ${target}: ${e instanceof Error ? e.message : String(e)}` };
          }
        }
        return OK;
      };
    }
  }
}

/** Compiles the transformations; expressions must already be valid (the config schema checks them). */
export function compileTransformations(list: readonly Transformation[]): EventTransform | null {
  if (list.length === 0) return null;
  const steps = list.map(compileOne);
  return (event) => {
    try {
      for (const step of steps) {
        const r = step(event);
        if (!r.ok) return r;
      }
      return OK;
    } catch (e) {
      return { ok: false, message: `transformation failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
}
