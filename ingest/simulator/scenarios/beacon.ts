// C2 beaconing: a compromised workstation calls home over TLS at a fixed interval with jitter,
// small requests and replies of near-constant size, and a DNS lookup whenever its cache expires.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { publicIp } from '../org.ts';
import { connLine, dnsExchange, ephemeralPort, tlsLine } from '../records.ts';
import { defineScenario, scheduleSchema } from './types.ts';

const WORDS = ['cdn', 'sync', 'update', 'telemetry', 'static', 'assets', 'api', 'metrics', 'cloud', 'edge'];
const TLDS = ['com', 'net', 'io', 'info'];

export const beacon = defineScenario({
  name: 'beacon',
  description: 'a compromised workstation calls one external address every interval ± jitter',
  schema: z
    .object({
      ...scheduleSchema({ at: 0, every: 7_200_000 }),
      interval: durationMs.default(60_000),
      /** Consecutive beacons are interval·(1 ± jitter) apart. */
      jitter: z.number().min(0).max(0.9).default(0.1),
      duration: durationMs.default(5_400_000),
      port: z.number().int().min(1).max(65535).default(443),
    })
    .strict(),
  shape: (p) => ({
    count: Math.max(1, Math.floor(p.duration / p.interval)),
    gapUs: p.interval * 1000,
    jitter: p.jitter / 2,
    tailUs: 2_000_000,
  }),
  plan(ctx, p, episode, rng) {
    const victim = rng.pick(ctx.org.workstations);
    const c2 = publicIp(ctx.seed, 'beacon-c2', episode);
    const domain = `${rng.pick(WORDS)}-${rng.pick(WORDS)}${rng.int(10, 99)}.${rng.pick(TLDS)}`;
    return {
      src: [victim.ip],
      dst: [c2],
      details: { domain, interval_s: p.interval / 1000, jitter: p.jitter },
    };
  },
  attempt(ctx, p, plan, i, tUs, rng) {
    const domain = plan.details.domain as string;
    const lines = [];
    // A 300 s DNS TTL: the workstation looks the name up again every five minutes or so.
    if (i % Math.max(1, Math.round(300_000 / p.interval)) === 0) {
      lines.push(
        ...dnsExchange(rng, {
          tsUs: tUs - 30_000,
          client: plan.src[0]!,
          resolver: ctx.org.server.dns.ip,
          query: domain,
          qtype: 'A',
          answers: [plan.dst[0]!],
          ttl: 300,
        }),
      );
    }
    const uid = rng.uid();
    const port = ephemeralPort(rng);
    lines.push(
      connLine({
        tsUs: tUs,
        uid,
        orig: plan.src[0]!,
        origPort: port,
        resp: plan.dst[0]!,
        respPort: p.port,
        proto: 'tcp',
        service: 'ssl',
        durationS: rng.range(0.15, 0.5),
        origBytes: 420 + rng.int(-20, 20),
        respBytes: 1180 + rng.int(-40, 40),
        state: 'SF',
      }),
      tlsLine(rng, {
        tsUs: tUs + 40_000,
        uid,
        client: plan.src[0]!,
        clientPort: port,
        server: plan.dst[0]!,
        serverPort: p.port,
        serverName: domain,
        version: 'TLSv12',
      }),
    );
    return lines;
  },
});
