// The shape every attack scenario shares: episodes on a schedule, each a run of `count` attempts
// spaced `gap` apart with jitter. An attempt's time and content depend only on (seed, scenario,
// episode, attempt index), so any time slice of a scenario can be generated on its own.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import type { Org } from '../org.ts';
import type { Rng } from '../prng.ts';
import type { SimLine } from '../records.ts';

/** Schedule fields every scenario has; `at` is the first episode's offset from the start. */
export function scheduleSchema(defaults: { at: number; every: number }) {
  return {
    enabled: z.boolean().default(true),
    /** Offset of the first episode from the simulation start (live: from the first start). */
    at: durationMs.default(defaults.at),
    /** Repeat period; 0 runs one episode only. */
    every: durationMs.default(defaults.every),
  };
}

export interface Schedule {
  enabled: boolean;
  at: number;
  every: number;
}

export interface Indicator {
  indicator: string;
  type: 'ip' | 'domain' | 'url';
  threat: string;
}

/** What scenarios may read: the org, loaded lists, and the seed. */
export interface SimContext {
  seed: number;
  org: Org;
  /** DGA domains from ../shared/data/dga when present, else null (generate them). */
  dgaDomains: Record<string, string[]> | null;
  dgaSource: string;
  intel: Indicator[];
  syslog: boolean;
}

export interface EpisodeShape {
  count: number;
  gapUs: number;
  /** Fraction of the gap each attempt may move either way (< 0.5 keeps attempts in order). */
  jitter: number;
  /** How long the lines of one attempt may trail its start (µs). */
  tailUs: number;
}

export interface EpisodePlan {
  src: string[];
  dst: string[];
  details: Record<string, unknown>;
  /** Scenario-private data for attempts (e.g. a port order). */
  data?: unknown;
}

export interface ScenarioDef<P extends Schedule = Schedule> {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<P>;
  shape(params: P): EpisodeShape;
  plan(ctx: SimContext, params: P, episode: number, rng: Rng): EpisodePlan;
  attempt(ctx: SimContext, params: P, plan: EpisodePlan, index: number, tUs: number, rng: Rng): SimLine[];
}

export function defineScenario<P extends Schedule>(def: ScenarioDef<P>): ScenarioDef<P> {
  return def;
}

/** Attempts spread evenly over a duration. */
export function spread(count: number, durationMs: number, jitter: number, tailUs = 5_000_000): EpisodeShape {
  return { count, gapUs: Math.max(1, Math.floor((durationMs * 1000) / Math.max(1, count))), jitter, tailUs };
}
