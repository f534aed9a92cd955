// End-to-end detection: simulate a fixed span with every attack scenario into a fresh data dir, run
// the whole pipeline (`vigil serve --until-drained`, in-process) to the end of the log, and score the
// alerts against the simulator's ground truth: per scenario, detected or not and time to detect;
// overall, false alerts per 10k benign events.
import { join } from 'node:path';
import { serviceConfigSchema } from '../../api/config.ts';
import { DEFAULT_SERVICE_CONFIG } from '../../api/pipeline.ts';
import { startService } from '../../api/serve.ts';
import { type Alert, alertTime, parseAlert } from '../../kernel/alert.ts';
import { loadConfigFile } from '../../kernel/config.ts';

export interface GroundTruth {
  scenario: string;
  episode?: number;
  entities: { src?: string[]; dst?: string[] } | string[];
  start: number | string;
  end: number | string;
}

export interface ScenarioResult {
  scenario: string;
  episodes: number;
  detected: number;
  /** Seconds from the episode's start to its first alert (mean over detected episodes). */
  ttdSeconds: number | null;
  alerts: number;
  byKind: Record<string, number>;
}

export interface DetectionReport {
  events: number;
  /** Events the profiler judged late (kept on the `late` topic). */
  lateEvents: number;
  benignEvents: number;
  alerts: number;
  falseAlerts: number;
  falseAlertsPer10k: number;
  scenarios: ScenarioResult[];
  falseAlertTitles: Record<string, number>;
  seconds: number;
}

export interface DetectionOptions {
  dataDir: string;
  seed?: number;
  span?: string;
  rate?: number;
  /** Alerts this long after an episode's end still count as detecting it (windows close late). */
  graceMs?: number;
}

function entitiesOf(t: GroundTruth): Set<string> {
  const e = t.entities;
  return new Set(Array.isArray(e) ? e : [...(e.src ?? []), ...(e.dst ?? [])]);
}

/** The IPs an alert names: its entity (an IP, or a "src>dst" pair) and the addresses in its record. */
function alertIps(a: Alert): Set<string> {
  const ips = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string')
      for (const part of v.split('>')) if (/^[0-9a-f.:]+$/i.test(part)) ips.add(part);
  };
  add(a.entity);
  const r = a as Record<string, any>;
  add(r.source?.ip);
  add(r.destination?.ip);
  add(r.event?.source?.ip);
  add(r.event?.destination?.ip);
  return ips;
}

export async function runDetection(options: DetectionOptions): Promise<DetectionReport> {
  const started = Date.now();
  const base = loadConfigFile(DEFAULT_SERVICE_CONFIG, serviceConfigSchema);
  const config = serviceConfigSchema.parse({
    ...base,
    log: { kind: 'embedded', fsync: false },
    api: { enabled: false },
    simulator: {
      enabled: true,
      mode: 'fast',
      seed: options.seed ?? 7,
      span: options.span ?? '2h',
      rate: options.rate ?? 60,
    },
  });
  const service = await startService({
    config,
    configPath: DEFAULT_SERVICE_CONFIG,
    dataDir: options.dataDir,
    untilDrained: true,
  });
  try {
    await service.done;
    const log = service.log;
    const simulator = service.pipeline.simulator;
    if (!simulator) throw new Error('the pipeline has no simulator');
    const truth = simulator.groundTruth(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY) as GroundTruth[];
    const alerts: Alert[] = [];
    for (const p of (await log.describeTopic('alerts')).partitions) {
      let offset = p.earliest;
      while (offset < p.latest) {
        const batch = await log.read('alerts', p.partition, offset, { maxRecords: 5000 });
        for (const r of batch) {
          const a = parseAlert(r.value.toString());
          if (typeof a !== 'string') alerts.push(a);
        }
        offset = batch[batch.length - 1]!.offset + 1;
      }
    }
    let events = 0;
    for (const p of (await log.describeTopic('events')).partitions) events += p.latest - p.earliest;
    let lateEvents = 0;
    if ((await log.listTopics()).includes('late')) {
      for (const p of (await log.describeTopic('late')).partitions) lateEvents += p.latest - p.earliest;
    }

    const grace = options.graceMs ?? 10 * 60_000;
    const episodes = truth.map((t) => ({
      t,
      entities: entitiesOf(t),
      start: Number(new Date(t.start)),
      end: Number(new Date(t.end)),
    }));
    const matched = new Set<Alert>();
    const results = new Map<string, ScenarioResult & { ttds: number[] }>();
    for (const ep of episodes) {
      let r = results.get(ep.t.scenario);
      if (!r) {
        r = {
          scenario: ep.t.scenario,
          episodes: 0,
          detected: 0,
          ttdSeconds: null,
          alerts: 0,
          byKind: {},
          ttds: [],
        };
        results.set(ep.t.scenario, r);
      }
      r.episodes++;
      let first: number | null = null;
      for (const a of alerts) {
        const at = alertTime(a);
        if (at < ep.start || at > ep.end + grace) continue;
        const ips = alertIps(a);
        if (![...ips].some((ip) => ep.entities.has(ip))) continue;
        matched.add(a);
        r.alerts++;
        r.byKind[a.kind] = (r.byKind[a.kind] ?? 0) + 1;
        if (first === null || at < first) first = at;
      }
      if (first !== null) {
        r.detected++;
        r.ttds.push((first - ep.start) / 1000);
      }
    }
    const falseAlerts = alerts.filter((a) => !matched.has(a));
    const falseAlertTitles: Record<string, number> = {};
    for (const a of falseAlerts) {
      const key = `${a.kind}: ${a.title.replace(/\d+\.\d+\.\d+\.\d+/g, '<ip>').replace(/severity [\d.]+/, 'severity N')}`;
      falseAlertTitles[key] = (falseAlertTitles[key] ?? 0) + 1;
    }
    // Benign events: all events minus those of attack episodes' entities during the episodes, estimated
    // by the share of ground-truth time; the simulator keeps attacks small, so events ≈ benign + attack.
    const benignEvents = events;
    return {
      events,
      lateEvents,
      benignEvents,
      alerts: alerts.length,
      falseAlerts: falseAlerts.length,
      falseAlertsPer10k: (falseAlerts.length / Math.max(1, benignEvents)) * 10_000,
      scenarios: [...results.values()].map(({ ttds, ...r }) => ({
        ...r,
        ttdSeconds: ttds.length ? Math.round(ttds.reduce((s, x) => s + x, 0) / ttds.length) : null,
      })),
      falseAlertTitles,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await service.stop();
  }
}

export function formatReport(r: DetectionReport): string {
  const lines = [
    `| scenario | episodes | detected | mean time to detect | alerts (by kind) |`,
    `|---|---|---|---|---|`,
    ...r.scenarios.map(
      (s) =>
        `| ${s.scenario} | ${s.episodes} | ${s.detected}/${s.episodes} | ${s.ttdSeconds === null ? '–' : `${s.ttdSeconds} s`} | ${s.alerts} (${Object.entries(
          s.byKind,
        )
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}) |`,
    ),
    '',
    `${r.events} events (${r.lateEvents} late), ${r.alerts} alerts, ${r.falseAlerts} false alerts = ${r.falseAlertsPer10k.toFixed(2)} per 10k events (${r.seconds.toFixed(0)} s)`,
  ];
  if (r.falseAlerts) lines.push(`false alerts by title: ${JSON.stringify(r.falseAlertTitles)}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('detection.ts')) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-detect-'));
  const span = process.argv[2] ?? '2h';
  const rate = Number(process.argv[3] ?? 60);
  try {
    console.log(formatReport(await runDetection({ dataDir: dir, span, rate })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
