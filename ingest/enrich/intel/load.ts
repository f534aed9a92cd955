// Loads threat intel from its sources (CSV files and STIX 2.1 bundles) into one ThreatIntelStore.
// Rows that can't be indicators are counted and reported with their place, never silently skipped.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseTable, type TableRow } from '../table-file.ts';
import { parseStixBundle } from './stix.ts';
import {
  INDICATOR_TYPES,
  type IndicatorRecord,
  type IndicatorType,
  inferIndicatorType,
  ThreatIntelStore,
} from './store.ts';

export interface IntelSourceConfig {
  path: string;
  /** Defaults from the extension: .json → stix, otherwise csv. */
  format?: 'csv' | 'stix';
  /** Type for rows without a type column (otherwise inferred from the value). */
  type?: IndicatorType;
  /** Name recorded on every indicator (defaults to the file name). */
  name?: string;
}

export interface IntelLoadReport {
  loaded: number;
  problems: string[];
}

export function loadThreatIntel(
  sources: IntelSourceConfig[],
  bloomErrorRate = 0.01,
): { store: ThreatIntelStore; report: IntelLoadReport } {
  const store = new ThreatIntelStore(bloomErrorRate);
  const report: IntelLoadReport = { loaded: 0, problems: [] };
  for (const src of sources) {
    const text = readFileSync(src.path, 'utf8');
    const format = src.format ?? (extname(src.path).toLowerCase() === '.json' ? 'stix' : 'csv');
    const name = src.name ?? src.path.split('/').at(-1) ?? src.path;
    if (format === 'stix') {
      const { indicators, unsupported } = parseStixBundle(text, name);
      for (const u of unsupported) report.problems.push(`${src.path}: ${u.id}: ${u.reason}`);
      addAll(store, indicators, src.path, report);
    } else {
      addAll(store, csvIndicators(parseTable(text, 'csv', src.path), src, name, report), src.path, report);
    }
  }
  store.seal();
  return { store, report };
}

function csvIndicators(
  rows: TableRow[],
  src: IntelSourceConfig,
  name: string,
  report: IntelLoadReport,
): IndicatorRecord[] {
  const out: IndicatorRecord[] = [];
  rows.forEach((row, i) => {
    const { indicator, value, type, ...extra } = row;
    const text = String(indicator ?? value ?? '').trim();
    const where = `${src.path}: row ${i + 2}`; // +1 for the header, +1 for 1-based lines
    if (text === '') {
      report.problems.push(`${where}: no indicator (columns: indicator or value)`);
      return;
    }
    const t = (
      typeof type === 'string' && type !== '' ? type.toLowerCase() : (src.type ?? inferIndicatorType(text))
    ) as IndicatorType | undefined;
    if (t === undefined || !(INDICATOR_TYPES as readonly string[]).includes(t)) {
      report.problems.push(
        `${where}: unknown indicator type ${JSON.stringify(type ?? t ?? '?')} for ${text}`,
      );
      return;
    }
    const record: IndicatorRecord = {
      ...extra,
      indicator: text,
      type: t,
      source: String(extra.source ?? name),
    };
    if (extra.confidence !== undefined && extra.confidence !== '')
      record.confidence = Number(extra.confidence);
    out.push(record);
  });
  return out;
}

function addAll(
  store: ThreatIntelStore,
  records: IndicatorRecord[],
  path: string,
  report: IntelLoadReport,
): void {
  for (const r of records) {
    try {
      store.add(r);
      report.loaded++;
    } catch (error) {
      report.problems.push(`${path}: ${r.id ?? r.indicator}: ${(error as Error).message}`);
    }
  }
}
