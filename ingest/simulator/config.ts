// The simulator's configuration as data (YAML/JSON through kernel/config.ts, or an object in code).
// Durations are strings with a unit ("90s", "2h") or numbers of milliseconds; they parse to
// milliseconds, so parsing a parsed config changes nothing.
import { z } from 'zod';
import { parseConfig } from '../../kernel/config.ts';
import { durationMs } from './duration.ts';
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios/index.ts';

/** Monday 2026-11-30 08:00 UTC: a fixed epoch so fast runs start at the beginning of a work day. */
export const DEFAULT_START = '2026-11-30T08:00:00.000Z';

const instantMs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not an ISO-8601 instant or epoch ms: ${String(v)}` });
    return z.NEVER;
  }
  return ms;
});

// Each scenario's own schema, defaulted as a whole when the config leaves it out.
const scenarioSchemas = Object.fromEntries(
  SCENARIO_NAMES.map((name) => [name, (SCENARIOS[name].schema as z.ZodType).prefault({})]),
) as unknown as { [K in ScenarioName]: z.ZodType<z.output<(typeof SCENARIOS)[K]['schema']>, unknown> };

export const simulatorConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** Event time of the first record (fast mode); live mode starts at the wall clock instead. */
    start: instantMs.default(Date.parse(DEFAULT_START)),
    /** Event time covered in fast mode. */
    span: durationMs.default(3_600_000),
    /** Benign lines per second at a weekday's peak hour; rhythms scale it down off-peak. */
    rate: z.number().positive().max(1_000_000).default(300),
    /** The org's local time as an offset from UTC, for the diurnal and weekly rhythms. */
    utcOffsetHours: z.number().min(-12).max(14).default(0),
    /** Follow office/Internet rhythms; false keeps the peak rate around the clock. */
    rhythm: z.boolean().default(true),
    org: z
      .object({
        workstations: z.number().int().min(5).max(5000).default(60),
        domain: z.string().min(1).default('acme.example'),
      })
      .strict()
      .prefault({}),
    /** File output: Zeek JSON lines or Zeek TSV with #fields/#types headers. */
    format: z.enum(['json', 'tsv']).default('json'),
    /** Also write sshd syslog lines (RFC 5424) for SSH sessions to the org's servers. */
    syslog: z.boolean().default(false),
    /** Also write perimeter-firewall CEF lines for connections crossing the perimeter. */
    cef: z.boolean().default(false),
    /** Where DGA lists live: "auto" (../shared/data/dga when present), "none", or a directory. */
    dgaDir: z.string().default('auto'),
    // Every scenario schema defaults itself, so an empty object is a complete input.
    scenarios: z
      .object(scenarioSchemas)
      .strict()
      .prefault({} as never),
  })
  .strict();

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;

export function parseSimulatorConfig(text: string, source = '<simulator config>'): SimulatorConfig {
  return parseConfig(text, simulatorConfigSchema, source);
}

export function resolveSimulatorConfig(input: SimulatorConfigInput | SimulatorConfig = {}): SimulatorConfig {
  return simulatorConfigSchema.parse(input);
}

/** Turns on exactly the listed scenarios ("all" and "none" work too). */
export function selectScenarios(config: SimulatorConfig, list: string): SimulatorConfig {
  const wanted =
    list.trim() === 'all'
      ? SCENARIO_NAMES
      : list.trim() === 'none'
        ? []
        : list
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
  for (const name of wanted) {
    if (!(SCENARIO_NAMES as string[]).includes(name)) {
      throw new Error(`unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
    }
  }
  const scenarios = { ...config.scenarios };
  for (const name of SCENARIO_NAMES)
    scenarios[name] = { ...scenarios[name], enabled: wanted.includes(name) } as never;
  return { ...config, scenarios };
}

/**
 * For `npm start`: attacks early and often so a new user sees alerts within a minute or two of the
 * first start (scan at 10 s, SSH brute force at 15 s at 1 guess/s, a 10 s beacon from the start),
 * every scenario repeating every 15 minutes. Lay a user's config over it.
 */
export function liveDemoConfig(overrides: SimulatorConfigInput = {}): SimulatorConfig {
  const every = '15m';
  return resolveSimulatorConfig({
    rate: 300,
    ...overrides,
    scenarios: {
      'scan-vertical': { at: '10s', every, duration: '60s' },
      'scan-horizontal': { at: '90s', every, duration: '90s' },
      'bruteforce-ssh': { at: '15s', every, attempts: 120, duration: '2m' },
      'bruteforce-rdp': { at: '2m', every, attempts: 90, duration: '3m' },
      beacon: { at: '0s', every, interval: '10s', jitter: 0.1, duration: '14m' },
      'dns-tunnel': { at: '3m', every },
      dga: { at: '4m', every, duration: '5m' },
      exfil: { at: '5m', every, duration: '5m' },
      lateral: { at: '6m', every, duration: '5m' },
      intel: { at: '45s', every, duration: '2m' },
      ...((overrides.scenarios as object | undefined) ?? {}),
    } as never,
  });
}
