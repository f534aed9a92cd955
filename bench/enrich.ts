// `npm run bench -- enrich [--events N] [--indicators N] [--rounds N]`: events/s through the enrich + triage stage
// (geo from the default GeoLite2-City mmdb, an asset inventory, threat intel with 100k indicators,
// 10 CEL triage rules and the shipped Sigma rules) on Zeek conn events, beside baselines measured in
// the same run: parse-only (raw Zeek line → event), bare JSON decode+encode of the events (the floor
// of any stage), and bare evaluation of the same 10 CEL rules. Real Zeek conn lines come from
// ../shared/data when present; otherwise generated lines are used.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogRecord } from '../ingest/log/types.ts';
import { parseLine } from '../ingest/parsers/parse-line.ts';
import { createParser } from '../ingest/parsers/registry.ts';
import type { StageContext } from '../ingest/pipeline/stage.ts';
import { compileExpression, eventVariables } from '../kernel/expr/index.ts';
import { parseEnrichConfig } from '../scoring/triage/config.ts';
import { createEnrichStage } from '../scoring/triage/enrich-stage.ts';
import { arg, fmt } from './_util.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const connFile = path.resolve(
  repoRoot,
  '../shared/data/zeek/stratosphere/002-zeek-scenario-port-scanning/conn.log',
);
const N = arg('events', 100_000);
const INDICATORS = arg('indicators', 100_000);
const ROUNDS = arg('rounds', 3);

// Deterministic pseudo-random numbers (no Math.random: runs are comparable).
let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const ip = () =>
  `${1 + Math.floor(rand() * 222)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;

function generatedLines(n: number): string[] {
  const ports = [53, 80, 443, 22, 23, 445, 9001, 3389, 8080, 123];
  const states = ['SF', 'S0', 'REJ', 'SF', 'SF', 'RSTO'];
  return Array.from({ length: n }, (_, i) => {
    const internal = `10.${Math.floor(rand() * 4)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
    const port = ports[Math.floor(rand() * ports.length)];
    const bytes = Math.floor(rand() * 5000);
    return JSON.stringify({
      ts: 1_733_300_000 + i * 0.01,
      uid: `C${i.toString(36)}`,
      'id.orig_h': internal,
      'id.orig_p': 1024 + Math.floor(rand() * 60000),
      'id.resp_h': rand() < 0.7 ? ip() : `10.0.0.${1 + Math.floor(rand() * 254)}`,
      'id.resp_p': port,
      proto: port === 53 || port === 123 ? 'udp' : 'tcp',
      duration: rand(),
      orig_bytes: bytes,
      resp_bytes: Math.floor(rand() * 50000),
      conn_state: states[Math.floor(rand() * states.length)],
      orig_pkts: 3,
      orig_ip_bytes: bytes + 120,
      resp_pkts: 4,
      resp_ip_bytes: 900,
    });
  });
}

const sample = existsSync(connFile)
  ? readFileSync(connFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
  : generatedLines(5000);
const rawLines = Array.from({ length: N }, (_, i) => sample[i % sample.length] as string);

// Parse once (outside the timed enrich runs): the `events` topic carries these JSON values.
const parser = createParser('zeek-json');
const ctx = { sensor: 'zeek', ingestedAt: 1_700_000_000_000 };
const events: string[] = [];
const timestamps: number[] = [];
for (const line of rawLines) {
  const r = parseLine(parser, line, ctx);
  if (!r.ok) continue;
  for (const e of r.events) {
    events.push(JSON.stringify(e));
    timestamps.push(Date.parse(e['@timestamp'] as string));
  }
}

// Resources: 100k intel indicators (IPs, CIDRs, domains; some hit the sample's addresses), 2k assets.
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-enrich-'));
const addresses = [
  ...new Set(
    events.slice(0, 5000).flatMap((e) => {
      const x = JSON.parse(e) as { source?: { ip?: string }; destination?: { ip?: string } };
      return [x.source?.ip, x.destination?.ip].filter((v): v is string => typeof v === 'string');
    }),
  ),
];
const intelRows = ['indicator,type,threat'];
for (let i = 0; i < INDICATORS; i++) {
  const r = rand();
  if (i < 20 && addresses[i * 7] !== undefined) intelRows.push(`${addresses[i * 7]},ip,bench-hit`);
  else if (r < 0.8) intelRows.push(`${ip()},ip,bench`);
  else if (r < 0.9) intelRows.push(`${ip().replace(/\.\d+$/, '.0')}/24,cidr,bench`);
  else intelRows.push(`d${i.toString(36)}.bench-evil.example,domain,bench`);
}
writeFileSync(path.join(dir, 'intel.csv'), `${intelRows.join('\n')}\n`);
const assetRows = ['cidr,owner,criticality,tags'];
for (let i = 0; i < 2000; i++)
  assetRows.push(`10.${i % 4}.${Math.floor(i / 4) % 256}.0/24,team-${i % 40},${1 + (i % 4)},corp`);
assetRows.push('172.16.0.0/12,lab,2,lab');
writeFileSync(path.join(dir, 'assets.csv'), `${assetRows.join('\n')}\n`);

const CEL_RULES = [
  ['intel destination', 'intel(destination.ip, "ip")', 90],
  ['smb to internet', 'destination.port in [139, 445] && isPublicIp(destination.ip)', 70],
  [
    'admin port at night',
    'destination.port in [22, 3389, 5985] && (hour(timestamp) < 6 || hour(timestamp) >= 22)',
    30,
  ],
  [
    'critical asset talks out',
    'has(vigil.asset) && has(vigil.asset.source) && vigil.asset.source.criticality >= 4 && isPublicIp(destination.ip)',
    40,
  ],
  [
    'sanctioned country',
    'has(destination.geo) && destination.geo.country_iso_code in ["KP", "IR", "SY", "CU"]',
    40,
  ],
  ['large upload', 'has(source.bytes) && source.bytes > 100000000', 60],
  [
    'many packets no reply',
    'has(source.packets) && source.packets > 100 && (!has(destination.packets) || destination.packets == 0)',
    35,
  ],
  ['long flow', 'has(event.duration) && event.duration > 3600000000000', 20],
  [
    'dns to public non-google',
    'destination.port == 53 && isPublicIp(destination.ip) && !inCidr(destination.ip, ["8.8.8.0/24", "8.8.4.0/24"])',
    15,
  ],
  ['telnet', 'network.transport == "tcp" && destination.port == 23', 50],
] as const;

const rulesYaml = CEL_RULES.map(
  ([name, rule, score]) =>
    `      - {name: ${JSON.stringify(name)}, rule: ${JSON.stringify(rule)}, score: ${score}}`,
).join('\n');
const configText = (withRules: boolean, withSigma: boolean) => `
geo: {}
assets: {path: assets.csv}
intel: {sources: [{path: intel.csv}]}
sigma: {enabled: ${withSigma}}
defaults:
  triage:
    rules:
${withRules ? rulesYaml : '      []'}
`;

const stageCtx: StageContext = { name: 'enrich', replay: true, countError: () => {} };
const BATCH = 2000;
const records: LogRecord[] = events.map((value, i) => ({
  topic: 'events',
  partition: 0,
  offset: i,
  timestamp: timestamps[i] as number,
  key: null,
  value: Buffer.from(value),
  headers: {},
}));

let sink = 0;
function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Variant {
  name: string;
  count: number;
  pass: () => void;
  note?: () => string;
  best: number;
}
const variants: Variant[] = [];

// Baselines.
variants.push({
  name: 'baseline: parse-only (raw Zeek line → normalized event)',
  count: rawLines.length,
  best: Number.POSITIVE_INFINITY,
  pass: () => {
    for (const line of rawLines) {
      const r = parseLine(parser, line, ctx);
      if (r.ok) sink += r.events.length;
    }
  },
});
variants.push({
  name: 'baseline: JSON decode + encode of the events',
  count: records.length,
  best: Number.POSITIVE_INFINITY,
  pass: () => {
    for (const r of records) sink += JSON.stringify(JSON.parse(r.value.toString('utf8'))).length;
  },
});
const compiled = CEL_RULES.filter(([name]) => name !== 'intel destination').map(([, rule]) =>
  compileExpression(rule),
);
const celEvents = events.slice(0, 50_000).map((e) => JSON.parse(e) as Record<string, unknown>);
variants.push({
  name: `baseline: bare CEL, ${compiled.length} rules per event (no enrichment)`,
  count: celEvents.length,
  best: Number.POSITIVE_INFINITY,
  pass: () => {
    for (let i = 0; i < celEvents.length; i++) {
      const v = eventVariables(celEvents[i] as Record<string, unknown>, timestamps[i]);
      for (const c of compiled) {
        if (c.missingVariable?.(v) !== undefined) continue;
        try {
          if (c.evaluate(v) === true) sink++;
        } catch {
          sink--;
        }
      }
    }
  },
  note: () => `(${fmt((celEvents.length * compiled.length) / (variants[2] as Variant).best)} evals/s)`,
});

async function stageVariant(name: string, withRules: boolean, withSigma: boolean): Promise<void> {
  const stage = createEnrichStage({
    config: parseEnrichConfig(configText(withRules, withSigma), '<bench>', dir),
  });
  await stage.start?.(stageCtx);
  let alerts = 0;
  const report = stage.report;
  variants.push({
    name: name
      .replace('{rules}', String(report?.triageRules))
      .replace('{sigma}', String(report?.sigma.loaded)),
    count: records.length,
    best: Number.POSITIVE_INFINITY,
    pass: () => {
      alerts = 0;
      for (let i = 0; i < records.length; i += BATCH) {
        for (const o of stage.process(records.slice(i, i + BATCH), stageCtx) as { topic: string }[]) {
          if (o.topic === 'alerts') alerts++;
        }
      }
    },
    note: withSigma ? () => `(${alerts} alerts)` : undefined,
  });
  intelLoaded = report?.enrichment.intel?.loaded ?? intelLoaded;
}
let intelLoaded = 0;
await stageVariant('stage: geo + asset + intel', false, false);
await stageVariant('stage: geo + asset + intel + {rules} CEL rules', true, false);
await stageVariant('stage: geo + asset + intel + {rules} CEL + {sigma} Sigma rules (full)', true, true);

console.log(
  `enrich benchmark: ${fmt(events.length)} Zeek conn events, ${ROUNDS} rounds, node ${process.version}, one core`,
);
console.log(`data: ${existsSync(connFile) ? connFile : 'generated conn lines (../shared/data absent)'}`);
console.log(
  `resources: ${intelLoaded} intel indicators, 2,001 asset blocks, GeoLite2-City (ip-location-db)\n`,
);
// Rounds interleave the variants and each keeps its best pass, so a burst of load from other
// processes on the machine hits one pass, not one variant.
for (const v of variants) v.pass(); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) v.best = Math.min(v.best, seconds(v.pass));
}
const parseOnly = (variants[0] as Variant).count / (variants[0] as Variant).best;
const jsonFloor = (variants[1] as Variant).count / (variants[1] as Variant).best;
for (const v of variants) {
  const rate = v.count / v.best;
  console.log(
    `${v.name.padEnd(66)} ${fmt(rate).padStart(8)}/s ${((100 * rate) / parseOnly).toFixed(0).padStart(4)}% of parse-only ${((100 * rate) / jsonFloor).toFixed(0).padStart(4)}% of JSON ${v.note?.() ?? ''}`,
  );
}
console.log(`\ntarget: ≥ 150k events/s on one core for the full stage`);
rmSync(dir, { recursive: true, force: true });
if (sink === -1) console.log(sink);
