// The simulator: event time is cut into fixed buckets, and every bucket's lines are a pure function
// of (seed, config, bucket index). A position is (bucket, index within the bucket), so a run can
// resume anywhere without replaying what came before, and the same seed gives the same bytes.
import { benignBucket } from './benign.ts';
import { resolveSimulatorConfig, type SimulatorConfig, type SimulatorConfigInput } from './config.ts';
import { loadDgaDomains } from './dga-domains.ts';
import { buildOrg, isLocal } from './org.ts';
import { hash32, rngFor } from './prng.ts';
import { firewallCefLine, type SimLine, sshdSyslogLine } from './records.ts';
import { SCENARIO_NAMES, type ScenarioName, scenarioDef } from './scenarios/index.ts';
import { makeIntel } from './scenarios/intel.ts';
import type { EpisodePlan, EpisodeShape, Indicator, SimContext } from './scenarios/types.ts';
import { type SimLogType, zeekEnvelopeLine, zeekJsonLine, zeekTsvLine } from './zeek-logs.ts';

/** Bucket width: 10 s of event time. A session's lines trail its start by well under this. */
export const BUCKET_US = 10_000_000;

export type LineFormat = 'json' | 'tsv' | 'envelope';

export interface SimEvent {
  log: SimLogType;
  /** Event time in epoch milliseconds (microsecond fraction kept). */
  ts: number;
  line: string;
}

export interface SimPosition {
  bucket: number;
  index: number;
}

export interface GroundTruthRecord {
  scenario: ScenarioName;
  episode: number;
  entities: { src: string[]; dst: string[] };
  start: string;
  end: string;
  /** True when the span ended before the episode did. */
  truncated?: boolean;
  details: Record<string, unknown>;
}

interface ActiveScenario {
  name: ScenarioName;
  params: ReturnType<typeof paramsOf>;
  shape: EpisodeShape;
  startUs: number;
  everyUs: number;
}

function paramsOf(config: SimulatorConfig, name: ScenarioName) {
  return config.scenarios[name] as unknown as { enabled: boolean; at: number; every: number };
}

export interface SimulationOptions {
  /** Overrides config.start (live mode anchors at the first wall-clock start). */
  startMs?: number;
  /** Live mode: no end of span. */
  unbounded?: boolean;
}

export class Simulation {
  readonly config: SimulatorConfig;
  readonly context: SimContext;
  readonly startUs: number;
  /** Exclusive end of event time; Infinity when unbounded. */
  readonly endUs: number;
  private readonly active: ActiveScenario[];
  private readonly plans = new Map<string, EpisodePlan>();
  private spill: { bucket: number; lines: SimLine[] } | null = null;

  constructor(input: SimulatorConfigInput | SimulatorConfig = {}, options: SimulationOptions = {}) {
    this.config = resolveSimulatorConfig(input);
    const c = this.config;
    const startMs = options.startMs ?? c.start;
    this.startUs = Math.round(startMs * 1000);
    this.endUs = options.unbounded ? Number.POSITIVE_INFINITY : this.startUs + c.span * 1000;
    const dga = loadDgaDomains(c.dgaDir);
    this.context = {
      seed: c.seed,
      org: buildOrg(c.seed, c.org),
      dgaDomains: dga.families,
      dgaSource: dga.source,
      intel: makeIntel(c.seed),
      syslog: c.syslog,
    };
    this.active = SCENARIO_NAMES.filter((n) => paramsOf(c, n).enabled).map((name) => {
      const params = paramsOf(c, name);
      return {
        name,
        params,
        shape: scenarioDef(name).shape(params as never),
        startUs: this.startUs + params.at * 1000,
        everyUs: params.every * 1000,
      };
    });
  }

  get intel(): Indicator[] {
    return this.context.intel;
  }

  bucketStartUs(bucket: number): number {
    return this.startUs + bucket * BUCKET_US;
  }

  /** The bucket holding an instant (epoch ms). */
  bucketAt(epochMs: number): number {
    return Math.floor((epochMs * 1000 - this.startUs) / BUCKET_US);
  }

  /** Lines whose time falls in the bucket, in event-time order (ties in generation order). */
  bucketLines(bucket: number): SimLine[] {
    const b0 = this.bucketStartUs(bucket);
    const b1 = b0 + BUCKET_US;
    const carried =
      this.spill?.bucket === bucket - 1
        ? this.spill.lines
        : this.rawBucket(bucket - 1).filter((l) => l.tsUs >= b0);
    const raw = this.rawBucket(bucket);
    const lines = carried
      .concat(raw.filter((l) => l.tsUs < b1))
      .filter((l) => l.tsUs >= this.startUs && l.tsUs < this.endUs);
    this.spill = { bucket, lines: raw.filter((l) => l.tsUs >= b1) };
    lines.sort((a, b) => a.tsUs - b.tsUs);
    return lines;
  }

  /** Everything generated for a bucket: benign sessions starting in it, scenario lines inside it, derived syslog/CEF. */
  private rawBucket(bucket: number): SimLine[] {
    const c = this.config;
    const b0 = this.bucketStartUs(bucket);
    const b1 = b0 + BUCKET_US;
    const lines = benignBucket(
      this.context,
      rngFor(c.seed, 'benign', bucket),
      b0,
      BUCKET_US,
      c.rate,
      c.rhythm ? c.utcOffsetHours : null,
    );
    for (const s of this.active) this.scenarioLines(s, b0, b1, lines);
    if (c.syslog || c.cef) {
      const n = lines.length;
      for (let i = 0; i < n; i++) this.derive(lines[i]!, lines);
    }
    return lines;
  }

  private episodeRange(s: ActiveScenario, fromUs: number, toUs: number): [number, number] {
    const lenUs = s.shape.count * s.shape.gapUs + s.shape.gapUs + s.shape.tailUs;
    if (s.everyUs <= 0)
      return s.startUs - s.shape.gapUs <= toUs && s.startUs + lenUs >= fromUs ? [0, 0] : [0, -1];
    const first = Math.max(0, Math.floor((fromUs - lenUs - s.startUs) / s.everyUs));
    const last = Math.floor((toUs + s.shape.gapUs - s.startUs) / s.everyUs);
    return [first, last];
  }

  private plan(s: ActiveScenario, episode: number): EpisodePlan {
    const key = `${s.name}:${episode}`;
    let plan = this.plans.get(key);
    if (!plan) {
      if (this.plans.size > 256) this.plans.clear();
      plan = scenarioDef(s.name).plan(
        this.context,
        s.params,
        episode,
        rngFor(this.config.seed, s.name, 'plan', episode),
      );
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** An attempt's lines: its time and content come from one stream keyed by (scenario, episode, index). */
  private attempt(s: ActiveScenario, episode: number, index: number): SimLine[] {
    const { gapUs, jitter } = s.shape;
    const rng = rngFor(this.config.seed, s.name, episode, index);
    const epStart = s.startUs + episode * s.everyUs;
    const tUs = Math.round(epStart + index * gapUs + (rng.next() * 2 - 1) * jitter * gapUs);
    return scenarioDef(s.name).attempt(this.context, s.params, this.plan(s, episode), index, tUs, rng);
  }

  private scenarioLines(s: ActiveScenario, b0: number, b1: number, out: SimLine[]): void {
    const { count, gapUs, jitter, tailUs } = s.shape;
    const [e0, e1] = this.episodeRange(s, b0, b1);
    for (let e = e0; e <= e1; e++) {
      const epStart = s.startUs + e * s.everyUs;
      if (epStart >= this.endUs) break;
      // Attempts whose lines (from 1 s before to tail after the attempt time) may reach into [b0, b1).
      const lo = Math.max(0, Math.ceil((b0 - tailUs - epStart) / gapUs - jitter) - 1);
      const hi = Math.min(count - 1, Math.floor((b1 + 1_000_000 - epStart) / gapUs + jitter) + 1);
      for (let i = lo; i <= hi; i++) {
        for (const line of this.attempt(s, e, i)) if (line.tsUs >= b0 && line.tsUs < b1) out.push(line);
      }
    }
  }

  /** Lines other sensors would log for the same exchange: sshd syslog, perimeter firewall CEF. */
  private derive(line: SimLine, out: SimLine[]): void {
    const r = line.rec;
    if (!r) return;
    if (this.config.syslog && line.log === 'ssh' && isLocal(String(r['id.resp_h']))) {
      const server = this.context.org.hosts.find((h) => h.ip === r['id.resp_h']);
      const host = server?.name ?? String(r['id.resp_h']);
      const pid = 1000 + (hash32(String(r.uid)) % 60000);
      const who = `${line.user ?? 'root'} from ${r['id.orig_h']} port ${r['id.orig_p']} ssh2`;
      const failures = Number(r.auth_attempts ?? 1) - (r.auth_success ? 1 : 0);
      for (let k = 0; k < failures; k++) {
        const invalid = line.user && ['root', 'admin'].includes(line.user) ? '' : 'invalid user ';
        out.push(
          sshdSyslogLine(line.tsUs + (k + 1) * 900_000, host, pid, `Failed password for ${invalid}${who}`),
        );
      }
      if (r.auth_success)
        out.push(
          sshdSyslogLine(line.tsUs + (failures + 1) * 900_000, host, pid, `Accepted password for ${who}`),
        );
    }
    if (this.config.cef && line.log === 'conn' && r.local_orig !== r.local_resp) {
      out.push(firewallCefLine(line, r.conn_state === 'S0' && !r.local_orig ? 'deny' : 'allow'));
    }
  }

  /** Events from a position on, each with the position after it; stops at the end of the span. */
  *events(
    from: SimPosition = { bucket: 0, index: 0 },
    format: LineFormat = 'json',
  ): Generator<{ event: SimEvent; next: SimPosition }> {
    let { bucket, index } = from;
    while (this.bucketStartUs(bucket) < this.endUs) {
      const lines = this.bucketLines(bucket);
      for (let i = index; i < lines.length; i++) {
        const line = lines[i]!;
        const next = i + 1 < lines.length ? { bucket, index: i + 1 } : { bucket: bucket + 1, index: 0 };
        yield { event: toEvent(line, format), next };
      }
      bucket++;
      index = 0;
    }
  }

  /** Ground truth for the episodes that start inside [fromMs, toMs) (default: the whole span). */
  groundTruth(fromMs = this.startUs / 1000, toMs = this.endUs / 1000): GroundTruthRecord[] {
    const fromUs = fromMs * 1000;
    const toUs = Math.min(toMs * 1000, this.endUs);
    const out: (GroundTruthRecord & { _start: number })[] = [];
    for (const s of this.active) {
      const [e0, e1] = this.episodeRange(s, fromUs, toUs);
      for (let e = e0; e <= e1; e++) {
        const first = this.attempt(s, e, 0);
        // An episode at the very start may jitter a line before it: those lines are cut, so is its start.
        const startUs = Math.max(this.startUs, Math.min(...first.map((l) => l.tsUs)));
        if (startUs < fromUs || startUs >= toUs) continue;
        const plan = this.plan(s, e);
        const last = this.attempt(s, e, s.shape.count - 1);
        const endUs = Math.max(...last.map((l) => l.tsUs));
        const truncated = endUs >= this.endUs;
        out.push({
          _start: startUs,
          scenario: s.name,
          episode: e,
          entities: { src: plan.src, dst: plan.dst },
          start: iso(startUs),
          end: iso(truncated ? this.endUs - 1 : endUs),
          ...(truncated ? { truncated } : {}),
          details: plan.details,
        });
      }
    }
    out.sort((a, b) => a._start - b._start || a.scenario.localeCompare(b.scenario));
    return out.map(({ _start, ...rec }) => rec);
  }

  /** The threat-intel indicators as CSV (indicator,type,threat,source) for enrichment to load. */
  intelCsv(): string {
    return `indicator,type,threat,source\n${this.intel.map((i) => `${i.indicator},${i.type},${i.threat},vigil-simulator`).join('\n')}\n`;
  }
}

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

export function formatLine(line: SimLine, format: LineFormat): string {
  if (line.text !== undefined) return line.text;
  const log = line.log as Exclude<SimLogType, 'syslog' | 'cef'>;
  if (format === 'tsv') return zeekTsvLine(log, line.rec!);
  if (format === 'envelope') return zeekEnvelopeLine(log, line.rec!);
  return zeekJsonLine(log, line.rec!);
}

function toEvent(line: SimLine, format: LineFormat): SimEvent {
  return { log: line.log, ts: line.tsUs / 1000, line: formatLine(line, format) };
}

/** The pure generator: every line of the configured span, in event-time order. */
export function* simulate(
  config: SimulatorConfigInput | SimulatorConfig = {},
  format: LineFormat = 'json',
): Generator<SimEvent> {
  const sim = new Simulation(config);
  for (const { event } of sim.events({ bucket: 0, index: 0 }, format)) yield event;
}
