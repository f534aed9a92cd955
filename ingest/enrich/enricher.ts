// The enrichment runtime built from one config: the loaded resources (geo database, asset inventory,
// threat intel) and, per sensor, the compiled enrichment steps. Building it loads files and compiles
// expressions (a bad one rejects the whole config); `enrich` then runs per event and never throws:
// a failing step records its error on the event (`vigil.errors`) and the event goes on.
import { dirname, isAbsolute, resolve } from 'node:path';
import { Counter } from 'prom-client';
import { parseIp } from '../../kernel/expr/functions/ip.ts';
import {
  type CompiledExpression,
  compileExpression,
  type ExpressionProviders,
  eventVariables,
  isMissingFieldError,
  toJsonValue,
  withExpressionProviders,
} from '../../kernel/expr/index.ts';
import { metricsRegistry } from '../../kernel/metrics.ts';
import { AssetInventory } from './assets.ts';
import {
  type EnrichResources,
  type ResolvedSensorEnrichment,
  resolveSensorEnrichment,
  type SensorEnrichment,
} from './config.ts';
import { GeoDatabase } from './geo.ts';
import { type IntelLoadReport, loadThreatIntel } from './intel/load.ts';
import type { IndicatorRecord, ThreatIntelStore } from './intel/store.ts';
import { getPath, parentPath, setPath } from './paths.ts';

export const enrichmentErrors = new Counter({
  name: 'vigil_enrichment_errors_total',
  help: 'Enrichment or triage steps that failed on an event (the event passes on with the error recorded)',
  labelNames: ['step'],
  registers: [metricsRegistry],
});

export interface EnrichmentError {
  step: string;
  field?: string;
  message: string;
}

type VigilEvent = Record<string, unknown>;

/** Records a step's failure on the event (`vigil.errors`) and counts it. */
export function recordEventError(event: VigilEvent, error: EnrichmentError): void {
  let vigil = event.vigil as Record<string, unknown> | undefined;
  if (vigil === undefined || vigil === null || typeof vigil !== 'object') {
    vigil = {};
    event.vigil = vigil;
  }
  const list = (vigil.errors as EnrichmentError[] | undefined) ?? [];
  list.push(error);
  vigil.errors = list;
  enrichmentErrors.inc({ step: error.step });
}

/** The sensor an event came from: the parser stamps it on observer.type and event.dataset. */
export function eventSensor(event: VigilEvent): string {
  const observer = event.observer as { type?: unknown } | undefined;
  if (typeof observer?.type === 'string') return observer.type;
  const dataset = (event.event as { dataset?: unknown } | undefined)?.dataset;
  return typeof dataset === 'string' ? dataset : 'unknown';
}

const targets = {
  geo: new Map<string, string>(),
  as: new Map<string, string>(),
  asset: new Map<string, string>(),
};
/** Where an enricher writes for a source field: `source.ip` → `source.geo`, `source.as`, `vigil.asset.source`. */
function targetPath(field: string, kind: 'geo' | 'as' | 'asset'): string {
  let t = targets[kind].get(field);
  if (t === undefined) {
    const parent = parentPath(field);
    t = kind === 'asset' ? `vigil.asset.${parent || field}` : parent ? `${parent}.${kind}` : kind;
    targets[kind].set(field, t);
  }
  return t;
}

export interface FieldAssignment {
  target: string;
  expression: CompiledExpression;
}

const ASSIGNMENT = /^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*:=\s*(.+)$/s;

/** Parses and compiles `target := CEL`; throws with the assignment's text and the CEL position. */
export function compileAssignment(text: string): FieldAssignment {
  const m = ASSIGNMENT.exec(text);
  if (m === null) throw new Error(`expected "field.path := expression", got ${JSON.stringify(text)}`);
  return { target: m[1] as string, expression: compileExpression(m[2] as string) };
}

interface CompiledSensor {
  settings: ResolvedSensorEnrichment;
  assignments: FieldAssignment[];
}

export interface EnrichmentSettings {
  resources?: EnrichResources;
  defaults?: SensorEnrichment;
  sensors?: Record<string, SensorEnrichment>;
  /** Folder relative resource paths resolve against (the config file's folder). */
  baseDir?: string;
}

export interface EnrichmentLoadReport {
  intel?: IntelLoadReport;
  assets?: number;
  geo: boolean;
}

export class Enrichment {
  readonly providers: ExpressionProviders;
  private readonly compiled = new Map<string, CompiledSensor>();

  private constructor(
    private readonly settings: EnrichmentSettings,
    readonly geo: GeoDatabase | undefined,
    readonly assets: AssetInventory | undefined,
    readonly intel: ThreatIntelStore | undefined,
    readonly report: EnrichmentLoadReport,
  ) {
    this.providers = {
      geo: geo
        ? (ip) => {
            if (parseIp(ip) === undefined) throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
            const { geo: g, as } = geo.lookup(ip);
            if (g === undefined && as === undefined) return undefined;
            return as === undefined ? { ...g } : { ...g, asn: as.number, as_org: as.organization.name };
          }
        : undefined,
      asset: assets ? (x) => assets.lookup(x) : undefined,
      intel: intel ? (x, type) => intel.lookup(x, type) : undefined,
    };
    // Compile every configured sensor now so a bad expression rejects the config at load.
    this.sensorFor('*');
    for (const name of Object.keys(settings.sensors ?? {})) this.sensorFor(name);
  }

  /** Loads resources and compiles expressions; throws (naming the file or expression) when any is bad. */
  static async load(settings: EnrichmentSettings): Promise<Enrichment> {
    const res = settings.resources ?? {};
    const at = (p: string) =>
      isAbsolute(p) || settings.baseDir === undefined ? p : resolve(settings.baseDir, p);
    const geo =
      res.geo === undefined || !res.geo.enabled
        ? undefined
        : await GeoDatabase.open({
            path: res.geo.path && at(res.geo.path),
            ipv6Path: res.geo.ipv6Path && at(res.geo.ipv6Path),
            asnPath: res.geo.asnPath && at(res.geo.asnPath),
            cacheSize: res.geo.cacheSize,
          });
    let assets: AssetInventory | undefined;
    if (res.assets !== undefined) {
      assets = res.assets.path ? AssetInventory.fromFile(at(res.assets.path)) : new AssetInventory();
      for (const [i, row] of (res.assets.entries ?? []).entries()) assets.addRow(row, `assets.entries.${i}`);
    }
    let intel: ThreatIntelStore | undefined;
    let intelReport: IntelLoadReport | undefined;
    if (res.intel !== undefined) {
      const loaded = loadThreatIntel(
        res.intel.sources.map((s) => ({ ...s, path: at(s.path) })),
        res.intel.bloomErrorRate,
      );
      intel = loaded.store;
      intelReport = loaded.report;
      for (const ind of res.intel.indicators) {
        try {
          intel.add({ ...(ind as IndicatorRecord), source: String(ind.source ?? 'config') });
          intelReport.loaded++;
        } catch (error) {
          intelReport.problems.push(`intel.indicators: ${ind.indicator}: ${(error as Error).message}`);
        }
      }
    }
    return new Enrichment(settings, geo, assets, intel, {
      geo: geo !== undefined,
      assets: assets?.size,
      intel: intelReport,
    });
  }

  private sensorFor(sensor: string): CompiledSensor {
    let c = this.compiled.get(sensor);
    if (c === undefined) {
      const own = this.settings.sensors?.[sensor];
      const settings = resolveSensorEnrichment(this.settings.defaults, own);
      const assignments = settings.fields.map((text, i) => {
        try {
          return compileAssignment(text);
        } catch (error) {
          const where = own?.fields?.includes(text)
            ? `sensors.${sensor}.enrich.fields`
            : 'defaults.enrich.fields';
          throw new Error(`${where}[${i}]: ${(error as Error).message}`);
        }
      });
      c = { settings, assignments };
      this.compiled.set(sensor, c);
    }
    return c;
  }

  /** Runs `fn` with this enrichment's lookups behind `geo()`, `asset()`, `intel()` in expressions. */
  withProviders<T>(fn: () => T): T {
    return withExpressionProviders(this.providers, fn);
  }

  /** Enriches the event in place; failures are recorded on it. Call inside withProviders. */
  enrich(event: VigilEvent, sensor = eventSensor(event)): void {
    const { settings, assignments } = this.sensorFor(sensor);
    if (this.geo !== undefined) for (const field of settings.geo) this.enrichGeo(event, field);
    if (this.assets !== undefined) for (const field of settings.asset) this.enrichAsset(event, field);
    if (this.intel !== undefined) {
      for (const type of ['ip', 'domain', 'url', 'hash'] as const) {
        for (const field of settings.intel[type]) this.enrichIntel(event, field, type);
      }
    }
    if (assignments.length > 0) this.applyAssignments(event, assignments);
  }

  private enrichGeo(event: VigilEvent, field: string): void {
    const ip = getPath(event, field);
    if (ip === undefined || ip === null || ip === '') return;
    const geo = this.geo as GeoDatabase;
    if (typeof ip !== 'string' || parseIp(ip) === undefined) {
      recordEventError(event, { step: 'geo', field, message: `not an IP address: ${JSON.stringify(ip)}` });
      return;
    }
    try {
      const { geo: g, as } = geo.lookup(ip);
      if (g !== undefined) setPath(event, targetPath(field, 'geo'), { ...g });
      if (as !== undefined) setPath(event, targetPath(field, 'as'), { ...as });
    } catch (error) {
      recordEventError(event, { step: 'geo', field, message: (error as Error).message });
    }
  }

  private enrichAsset(event: VigilEvent, field: string): void {
    const value = getPath(event, field);
    if (value === undefined || value === null || value === '') return;
    if (typeof value !== 'string') {
      recordEventError(event, {
        step: 'asset',
        field,
        message: `expected an IP or host name, got ${typeof value}`,
      });
      return;
    }
    const record = (this.assets as AssetInventory).lookup(value);
    if (record === undefined) return;
    try {
      setPath(event, targetPath(field, 'asset'), { ...record }); // copied: the inventory's own stays unchanged
    } catch (error) {
      recordEventError(event, { step: 'asset', field, message: (error as Error).message });
    }
  }

  private enrichIntel(event: VigilEvent, field: string, type: 'ip' | 'domain' | 'url' | 'hash'): void {
    const value = getPath(event, field);
    if (value === undefined || value === null || value === '') return;
    if (typeof value !== 'string') {
      recordEventError(event, { step: 'intel', field, message: `expected a string, got ${typeof value}` });
      return;
    }
    const hit = (this.intel as ThreatIntelStore).lookup(value, type);
    if (hit === undefined) return;
    const threat = (event.threat as Record<string, unknown> | undefined) ?? {};
    event.threat = threat;
    const list = (threat.enrichments as unknown[] | undefined) ?? [];
    threat.enrichments = list;
    const { indicator, type: indicatorType, source, threat: name, confidence, description, id } = hit;
    list.push({
      indicator: {
        value: indicator,
        type: indicatorType,
        provider: source,
        name,
        confidence,
        description,
        id,
      },
      matched: { atomic: value, field, type: 'indicator_match_rule' },
    });
  }

  private applyAssignments(event: VigilEvent, assignments: FieldAssignment[]): void {
    const vars = eventVariables(event);
    for (const { target, expression } of assignments) {
      try {
        if (expression.missingVariable?.(vars) !== undefined) continue; // nothing to compute from
        const value = toJsonValue(expression.evaluate(vars));
        setPath(event, target, value);
        const top = target.split('.')[0] as string;
        vars[top] = event[top]; // later assignments see earlier results
      } catch (error) {
        if (isMissingFieldError(error)) continue;
        recordEventError(event, { step: 'field', field: target, message: (error as Error).message });
      }
    }
  }
}

export function configBaseDir(configPath: string | undefined): string | undefined {
  return configPath === undefined ? undefined : dirname(resolve(configPath));
}
