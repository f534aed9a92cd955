// Contacts with threat-intel indicators: a workstation resolves a listed domain, connects to a
// listed address, or fetches a listed URL. The list itself is written as intel.csv for enrichment.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { publicIp } from '../org.ts';
import type { Rng } from '../prng.ts';
import { rngFor } from '../prng.ts';
import type { SimLine } from '../records.ts';
import { connLine, dnsExchange, ephemeralPort, httpLine, tlsLine } from '../records.ts';
import { defineScenario, type Indicator, scheduleSchema, spread } from './types.ts';

const SYLLABLES = [
  'log',
  'in',
  'sec',
  'ure',
  'ver',
  'ify',
  'acc',
  'ount',
  'pay',
  'mail',
  'box',
  'drop',
  'cdn',
  'up',
];

/** The indicator list: a pure function of the seed. The first `contactable` rows are what the scenario visits. */
export function makeIntel(seed: number, decoys = 100): Indicator[] {
  const rng = rngFor(seed, 'intel');
  const out: Indicator[] = [];
  const name = (r: Rng) =>
    `${r.pick(SYLLABLES)}${r.pick(SYLLABLES)}-${r.pick(SYLLABLES)}${r.int(1, 99)}.${r.pick(['com', 'net', 'top', 'xyz'])}`;
  for (let i = 0; i < 8; i++)
    out.push({
      indicator: publicIp(seed, 'intel-ip', i),
      type: 'ip',
      threat: rng.pick(['c2', 'scanner', 'botnet']),
    });
  for (let i = 0; i < 6; i++)
    out.push({ indicator: name(rng), type: 'domain', threat: rng.pick(['phishing', 'c2', 'malware']) });
  for (let i = 0; i < 4; i++)
    out.push({
      indicator: `http://${name(rng)}/${rng.pick(['dl', 'files', 'img'])}/${rng.uid('').slice(0, 8)}.exe`,
      type: 'url',
      threat: 'malware-download',
    });
  for (let i = 0; i < decoys; i++)
    out.push({
      indicator: publicIp(seed, 'intel-decoy', i),
      type: 'ip',
      threat: rng.pick(['scanner', 'botnet', 'tor-exit']),
    });
  return out;
}

export const CONTACTABLE_INDICATORS = 18;

export const intel = defineScenario({
  name: 'intel',
  description: 'a workstation contacts addresses, domains and URLs on the threat-intel list',
  schema: z
    .object({
      ...scheduleSchema({ at: 60_000, every: 1_800_000 }),
      contacts: z.number().int().min(1).max(1000).default(6),
      duration: durationMs.default(300_000),
    })
    .strict(),
  shape: (p) => spread(p.contacts, p.duration, 0.4, 1_000_000),
  plan(ctx, p, _episode, rng) {
    const victim = rng.pick(ctx.org.workstations);
    const pool = ctx.intel.slice(0, CONTACTABLE_INDICATORS);
    const picked = Array.from({ length: p.contacts }, () => rng.pick(pool));
    const ipOf = (ind: Indicator) =>
      ind.type === 'ip' ? ind.indicator : publicIp(ctx.seed, 'intel-host', hostOf(ind));
    return {
      src: [victim.ip],
      dst: [...new Set(picked.map(ipOf))],
      details: { indicators: picked.map((x) => x.indicator) },
      data: picked,
    };
  },
  attempt(ctx, _p, plan, i, tUs, rng) {
    const ind = (plan.data as Indicator[])[i]!;
    const src = plan.src[0]!;
    const lines: SimLine[] = [];
    let ip = ind.indicator;
    let t = tUs;
    if (ind.type !== 'ip') {
      ip = publicIp(ctx.seed, 'intel-host', hostOf(ind));
      lines.push(
        ...dnsExchange(rng, {
          tsUs: t,
          client: src,
          resolver: ctx.org.server.dns.ip,
          query: hostOf(ind),
          qtype: 'A',
          answers: [ip],
        }),
      );
      t += 40_000;
    }
    const uid = rng.uid();
    const port = ephemeralPort(rng);
    const web = ind.type === 'url';
    lines.push(
      connLine({
        tsUs: t,
        uid,
        orig: src,
        origPort: port,
        resp: ip,
        respPort: web ? 80 : 443,
        proto: 'tcp',
        service: web ? 'http' : 'ssl',
        durationS: rng.range(0.2, 2),
        origBytes: 500 + rng.int(0, 500),
        respBytes: web ? 250_000 + rng.int(0, 100_000) : 3000 + rng.int(0, 3000),
        state: 'SF',
      }),
    );
    if (web) {
      const url = new URL(ind.indicator);
      lines.push(
        httpLine(rng, {
          tsUs: t + 30_000,
          uid,
          client: src,
          clientPort: port,
          server: ip,
          method: 'GET',
          host: url.host,
          uri: url.pathname,
          userAgent: 'Microsoft-CryptoAPI/10.0',
          status: 200,
          responseBytes: 250_000,
          mime: 'application/x-dosexec',
        }),
      );
    } else {
      lines.push(
        tlsLine(rng, {
          tsUs: t + 30_000,
          uid,
          client: src,
          clientPort: port,
          server: ip,
          serverName: ind.type === 'domain' ? ind.indicator : undefined,
        }),
      );
    }
    return lines;
  },
});

function hostOf(ind: Indicator): string {
  return ind.type === 'url' ? new URL(ind.indicator).host : ind.indicator;
}
