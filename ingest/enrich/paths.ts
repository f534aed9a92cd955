// Dotted field paths over nested events (`source.geo.city_name` ↔ {source: {geo: {city_name}}}).
// Paths come from config and repeat on every event, so each is split once and cached.

const splitCache = new Map<string, string[]>();

function keysOf(path: string): string[] {
  let keys = splitCache.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(path, keys);
  }
  return keys;
}

export function getPath(obj: unknown, path: string): unknown {
  const keys = keysOf(path);
  let cur = obj;
  for (let i = 0; i < keys.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[keys[i] as string];
  }
  return cur;
}

/** Sets a value, creating intermediate objects; a non-object in the way is an error. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = keysOf(path);
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i] as string;
    let next = cur[k];
    if (next === undefined || next === null) {
      next = {};
      cur[k] = next;
    } else if (typeof next !== 'object' || Array.isArray(next)) {
      throw new Error(`cannot set ${path}: ${keys.slice(0, i + 1).join('.')} is not an object`);
    }
    cur = next as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] as string] = value;
}

/** The parent of a dotted path (`source.ip` → `source`), or "" at the top. */
export function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}
