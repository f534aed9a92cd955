// Reload without restart: watch a profiles file; a valid new version is swapped into the running
// stage (and the store's retention) between batches; an invalid one is reported with its
// file:line: field and the running profiles stay.
import { unwatchFile, watchFile } from 'node:fs';
import { logger } from '../kernel/logger.ts';
import { loadProfilesConfig, type ProfilesConfig } from './profile-config.ts';
import type { ProfileStore } from './profile-store.ts';
import type { ProfilerStage } from './stage.ts';

/** TTL per profile name, for ProfileStore.setRetention. */
export function profileRetention(config: ProfilesConfig): Record<string, number> {
  return Object.fromEntries(config.profiles.map((p) => [p.name, p.ttl]));
}

/**
 * Watches `path` (polling, so it works on every filesystem) and reloads on change. Returns a
 * function that stops watching. `onResult` hears each attempt (for the API or tests).
 */
export function watchProfilesFile(
  path: string,
  stage: ProfilerStage,
  options: { store?: ProfileStore; intervalMs?: number; onResult?: (error: Error | null) => void } = {},
): () => void {
  const log = logger.child({ component: 'profiles-reload', path });
  const listener = () => {
    try {
      const config = loadProfilesConfig(path);
      stage.reload(config);
      options.store?.setRetention(profileRetention(config));
      log.info({ profiles: config.profiles.map((p) => p.name) }, 'profiles reloaded');
      options.onResult?.(null);
    } catch (error) {
      log.error({ err: (error as Error).message }, 'profiles file rejected; the running profiles stay');
      options.onResult?.(error as Error);
    }
  };
  watchFile(path, { interval: options.intervalMs ?? 1000 }, listener);
  return () => unwatchFile(path, listener);
}
