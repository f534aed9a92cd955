// The expression language: CEL (through one CEL library, chosen in issue 4 and kept behind this
// module so it can change). Every stage compiles expressions once per config and evaluates them per
// event. The function library (networks, domains, time, geo, intel, profiles) is registered here.
export interface CompiledExpression {
  readonly source: string;
  /** Evaluates against variables (an event's top-level fields are bound as variables). */
  evaluate(vars: Record<string, unknown>): unknown;
}

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}
