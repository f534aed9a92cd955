// Configuration is data: YAML or JSON text validated with zod. Errors point at the file, the line
// and the field so a bad new config can be rejected while the running one stays.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly issues: { path: string; line?: number; message: string }[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses YAML (a superset of JSON) and validates it; throws ConfigError naming source:line and field. */
export function parseConfig<S extends z.ZodType>(text: string, schema: S, source = '<config>'): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({
      path: '',
      line: e.linePos?.[0]?.line,
      message: e.message.split('\n')[0] ?? e.message,
    }));
    throw new ConfigError(formatIssues(source, issues), source, issues);
  }
  const data = doc.toJS();
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const node = doc.getIn(issue.path as (string | number)[], true) as
      | { range?: [number, number] }
      | undefined;
    const parent =
      node?.range === undefined && path.length > 0
        ? (doc.getIn(issue.path.slice(0, -1) as (string | number)[], true) as
            | { range?: [number, number] }
            | undefined)
        : undefined;
    const offset = node?.range?.[0] ?? parent?.range?.[0];
    return {
      path: path.join('.'),
      line: offset === undefined ? undefined : lineCounter.linePos(offset).line,
      message: issue.message,
    };
  });
  throw new ConfigError(formatIssues(source, issues), source, issues);
}

export function loadConfigFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  return parseConfig(readFileSync(path, 'utf8'), schema, path);
}

function formatIssues(source: string, issues: { path: string; line?: number; message: string }[]): string {
  return issues
    .map(
      (i) =>
        `${source}${i.line !== undefined ? `:${i.line}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`,
    )
    .join('\n');
}
