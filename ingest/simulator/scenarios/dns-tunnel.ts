// DNS tunnelling: a compromised workstation smuggles data out in long, high-entropy query labels
// under one domain, many queries a minute, TXT answers carrying the replies.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { dnsExchange } from '../records.ts';
import { defineScenario, scheduleSchema, spread } from './types.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export const dnsTunnel = defineScenario({
  name: 'dns-tunnel',
  description: 'a workstation sends data out in long random DNS labels under one domain',
  schema: z
    .object({
      ...scheduleSchema({ at: 300_000, every: 1_800_000 }),
      queries: z.number().int().min(10).max(1_000_000).default(600),
      duration: durationMs.default(300_000),
      /** Encoded characters per query (split into labels of at most 63). */
      labelChars: z.number().int().min(20).max(200).default(60),
      qtype: z.enum(['TXT', 'A', 'CNAME']).default('TXT'),
    })
    .strict(),
  shape: (p) => spread(p.queries, p.duration, 0.4, 100_000),
  plan(ctx, p, _episode, rng) {
    const victim = rng.pick(ctx.org.workstations);
    let name = '';
    for (let i = 0; i < 7; i++) name += BASE32[rng.int(0, 26)];
    const domain = `t.${name}.com`;
    return {
      src: [victim.ip],
      dst: [ctx.org.server.dns.ip],
      details: { domain, queries: p.queries, bytes_per_query: Math.floor((p.labelChars * 5) / 8) },
    };
  },
  attempt(_ctx, p, plan, i, tUs, rng) {
    let data = '';
    for (let k = 0; k < p.labelChars; k++) data += BASE32[rng.int(0, 32)];
    const labels = data.match(/.{1,63}/g)!;
    const query = `${labels.join('.')}.${i.toString(16)}.${plan.details.domain as string}`;
    let answer = `TXT ${44} `;
    for (let k = 0; k < 44; k++) answer += B64[rng.int(0, 64)];
    return dnsExchange(rng, {
      tsUs: tUs,
      client: plan.src[0]!,
      resolver: plan.dst[0]!,
      query,
      qtype: p.qtype,
      answers:
        p.qtype === 'TXT'
          ? [answer]
          : p.qtype === 'A'
            ? ['10.0.0.1']
            : [`${data.slice(0, 20)}.${plan.details.domain as string}`],
      ttl: 0,
    });
  },
});
