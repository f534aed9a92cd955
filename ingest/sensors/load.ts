// Where the sensor and source configs come from in a service config file: `sensors:` either inline
// (a list) or a path to a sensors file (relative to the config file); `sources:` inline. Inline
// sections are validated against the config file's own text so errors keep their line numbers.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../kernel/config.ts';
import { parserFormats, parserOptionsSchema } from '../parsers/registry.ts';
import { type SourcesConfig, sourcesConfigSchema } from '../sources/config.ts';
import { compileSensors, SensorRegistry } from './registry.ts';

/**
 * With no sensors configured: one sensor per parser format that needs no options (csv, regex and
 * the like need a mapping), named after the format, reading raw.<format>.
 */
export function defaultSensorsText(): string {
  const formats = parserFormats().filter((f) => parserOptionsSchema(f)?.safeParse({}).success === true);
  return stringify({ sensors: formats.map((format) => ({ name: format, parser: format })) });
}

export interface LoadedSensors {
  registry: SensorRegistry;
  /** The file to watch for reloads, or null for the built-in defaults. */
  file: string | null;
}

/**
 * Builds the registry from a service config file (or the built-in defaults when there is none or it
 * has no `sensors`). Throws ConfigError naming file:line: field.
 */
export function loadSensors(configPath?: string): LoadedSensors {
  if (configPath === undefined)
    return { registry: SensorRegistry.fromText(defaultSensorsText(), '<built-in sensors>'), file: null };
  const text = readFileSync(configPath, 'utf8');
  const section = (parseConfig(text, z.looseObject({}), configPath) as Record<string, unknown>).sensors;
  if (section === undefined || section === null) {
    return { registry: SensorRegistry.fromText(defaultSensorsText(), '<built-in sensors>'), file: null };
  }
  if (typeof section === 'string') {
    const file = resolve(dirname(configPath), section);
    return { registry: SensorRegistry.fromFile(file), file };
  }
  // Inline: validate the whole config text with the sensors schema (other sections pass through).
  return { registry: new SensorRegistry(compileSensors(text, configPath)), file: configPath };
}

/** The `sources` section of a service config file (none when absent). */
export function loadSources(configPath?: string): SourcesConfig {
  if (configPath === undefined) return { sources: [] };
  try {
    return parseConfig(readFileSync(configPath, 'utf8'), sourcesConfigSchema, configPath);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${configPath}: ${(e as Error).message}`, configPath, [
      { path: '', message: (e as Error).message },
    ]);
  }
}
