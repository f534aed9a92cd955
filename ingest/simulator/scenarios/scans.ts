// Port scans. Vertical: one external address probes many ports of one server. Horizontal: one
// (by default internal, compromised) host probes one port across a /24.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { publicIp } from '../org.ts';
import { connLine, ephemeralPort } from '../records.ts';
import { defineScenario, scheduleSchema, spread } from './types.ts';

const OPEN_PORTS: Record<string, number[]> = {
  web: [80, 443],
  mail: [25, 587, 993],
  ssh: [22],
  dns: [53],
  file: [135, 139, 445],
  dc: [53, 88, 135, 389, 445, 636],
};

export const scanVertical = defineScenario({
  name: 'scan-vertical',
  description: 'one external address probes many TCP ports of one server',
  schema: z
    .object({
      ...scheduleSchema({ at: 20_000, every: 1_800_000 }),
      ports: z.number().int().min(10).max(65535).default(1000),
      duration: durationMs.default(120_000),
      target: z.enum(['web', 'mail', 'ssh', 'dns', 'file', 'dc']).default('web'),
    })
    .strict(),
  shape: (p) => spread(p.ports, p.duration, 0.4, 1_000_000),
  plan(ctx, p, episode, rng) {
    const attacker = publicIp(ctx.seed, 'scan-vertical', episode);
    const target = ctx.org.server[p.target].ip;
    const order = rng.shuffle(Array.from({ length: p.ports }, (_, i) => i + 1));
    return { src: [attacker], dst: [target], details: { ports: p.ports, target: p.target }, data: order };
  },
  attempt(_ctx, p, plan, i, tUs, rng) {
    const port = (plan.data as number[])[i]!;
    const open = OPEN_PORTS[p.target]!.includes(port);
    return [
      connLine({
        tsUs: tUs,
        uid: rng.uid(),
        orig: plan.src[0]!,
        origPort: ephemeralPort(rng),
        resp: plan.dst[0]!,
        respPort: port,
        proto: 'tcp',
        durationS: rng.range(0.0001, 0.002),
        state: open ? 'RSTO' : rng.chance(0.7) ? 'REJ' : 'S0',
      }),
    ];
  },
});

export const scanHorizontal = defineScenario({
  name: 'scan-horizontal',
  description: 'one host probes one port across a /24 (internal discovery by default)',
  schema: z
    .object({
      ...scheduleSchema({ at: 120_000, every: 1_800_000 }),
      hosts: z.number().int().min(10).max(254).default(254),
      port: z.number().int().min(1).max(65535).default(445),
      duration: durationMs.default(180_000),
      from: z.enum(['internal', 'external']).default('internal'),
    })
    .strict(),
  shape: (p) => spread(p.hosts, p.duration, 0.4, 1_000_000),
  plan(ctx, p, episode, rng) {
    const src =
      p.from === 'internal'
        ? rng.pick(ctx.org.workstations).ip
        : publicIp(ctx.seed, 'scan-horizontal', episode);
    const subnet = p.from === 'internal' ? '10.10.1' : '10.30.0';
    const targets = rng
      .shuffle(Array.from({ length: 254 }, (_, i) => `${subnet}.${i + 1}`))
      .filter((ip) => ip !== src)
      .slice(0, p.hosts);
    return {
      src: [src],
      dst: [`${subnet}.0/24`],
      details: { port: p.port, hosts: targets.length },
      data: targets,
    };
  },
  attempt(ctx, p, plan, i, tUs, rng) {
    const targets = plan.data as string[];
    const target = targets[i % targets.length]!;
    const alive = ctx.org.hosts.some((h) => h.ip === target);
    return [
      connLine({
        tsUs: tUs,
        uid: rng.uid(),
        orig: plan.src[0]!,
        origPort: ephemeralPort(rng),
        resp: target,
        respPort: p.port,
        proto: 'tcp',
        durationS: alive ? rng.range(0.0002, 0.003) : rng.range(2.9, 3.1),
        state: alive ? 'RSTO' : 'S0',
      }),
    ];
  },
});
