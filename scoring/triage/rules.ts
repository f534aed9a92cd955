// Threat triage rules as in Metron: {name, comment, rule, score, reason}. The rule is a CEL predicate,
// the score a number or CEL number, the reason a CEL string. Compiled once per config; a bad
// expression throws at load with the rule's place and the position in the expression.
import {
  type CompiledExpression,
  compileExpression,
  ExpressionError,
  evaluateNumber,
  isMissingFieldError,
} from '../../kernel/expr/index.ts';
import type { TriageRuleConfig } from './config.ts';

export interface RuleMatch {
  name: string;
  score: number;
  reason: string;
  comment?: string;
  /** `rule` for CEL triage rules, `sigma` for Sigma rules. */
  kind: 'rule' | 'sigma';
  id?: string;
  level?: string;
}

export interface RuleFailure {
  rule: string;
  message: string;
}

export class CompiledTriageRule {
  private constructor(
    readonly name: string,
    readonly comment: string | undefined,
    private readonly predicate: CompiledExpression,
    private readonly score: number | CompiledExpression,
    private readonly reason: CompiledExpression | undefined,
  ) {}

  /** Compiles; `where` (e.g. `sensors.zeek.triage.rules[2]`) prefixes any error. */
  static compile(config: TriageRuleConfig, where: string): CompiledTriageRule {
    const compile = (field: string, source: string, expect: 'bool' | 'number' | 'string') => {
      try {
        return compileExpression(source, { expect });
      } catch (error) {
        const e = error as ExpressionError;
        throw new ExpressionError(
          `${where}.${field} (${config.name}): ${e.message}`,
          source,
          e.position,
          e.code,
        );
      }
    };
    return new CompiledTriageRule(
      config.name,
      config.comment,
      compile('rule', config.rule, 'bool'),
      typeof config.score === 'number' ? config.score : compile('score', config.score, 'number'),
      config.reason === undefined ? undefined : compile('reason', config.reason, 'string'),
    );
  }

  /**
   * The match for this event, or undefined. Failures (a type mismatch, a bad value) are passed to
   * `fail` and the rule yields nothing; a rule about fields the event lacks entirely is simply not
   * applicable.
   */
  evaluate(vars: Record<string, unknown>, fail: (f: RuleFailure) => void): RuleMatch | undefined {
    if (this.predicate.missingVariable?.(vars) !== undefined) return undefined;
    let matched: unknown;
    try {
      matched = this.predicate.evaluate(vars);
    } catch (error) {
      if (!(isMissingFieldError(error) && (error as ExpressionError).code === 'unknown_variable')) {
        fail({ rule: this.name, message: (error as Error).message });
      }
      return undefined;
    }
    if (matched !== true) {
      if (typeof matched !== 'boolean')
        fail({ rule: this.name, message: `rule gave ${typeof matched}, not a bool` });
      return undefined;
    }
    let score: number;
    try {
      score = typeof this.score === 'number' ? this.score : evaluateNumber(this.score, vars);
    } catch (error) {
      fail({ rule: this.name, message: `score: ${(error as Error).message}` });
      return undefined;
    }
    let reason = this.name;
    if (this.reason !== undefined) {
      try {
        reason = String(this.reason.evaluate(vars));
      } catch (error) {
        fail({ rule: this.name, message: `reason: ${(error as Error).message}` });
      }
    }
    const match: RuleMatch = { name: this.name, score, reason, kind: 'rule' };
    if (this.comment !== undefined) match.comment = this.comment;
    return match;
  }
}
