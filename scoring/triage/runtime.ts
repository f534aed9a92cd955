// One loaded config, ready to run: enrichment resources and steps, triage rules, Sigma rules and the
// alert settings. Loading does all the work that can fail (files, expressions, rules), so a reload
// either yields a complete runtime or an error while the running one stays.
import { isAbsolute, resolve } from 'node:path';
import {
  Enrichment,
  type EnrichmentLoadReport,
  eventSensor,
  recordEventError,
} from '../../ingest/enrich/enricher.ts';
import {
  type CompiledExpression,
  compileExpression,
  ExpressionError,
  eventVariables,
} from '../../kernel/expr/index.ts';
import { formatSigmaProblems, loadSigmaRules, type SigmaLoadProblem, type SigmaRule } from '../sigma/load.ts';
import type { AlertDeduplicator, TriageAlert } from './alerts.ts';
import { DEFAULT_SIGMA_RULES_DIR, type EnrichConfig, type LoadedEnrichConfig } from './config.ts';
import { TriageEngine, type TriageResult } from './triage.ts';

export interface EnrichRuntimeReport {
  source: string;
  enrichment: EnrichmentLoadReport;
  sigma: { loaded: number; problems: SigmaLoadProblem[] };
  triageRules: number;
}

export interface EnrichOutcome {
  event: Record<string, unknown>;
  triage: TriageResult;
  alert?: TriageAlert;
}

export class EnrichRuntime {
  private constructor(
    readonly config: EnrichConfig,
    readonly enrichment: Enrichment,
    readonly triage: TriageEngine,
    readonly sigmaRules: SigmaRule[],
    private readonly dedupKey: CompiledExpression | undefined,
    readonly report: EnrichRuntimeReport,
    private readonly baseDir: string,
  ) {}

  static async load(loaded: LoadedEnrichConfig): Promise<EnrichRuntime> {
    const { config, baseDir, source } = loaded;
    const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
    let sigmaRules: SigmaRule[] = [];
    let problems: SigmaLoadProblem[] = [];
    if (config.sigma.enabled) {
      const set = loadSigmaRules((config.sigma.paths ?? [DEFAULT_SIGMA_RULES_DIR]).map(at), {
        fields: { mapping: config.sigma.fieldMapping },
        levelScores: config.sigma.levelScores,
      });
      sigmaRules = set.rules;
      problems = set.problems;
      if (problems.length > 0 && config.sigma.onUnsupported === 'reject') {
        throw new Error(`${source}: Sigma rules rejected:\n${formatSigmaProblems(problems).join('\n')}`);
      }
    }
    const prefix = (error: unknown, where: string) => {
      const e = error as Error;
      if (e instanceof ExpressionError)
        return new ExpressionError(`${source}: ${where}${e.message}`, e.source, e.position, e.code);
      return new Error(`${source}: ${where}${e.message}`);
    };
    let triage: TriageEngine;
    try {
      triage = new TriageEngine(config, sigmaRules);
    } catch (error) {
      throw prefix(error, '');
    }
    let dedupKey: CompiledExpression | undefined;
    if (config.alerts.dedupKey !== undefined) {
      try {
        dedupKey = compileExpression(config.alerts.dedupKey, { expect: 'string' });
      } catch (error) {
        throw prefix(error, 'alerts.dedupKey: ');
      }
    }
    let enrichment: Enrichment;
    try {
      enrichment = await Enrichment.load({
        resources: { geo: config.geo, assets: config.assets, intel: config.intel },
        defaults: config.defaults.enrich,
        sensors: Object.fromEntries(Object.entries(config.sensors).map(([k, v]) => [k, v.enrich ?? {}])),
        baseDir,
      });
    } catch (error) {
      throw prefix(error, '');
    }
    return new EnrichRuntime(
      config,
      enrichment,
      triage,
      sigmaRules,
      dedupKey,
      {
        source,
        enrichment: enrichment.report,
        sigma: { loaded: sigmaRules.length, problems },
        triageRules: triage.ruleCount - sigmaRules.length,
      },
      baseDir,
    );
  }

  /** The files this runtime was built from (for watching): intel, assets, geo databases, Sigma paths. */
  inputFiles(): string[] {
    const c = this.config;
    const at = (p: string) => (isAbsolute(p) ? p : resolve(this.baseDir, p));
    const files = [
      c.geo?.path,
      c.geo?.ipv6Path,
      c.geo?.asnPath,
      c.assets?.path,
      ...(c.intel?.sources ?? []).map((s) => s.path),
      ...(c.sigma.enabled ? (c.sigma.paths ?? []) : []),
    ];
    return files.filter((f): f is string => typeof f === 'string').map(at);
  }

  /** Runs `fn` with this runtime's lookups available to expressions (wrap a whole batch). */
  withProviders<T>(fn: () => T): T {
    return this.enrichment.withProviders(fn);
  }

  /**
   * Enriches and triages one event in place and decides on an alert. Never throws for bad data:
   * failures are recorded on the event. Call inside withProviders.
   */
  process(event: Record<string, unknown>, timestampMs: number, dedup: AlertDeduplicator): EnrichOutcome {
    const sensor = eventSensor(event);
    this.enrichment.enrich(event, sensor);
    const vars = eventVariables(event, timestampMs);
    const triage = this.triage.evaluate(event, vars, sensor, (f) =>
      recordEventError(event, { step: 'triage', field: f.rule, message: f.message }),
    );
    const vigil = (event.vigil as Record<string, unknown> | undefined) ?? {};
    event.vigil = vigil;
    vigil.triage = triage;
    if (triage.rules.length > 0) {
      const meta = (event.event as Record<string, unknown> | undefined) ?? {};
      event.event = meta;
      meta.risk_score = triage.score;
    }
    if (!triage.alert) return { event, triage };
    const key = this.alertKey(event, vars, triage);
    const eventId = String((event.event as { id?: unknown } | undefined)?.id ?? `${timestampMs}`);
    const id = dedup.offer(key, timestampMs, eventId);
    if (id === undefined) return { event, triage };
    const entity = String(
      (event.source as { ip?: unknown } | undefined)?.ip ??
        (event.host as { name?: unknown } | undefined)?.name ??
        'unknown',
    );
    const alert: TriageAlert = {
      id,
      '@timestamp': new Date(timestampMs).toISOString(),
      kind: 'triage',
      title: alertTitle(triage),
      entity,
      sensor,
      score: triage.score,
      severity: Math.max(0, Math.min(100, Math.round(triage.score))),
      threshold: triage.threshold,
      reasons: triage.rules.map((r) => r.reason),
      rules: triage.rules,
      dedup: { key, window_ms: this.config.alerts.dedupWindowMs },
      event,
    };
    return { event, triage, alert };
  }

  private alertKey(
    event: Record<string, unknown>,
    vars: Record<string, unknown>,
    triage: TriageResult,
  ): string {
    if (this.dedupKey !== undefined) {
      try {
        return String(this.dedupKey.evaluate(vars));
      } catch (error) {
        recordEventError(event, {
          step: 'alert',
          field: 'alerts.dedupKey',
          message: (error as Error).message,
        });
      }
    }
    const src = (event.source as { ip?: unknown } | undefined)?.ip ?? '';
    const dst = (event.destination as { ip?: unknown } | undefined)?.ip ?? '';
    const names = triage.rules
      .map((r) => r.name)
      .sort()
      .join(',');
    return `${names}|${String(src)}|${String(dst)}`;
  }
}

/** The highest-scoring rule names the alert; the others are counted. */
function alertTitle(triage: TriageResult): string {
  let top = triage.rules[0];
  for (const r of triage.rules) if (top === undefined || r.score > top.score) top = r;
  const more = triage.rules.length - 1;
  return more > 0 ? `${top?.name} (+${more} more)` : (top?.name ?? '');
}
