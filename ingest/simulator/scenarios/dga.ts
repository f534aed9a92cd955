// DGA lookups: malware tries a burst of algorithmically generated names until one resolves; most
// come back NXDOMAIN. Names come from ../shared/data/dga when present, else are generated here.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { publicIp } from '../org.ts';
import { connLine, dnsExchange, ephemeralPort } from '../records.ts';
import { defineScenario, scheduleSchema, spread } from './types.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const TLDS = ['com', 'net', 'org', 'info', 'biz', 'ru'];

export const dga = defineScenario({
  name: 'dga',
  description: 'a workstation looks up many generated domains, mostly NXDOMAIN, a few resolve',
  schema: z
    .object({
      ...scheduleSchema({ at: 240_000, every: 1_800_000 }),
      queries: z.number().int().min(10).max(100_000).default(150),
      duration: durationMs.default(600_000),
      /** How many of the names resolve (to the C2), each followed by a connection. */
      resolved: z.number().int().min(0).default(2),
      /** A family from ../shared/data/dga/1000domains (e.g. conficker), or "any". */
      family: z.string().default('any'),
    })
    .strict(),
  shape: (p) => spread(p.queries, p.duration, 0.4, 2_000_000),
  plan(ctx, p, episode, rng) {
    const victim = rng.pick(ctx.org.workstations);
    const families = ctx.dgaDomains ? Object.keys(ctx.dgaDomains) : [];
    const family =
      p.family !== 'any' && families.includes(p.family)
        ? p.family
        : families.length > 0
          ? rng.pick(families)
          : 'generated';
    const list = ctx.dgaDomains?.[family];
    const offset = list ? rng.int(0, list.length) : 0;
    const resolvedAt = new Set(
      rng.shuffle(Array.from({ length: p.queries }, (_, i) => i)).slice(0, p.resolved),
    );
    const c2 = publicIp(ctx.seed, 'dga-c2', episode);
    return {
      src: [victim.ip],
      dst: [ctx.org.server.dns.ip, c2],
      details: { family, source: ctx.dgaSource, queries: p.queries },
      data: { list, offset, resolvedAt },
    };
  },
  attempt(_ctx, _p, plan, i, tUs, rng) {
    const { list, offset, resolvedAt } = plan.data as {
      list?: string[];
      offset: number;
      resolvedAt: Set<number>;
    };
    let domain: string;
    if (list) domain = list[(offset + i) % list.length]!;
    else {
      domain = '';
      const len = rng.int(10, 18);
      for (let k = 0; k < len; k++) domain += LETTERS[rng.int(0, 26)];
      domain += `.${rng.pick(TLDS)}`;
    }
    const c2 = plan.dst[1]!;
    const resolved = resolvedAt.has(i);
    const lines = dnsExchange(rng, {
      tsUs: tUs,
      client: plan.src[0]!,
      resolver: plan.dst[0]!,
      query: domain,
      qtype: 'A',
      rcode: resolved ? 'NOERROR' : 'NXDOMAIN',
      answers: [c2],
      ttl: 60,
    });
    if (resolved) {
      lines.push(
        connLine({
          tsUs: tUs + 80_000,
          uid: rng.uid(),
          orig: plan.src[0]!,
          origPort: ephemeralPort(rng),
          resp: c2,
          respPort: 443,
          proto: 'tcp',
          service: 'ssl',
          durationS: rng.range(0.3, 1.2),
          origBytes: 600 + rng.int(0, 200),
          respBytes: 4000 + rng.int(0, 2000),
          state: 'SF',
        }),
      );
    }
    return lines;
  },
});
