// Loads Sigma rules (YAML files or folders of them) and compiles each to a predicate. A rule Vigil
// can't fully honour is listed in the report with the reason; it never loads half-understood.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileDetection, type EventPredicate } from './compile.ts';
import type { FieldResolverOptions } from './field-mapping.ts';
import { type Logsource, logsourcePredicate } from './logsource.ts';

export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];
export const DEFAULT_LEVEL_SCORES: Record<SigmaLevel, number> = {
  informational: 10,
  low: 25,
  medium: 50,
  high: 75,
  critical: 100,
};

export interface SigmaRule {
  id: string;
  title: string;
  level: SigmaLevel;
  score: number;
  description?: string;
  tags: string[];
  logsource: Logsource;
  file: string;
  matches: EventPredicate;
}

export interface SigmaLoadProblem {
  file: string;
  rule?: string;
  message: string;
}

export interface SigmaRuleSet {
  rules: SigmaRule[];
  problems: SigmaLoadProblem[];
}

export interface SigmaLoadOptions {
  fields?: FieldResolverOptions;
  levelScores?: Partial<Record<SigmaLevel, number>>;
}

function ruleFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      if (statSync(full).isDirectory()) return ruleFiles(full);
      return ['.yml', '.yaml'].includes(extname(name).toLowerCase()) ? [full] : [];
    });
}

/** Compiles one parsed rule document; throws with the reason when it can't. */
export function compileSigmaRule(
  doc: Record<string, unknown>,
  file: string,
  options: SigmaLoadOptions = {},
): SigmaRule {
  const title = typeof doc.title === 'string' ? doc.title : undefined;
  if (title === undefined) throw new Error('title is missing');
  if (doc.action !== undefined)
    throw new Error(`rule collections (action: ${String(doc.action)}) are not supported`);
  if (doc.correlation !== undefined) throw new Error('correlation rules are not supported');
  const level = (typeof doc.level === 'string' ? doc.level.toLowerCase() : 'medium') as SigmaLevel;
  if (!SIGMA_LEVELS.includes(level)) throw new Error(`level ${String(doc.level)} is not a Sigma level`);
  const logsource = (doc.logsource ?? {}) as Logsource;
  const inScope = logsourcePredicate(logsource);
  const detection = compileDetection(doc.detection, { logsource, fields: options.fields });
  const score = { ...DEFAULT_LEVEL_SCORES, ...options.levelScores }[level];
  return {
    id: typeof doc.id === 'string' ? doc.id : title,
    title,
    level,
    score,
    description: typeof doc.description === 'string' ? doc.description : undefined,
    tags: Array.isArray(doc.tags) ? doc.tags.map(String) : [],
    logsource,
    file,
    matches: (e) => inScope(e) && detection(e),
  };
}

export function parseSigmaText(text: string, file: string, options: SigmaLoadOptions = {}): SigmaRuleSet {
  const out: SigmaRuleSet = { rules: [], problems: [] };
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      out.problems.push({ file, message: `YAML: ${doc.errors[0]?.message.split('\n')[0]}` });
      continue;
    }
    const data = doc.toJS() as Record<string, unknown> | null;
    if (data === null) continue;
    try {
      out.rules.push(compileSigmaRule(data, file, options));
    } catch (error) {
      out.problems.push({
        file,
        rule: typeof data.title === 'string' ? data.title : undefined,
        message: (error as Error).message,
      });
    }
  }
  return out;
}

/** Loads every rule under the given files/folders. Duplicate ids are reported; the first wins. */
export function loadSigmaRules(paths: string[], options: SigmaLoadOptions = {}): SigmaRuleSet {
  const out: SigmaRuleSet = { rules: [], problems: [] };
  const seen = new Set<string>();
  for (const p of paths) {
    let files: string[];
    try {
      files = ruleFiles(p);
    } catch (error) {
      out.problems.push({ file: p, message: (error as Error).message });
      continue;
    }
    for (const file of files) {
      const set = parseSigmaText(readFileSync(file, 'utf8'), file, options);
      out.problems.push(...set.problems);
      for (const r of set.rules) {
        if (seen.has(r.id)) {
          out.problems.push({ file, rule: r.title, message: `duplicate rule id ${r.id}` });
          continue;
        }
        seen.add(r.id);
        out.rules.push(r);
      }
    }
  }
  return out;
}

/** One line per problem, for logs and the CLI's stderr. */
export function formatSigmaProblems(problems: SigmaLoadProblem[]): string[] {
  return problems.map((p) => `${p.file}${p.rule ? ` (${p.rule})` : ''}: ${p.message}`);
}
