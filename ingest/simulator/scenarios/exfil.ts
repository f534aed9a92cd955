// Bulk exfiltration: a workstation uploads far more than it downloads to one external address it
// has never used, in a handful of long TLS connections.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { publicIp } from '../org.ts';
import { connLine, ephemeralPort, tlsLine } from '../records.ts';
import { defineScenario, scheduleSchema, spread } from './types.ts';

export const exfil = defineScenario({
  name: 'exfil',
  description: 'a workstation uploads hundreds of MB to one new external address',
  schema: z
    .object({
      ...scheduleSchema({ at: 540_000, every: 1_800_000 }),
      bytes: z.number().int().min(1_000_000).default(800_000_000),
      connections: z.number().int().min(1).max(10_000).default(12),
      duration: durationMs.default(900_000),
    })
    .strict(),
  shape: (p) => spread(p.connections, p.duration, 0.3, 1_000_000),
  plan(ctx, p, episode, rng) {
    const victim = rng.pick(ctx.org.workstations);
    const dest = publicIp(ctx.seed, 'exfil', episode);
    return { src: [victim.ip], dst: [dest], details: { bytes: p.bytes, connections: p.connections } };
  },
  attempt(_ctx, p, plan, _i, tUs, rng) {
    const uid = rng.uid();
    const port = ephemeralPort(rng);
    const bytes = Math.round((p.bytes / p.connections) * rng.range(0.85, 1.15));
    const mbPerS = rng.range(4, 12);
    return [
      connLine({
        tsUs: tUs,
        uid,
        orig: plan.src[0]!,
        origPort: port,
        resp: plan.dst[0]!,
        respPort: 443,
        proto: 'tcp',
        service: 'ssl',
        durationS: bytes / (mbPerS * 1e6),
        origBytes: bytes,
        respBytes: Math.round(bytes * rng.range(0.002, 0.01)),
        state: 'SF',
      }),
      tlsLine(rng, {
        tsUs: tUs + 60_000,
        uid,
        client: plan.src[0]!,
        clientPort: port,
        server: plan.dst[0]!,
        version: 'TLSv13',
      }),
    ];
  },
});
