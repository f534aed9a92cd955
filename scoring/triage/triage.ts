// Triage of one enriched event: the sensor's CEL rules and the Sigma rules, aggregated into a threat
// score with the matched rules and their reasons. Rule failures go to a callback (the stage records
// them on the event); a failing rule never stops the others.
import type { SigmaRule } from '../sigma/load.ts';
import { aggregateScores } from './aggregate.ts';
import type { Aggregator, EnrichConfig, SensorTriage } from './config.ts';
import { CompiledTriageRule, type RuleFailure, type RuleMatch } from './rules.ts';

export interface TriageResult {
  score: number;
  aggregator: Aggregator;
  threshold: number;
  allowlisted: boolean;
  alert: boolean;
  rules: RuleMatch[];
}

interface SensorRules {
  rules: CompiledTriageRule[];
  sigma: SigmaRule[];
  aggregator: Aggregator;
  allowListWins: boolean;
  threshold: number;
}

export const DEFAULT_THRESHOLD = 50;

export class TriageEngine {
  private readonly perSensor = new Map<string, SensorRules>();

  constructor(
    private readonly config: EnrichConfig,
    private readonly sigmaRules: SigmaRule[],
  ) {
    this.forSensor('*'); // compile defaults and every configured sensor now: bad rules fail the load
    for (const name of Object.keys(config.sensors)) this.forSensor(name);
  }

  private forSensor(sensor: string): SensorRules {
    let s = this.perSensor.get(sensor);
    if (s !== undefined) return s;
    const d: SensorTriage = this.config.defaults.triage ?? {};
    const own: SensorTriage = this.config.sensors[sensor]?.triage ?? {};
    const rules = [
      ...(d.rules ?? []).map((r, i) => CompiledTriageRule.compile(r, `defaults.triage.rules[${i}]`)),
      ...(own.rules ?? []).map((r, i) =>
        CompiledTriageRule.compile(r, `sensors.${sensor}.triage.rules[${i}]`),
      ),
    ];
    s = {
      rules,
      sigma: (own.sigma ?? d.sigma ?? true) ? this.sigmaRules : [],
      aggregator: own.aggregator ?? d.aggregator ?? 'MAX',
      allowListWins: own.allowListWins ?? d.allowListWins ?? true,
      threshold: own.threshold ?? d.threshold ?? DEFAULT_THRESHOLD,
    };
    this.perSensor.set(sensor, s);
    return s;
  }

  get ruleCount(): number {
    return this.forSensor('*').rules.length + this.sigmaRules.length;
  }

  evaluate(
    event: Record<string, unknown>,
    vars: Record<string, unknown>,
    sensor: string,
    fail: (f: RuleFailure) => void,
  ): TriageResult {
    const s = this.forSensor(sensor);
    const matches: RuleMatch[] = [];
    for (const rule of s.rules) {
      const m = rule.evaluate(vars, fail);
      if (m !== undefined) matches.push(m);
    }
    for (const rule of s.sigma) {
      let hit = false;
      try {
        hit = rule.matches(event);
      } catch (error) {
        fail({ rule: rule.title, message: (error as Error).message });
      }
      if (hit) {
        matches.push({
          name: rule.title,
          score: rule.score,
          reason: rule.title,
          kind: 'sigma',
          id: rule.id,
          level: rule.level,
        });
      }
    }
    const { score, allowlisted } = aggregateScores(
      matches.map((m) => m.score),
      s.aggregator,
      s.allowListWins,
    );
    return {
      score,
      aggregator: s.aggregator,
      threshold: s.threshold,
      allowlisted,
      alert: !allowlisted && matches.length > 0 && score >= s.threshold,
      rules: matches,
    };
  }
}
