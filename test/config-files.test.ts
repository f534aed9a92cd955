// The configs the project ships are valid: a typo in one would only show at someone's first start.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../api/config.ts';
import { DEFAULT_SERVICE_CONFIG } from '../api/pipeline.ts';
import { ProfilesConfigSchema } from '../features/profile-config.ts';
import { loadSensors } from '../ingest/sensors/load.ts';
import { ConfigError, loadConfigFile, parseConfig } from '../kernel/config.ts';
import { repoRoot } from './helpers/child.ts';

describe('shipped configs', () => {
  for (const file of [DEFAULT_SERVICE_CONFIG, join(repoRoot, 'deploy', 'vigil-kafka.yaml')]) {
    it(`${file.slice(repoRoot.length + 1)} validates, sections included`, () => {
      const config = loadConfigFile(file, serviceConfigSchema);
      const profiles = parseConfig(JSON.stringify(config.profiles), ProfilesConfigSchema, 'profiles');
      expect(profiles.profiles.map((p) => p.name)).toEqual(
        expect.arrayContaining(['network.src', 'network.pair']),
      );
      expect(loadSensors(file).registry.current.sensors.map((s) => s.name)).toContain('zeek');
    });
  }

  it('rejects a bad service config naming the line and field', () => {
    const text = 'api:\n  port: 80800\nlog:\n  kind: embedded\nbogus: 1\n';
    try {
      parseConfig(text, serviceConfigSchema, 'vigil.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/vigil\.yaml:2: api\.port/);
      expect((err as Error).message).toMatch(/bogus/);
    }
  });
});
