// `npm run bench -- parse [--lines N]`: lines/s per parser, parse alone and parse + normalize (what
// the parse stage does per line), beside a bare JSON.parse loop over the same Zeek JSON conn lines,
// measured in the same run. Real samples come from ../shared/data when present; otherwise built-in
// sample lines are cycled.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLine } from '../ingest/parsers/parse-line.ts';
import { createParser } from '../ingest/parsers/registry.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.resolve(repoRoot, '../shared/data');
const argLines = process.argv.indexOf('--lines');
const N = argLines > 0 ? Number(process.argv[argLines + 1]) : 200_000;

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const dataFile = (...p: string[]) => {
  const f = path.join(data, ...p);
  return existsSync(f) ? f : undefined;
};
const dirLines = (...p: string[]) => {
  const d = path.join(data, ...p);
  return existsSync(d) ? readdirSync(d).flatMap((f) => readLines(path.join(d, f))) : undefined;
};

/** Cycles `samples` up to n lines. */
const cycle = (samples: string[], n: number) =>
  Array.from({ length: n }, (_, i) => samples[i % samples.length]!);

const zeekConnJson = dataFile('zeek/stratosphere/002-zeek-scenario-port-scanning/conn.log');
const zeekConnTsv = dataFile('zeek/stratosphere/008-zeek-mixed/data/conn.log.labeled');
const builtinConn =
  '{"ts":1796400000.125001,"uid":"CvigilBench0000001","id.orig_h":"10.10.1.21","id.orig_p":51877,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp","service":"dns","duration":0.012166976928710938,"orig_bytes":0,"resp_bytes":111,"conn_state":"SHR","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"Cd","orig_pkts":0,"orig_ip_bytes":0,"resp_pkts":1,"resp_ip_bytes":139}';

interface Case {
  format: string;
  options?: unknown;
  samples: string[];
  /** Header lines fed once before timing (stateful formats). */
  header?: string[];
}

const tsv = zeekConnTsv ? readLines(zeekConnTsv) : undefined;
const CASES: Case[] = [
  { format: 'zeek-json', samples: zeekConnJson ? readLines(zeekConnJson) : [builtinConn] },
  ...(tsv
    ? [
        {
          format: 'zeek-tsv',
          header: tsv.filter((l) => l.startsWith('#')),
          samples: tsv.filter((l) => !l.startsWith('#')),
        },
      ]
    : []),
  {
    format: 'zeek-json (Metron envelope)',
    samples: dirLines('metron-samples/bro/raw') ?? [`{"conn":${builtinConn}}`],
  },
  { format: 'snort-csv', samples: dirLines('metron-samples/snort/raw') ?? [] },
  { format: 'yaf', samples: dirLines('metron-samples/yaf/raw') ?? [] },
  { format: 'squid', samples: dirLines('metron-samples/squid/raw') ?? [] },
  { format: 'cisco-asa', options: { year: 2016 }, samples: dirLines('metron-samples/asa/raw') ?? [] },
  {
    format: 'syslog-3164',
    options: { year: 2018 },
    samples: dirLines('metron-samples/syslog3164/raw') ?? [],
  },
  { format: 'syslog-5424', samples: dirLines('metron-samples/syslog5424/raw') ?? [] },
  { format: 'websphere', options: { year: 2016 }, samples: dirLines('metron-samples/websphere/raw') ?? [] },
  { format: 'cef', options: { year: 2016 }, samples: dirLines('metron-samples/cef/raw') ?? [] },
  { format: 'leef', samples: dirLines('metron-samples/leef/raw') ?? [] },
  {
    format: 'json-map',
    options: { prefix: '', query: '$.foo' },
    samples: dirLines('metron-samples/jsonMapQuery/raw') ?? [],
  },
  {
    format: 'suricata-eve',
    samples: [
      '{"timestamp":"2017-01-25T21:37:40.331212+0100","flow_id":1,"src_ip":"10.0.0.1","src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","event_type":"alert","alert":{"action":"allowed","gid":1,"signature_id":2019236,"rev":3,"signature":"ET POLICY curl","category":"Attempted Information Leak","severity":2}}',
      '{"timestamp":"2017-01-25T21:37:40.331212+0100","flow_id":2,"src_ip":"10.0.0.1","src_port":1235,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","event_type":"flow","flow":{"pkts_toserver":3,"pkts_toclient":2,"bytes_toserver":300,"bytes_toclient":200}}',
    ],
  },
  {
    format: 'csv',
    options: {
      columns: ['time', 'src', 'dst', 'action'],
      fields: { src: 'source.ip', dst: 'destination.ip' },
      timestampField: 'time',
    },
    samples: [
      '2024-01-01T00:00:00Z,10.0.0.1,10.0.0.2,allow',
      '2024-01-01 00:00:01,"10.0.0.3",10.0.0.4,"deny, logged"',
    ],
  },
  {
    format: 'regex',
    options: { grok: '%{COMBINEDAPACHELOG}' },
    samples: [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://ex.com/" "Mozilla/4.08"',
    ],
  },
];

let sink = 0;
function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function bareJson(lines: string[]): number {
  return time(() => {
    for (const l of lines) sink += (JSON.parse(l) as object) === null ? 0 : 1;
  });
}

function measure(c: Case, lines: string[], normalize: boolean): { seconds: number; errors: number } {
  const format = c.format.split(' ')[0]!;
  const parser = createParser(format, c.options);
  for (const h of c.header ?? []) parser.parse(h);
  let errors = 0;
  const seconds = time(() => {
    if (normalize) {
      const ctx = { sensor: format, ingestedAt: 1_700_000_000_000 };
      for (const l of lines) {
        const r = parseLine(parser, l, ctx);
        if (r.ok) sink += r.events.length;
        else errors++;
      }
    } else {
      for (const l of lines) {
        const r = parser.parse(l);
        if (r.ok) sink += r.events.length;
        else errors++;
      }
    }
  });
  return { seconds, errors };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11);
console.log(
  `parse benchmark: ${N.toLocaleString('en-US')} lines per parser, node ${process.version}, one core`,
);
console.log(`data: ${existsSync(data) ? data : 'built-in samples (../shared/data absent)'}\n`);

const connLines = cycle(CASES[0]!.samples, N);
// Warm up the JIT on both paths before timing.
bareJson(connLines.slice(0, 20_000));
measure(CASES[0]!, connLines.slice(0, 20_000), true);
// The headline ratio: baseline and Zeek JSON conn measured alternately, best of 5 each, so a busy
// shared machine slows both alike.
let bareBest = Number.POSITIVE_INFINITY;
let connBest = Number.POSITIVE_INFINITY;
for (let i = 0; i < 5; i++) {
  bareBest = Math.min(bareBest, bareJson(connLines));
  connBest = Math.min(connBest, measure(CASES[0]!, connLines, true).seconds);
}
const bare = N / bareBest;

console.log(
  `${'parser'.padEnd(30)} ${'parse/s'.padStart(11)} ${'+normalize/s'.padStart(13)} ${'vs bare JSON.parse'.padStart(19)} errors`,
);
console.log(
  `${'bare JSON.parse (zeek conn)'.padEnd(30)} ${fmt(bare)} ${''.padStart(13)} ${'100.0%'.padStart(19)}`,
);
for (const c of CASES) {
  if (c.samples.length === 0) continue;
  const lines = cycle(c.samples, N);
  measure(c, lines.slice(0, 10_000), true); // warm-up
  const p = measure(c, lines, false);
  const n = measure(c, lines, true);
  const rateParse = N / p.seconds;
  const rateFull = N / (c === CASES[0] ? Math.min(connBest, n.seconds) : n.seconds);
  const vs = c.format.startsWith('zeek-json') ? `${((100 * rateFull) / bare).toFixed(1)}%` : '';
  console.log(
    `${c.format.padEnd(30)} ${fmt(rateParse)} ${fmt(rateFull).padStart(13)} ${vs.padStart(19)} ${n.errors}`,
  );
}
console.log(
  `\nZeek JSON conn, full path (parse + normalize) vs bare JSON.parse: ${((100 * N) / connBest / bare).toFixed(1)}% (best of 5, alternated)`,
);
console.log(
  '(+normalize is the per-line path of the parse stage: parse, typed-field checks, SHA-256 event id.)',
);
if (sink === -1) console.log(sink);
