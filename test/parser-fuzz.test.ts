// Property test over every parser: mutated sample lines and random strings never make an exception
// escape, and every line ends as exactly one event (or the events a splitting parser makes) or
// exactly one error with a message. Events that come out satisfy the canonical event schema.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../ingest/parsers/parse-line.ts';
import { createUnguardedParser, parserFormats } from '../ingest/parsers/registry.ts';
import type { Parser } from '../ingest/parsers/types.ts';
import { eventSchema } from '../ingest/schema/event.ts';

interface Case {
  options?: unknown;
  samples: string[];
  /** Lines that may legitimately yield no event (stream headers). */
  mayBeEmpty?: (line: string) => boolean;
  splits?: boolean;
}

const CASES: Record<string, Case> = {
  'zeek-json': {
    samples: [
      '{"ts":1664462456.755299,"uid":"C5","id.orig_h":"172.16.1.11","id.orig_p":40042,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp","service":"dns","duration":0.01,"orig_bytes":0,"resp_bytes":111,"conn_state":"SHR","orig_pkts":0,"orig_ip_bytes":0,"resp_pkts":1,"resp_ip_bytes":139}',
      '{"dns":{"ts":1402308259.609,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":3,"id.resp_h":"10.0.0.2","id.resp_p":53,"proto":"udp","trans_id":1,"query":"a.com","qtype_name":"A","rcode_name":"NOERROR","answers":["1.1.1.1"],"TTLs":[1.0]}}',
      '{"http":{"ts":1,"id.orig_h":"1.1.1.1","id.orig_p":1,"id.resp_h":"2.2.2.2","id.resp_p":80,"method":"GET","host":"x.org","uri":"/","status_code":200,"request_body_len":0}}',
    ],
  },
  'zeek-tsv': {
    samples: [
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\ttunnel_parents',
      '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tset[string]',
      '1655071198.444458\tCHL\t147.32.81.167\t62771\t40.74.108.123\t443\ttcp\t1.5\t(empty)',
      '1655071198.444458\tCHL\t147.32.81.167\t62771\t40.74.108.123\t443\ttcp\t-\ta,b',
    ],
    mayBeEmpty: (l) => l.startsWith('#'),
  },
  'suricata-eve': {
    samples: [
      '{"timestamp":"2017-01-25T21:37:40.331212+0100","src_ip":"10.0.0.1","src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","event_type":"alert","alert":{"signature_id":1,"signature":"x","severity":2}}',
      '{"timestamp":"2017-01-25T21:37:40.331212+0100","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"UDP","event_type":"dns","dns":{"type":"query","id":1,"rrname":"a.com","rrtype":"A"}}',
    ],
  },
  'snort-csv': {
    samples: [
      '01/27/16-16:01:04.877970 ,129,12,1,"Consecutive TCP small segments exceeding threshold",TCP,10.9.2.2,51234,10.9.2.15,22,52:54:00:12:35:02,08:00:27:7F:93:2D,0x4E,***AP***,0x9AFF3D7,0xC8761D52,,0xFFFF,64,0,59677,64,65536,,,,',
    ],
  },
  yaf: {
    samples: [
      '2016-01-28 15:29:48.512|2016-01-28 15:29:48.512|   0.000|   0.000|  6|                          198.51.100.80|   80|                               10.0.2.15|39468|      AS|       0|       0|       0|22efa001|00000000|000|000|       1|      44|       0|       0|    0|idle',
    ],
  },
  squid: {
    samples: [
      '1461576382.642    161 127.0.0.1 TCP_MISS/200 88213 GET http://news.example.com/ - DIRECT/203.0.113.9 text/html',
    ],
  },
  'cisco-asa': {
    options: { year: 2016 },
    samples: [
      '<166>Jan  5 08:52:35 10.22.8.216 %ASA-6-302021: Teardown ICMP connection for faddr 10.22.8.74/0(LOCAL\\user.name) gaddr 10.22.8.205/0 laddr 10.22.8.205/0',
      '<174>Jan  5 14:52:35 10.40.1.5 %ASA-6-302013: Built inbound TCP connection 91830017 for outside:10.40.7.21/54209 (10.40.7.21/54209) to inside:198.111.72.238/443 (198.111.72.238/443) (user.name)',
      '<164>Aug 05 2016 01:02:25: %ASA-4-106023: Deny udp src Inside:10.60.4.12/42350 dst Outside:192.168.9.53/53 by access-group "inside_acl" [0x962df600, 0x0]',
    ],
  },
  cef: {
    samples: [
      'Mar 21 14:05:02 HHHPVATN1 CEF:0|Cyber-Ark|Vault|7.20.0091|295|Retrieve password|5|act=Retrieve password suser=spilgrim fname=Root\\ABC dvc=120.99.70.3 cs1Label="Affected User Name" cs1= msg=Needed',
      'CEF:0|Security|threat\\|manager|1.0|100|worm stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 rt=1458569102000',
    ],
  },
  leef: {
    samples: [
      'LEEF:2.0|Trend Micro|Deep Security Agent|<DSA version>|4000030|cat=Anti-Malware\tname=HEU_AEGIS_CRYPT\tsev=6 cn1=241 cn1Label=Host ID\tdvc=10.0.0.1\tact=Terminate',
      'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^devTime=1458569102000',
    ],
  },
  'syslog-3164': { samples: ['<34>Oct 11 22:14:15 mymachine su[230]: su root failed on /dev/pts/8'] },
  'syslog-5424': {
    samples: [
      '<14>1 2014-06-20T09:14:08+00:00 loggregator d0602076 DEA MSG-02 [exampleSDID@32473 iut="3" eventSource="Application"][x@1 a="b"] Removing instance',
    ],
  },
  websphere: {
    samples: [
      "<133>Apr 15 17:47:28 GWXML0042 [extOut][0x81000033][auth][notice] user(mgarcia): [203.0.113.45]: User logged into 'partnerOut'.",
      '<131>Apr 15 17:36:35 ROBXML3QRS [0x80800018][auth][error] rbm(RBM-Settings): trans(3502888135)[request]: RBM: denied.',
    ],
  },
  'json-map': {
    options: { query: '$.foo', prefix: '', fields: { src: 'source.ip' }, timestampField: 'ts' },
    samples: ['{"foo":[{"ts":1458569102,"src":"10.0.0.1","n":1},{"ts":"2020-01-01T00:00:00Z","n":2}]}'],
    splits: true,
  },
  csv: {
    options: {
      columns: ['time', 'src', 'dst', 'action'],
      fields: { src: 'source.ip', dst: 'destination.ip' },
      timestampField: 'time',
    },
    samples: [
      '2024-01-01T00:00:00Z,10.0.0.1,10.0.0.2,allow',
      '2024-01-01 00:00:00,"10.0.0.1",10.0.0.2,"a,b"',
    ],
    mayBeEmpty: (l) => l === 'time,src,dst,action',
  },
  regex: {
    options: {
      grok: [
        '%{COMBINEDAPACHELOG}',
        '^%{SYSLOGTIMESTAMP:timestamp} %{IPORHOST:host.hostname} %{GREEDYDATA:message}$',
      ],
    },
    samples: [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://ex.com/" "Mozilla/4.08"',
      'Oct 11 22:14:15 host.example.com something happened',
    ],
  },
};

/** A sample line with a few random edits: replace, insert, delete, truncate or duplicate a span. */
const mutated = (samples: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(
        fc.record({
          op: fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'duplicate'),
          at: fc.nat(),
          len: fc.integer({ min: 1, max: 8 }),
          text: fc.string({
            unit: fc.constantFrom(
              '|',
              ',',
              '"',
              '\t',
              ' ',
              '=',
              ':',
              '[',
              ']',
              '{',
              '}',
              '\\',
              '-',
              '0',
              '9',
              '.',
              'a',
              '\u00e9',
              '\u0000',
            ),
            maxLength: 4,
          }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([line, edits]) => {
      let s = line;
      for (const e of edits) {
        const at = s.length === 0 ? 0 : e.at % s.length;
        if (e.op === 'replace') s = s.slice(0, at) + e.text + s.slice(at + e.len);
        else if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
        else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
        else if (e.op === 'truncate') s = s.slice(0, at);
        else s = s.slice(0, at) + s.slice(at, at + e.len).repeat(2) + s.slice(at + e.len);
      }
      return s;
    });

const randomLine = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json().map((j) => j.replace(/\n/g, ' ')),
);

function checkLine(format: string, c: Case, parser: Parser, line: string): void {
  // Unguarded parser: an exception here is a parser bug, not something the registry's net hides.
  let parsed: ReturnType<Parser['parse']> | undefined;
  try {
    parsed = parser.parse(line);
  } catch (err) {
    throw new Error(`${format} threw on ${JSON.stringify(line)}: ${(err as Error).stack}`);
  }
  expect(parsed).toBeDefined();
  const r = parseLine({ format, parse: () => parsed! }, line, {
    sensor: format,
    ingestedAt: 1_700_000_000_000,
  });
  if (!r.ok) {
    expect(['parse', 'invalid']).toContain(r.kind);
    expect(r.message.length).toBeGreaterThan(0);
    return;
  }
  if (r.events.length === 0) {
    expect(c.mayBeEmpty?.(line) ?? false).toBe(true);
    return;
  }
  if (!c.splits) expect(r.events.length).toBe(1);
  for (const e of r.events) {
    expect(() => JSON.stringify(e)).not.toThrow();
    const s = eventSchema.safeParse(e);
    if (!s.success)
      throw new Error(`${format}: event fails the schema for ${JSON.stringify(line)}: ${s.error.message}`);
    expect((e.event as Record<string, unknown>).original).toBe(line);
  }
}

describe('parser fuzz', () => {
  it('covers every registered format', () => {
    expect(Object.keys(CASES).sort()).toEqual(parserFormats());
  });

  for (const [format, c] of Object.entries(CASES)) {
    it(`${format}: samples parse, mutations and random lines never throw`, () => {
      const fresh = () => {
        const p = createUnguardedParser(format, c.options);
        // Stateful parsers see their header lines first, so mutations reach the record path.
        for (const s of c.samples) if (c.mayBeEmpty?.(s)) p.parse(s);
        return p;
      };
      const parser = fresh();
      for (const s of c.samples) {
        const r = parseLine(parser, s, { sensor: format, ingestedAt: 0 });
        if (!r.ok) throw new Error(`${format}: sample fails: ${r.message}`);
      }
      fc.assert(
        fc.property(fc.oneof(mutated(c.samples), randomLine), (line) => {
          checkLine(format, c, fresh(), line);
        }),
        {
          numRuns: Number(process.env.FUZZ_RUNS ?? 400),
          seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261204,
        },
      );
    });
  }
});
