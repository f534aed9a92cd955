// Password guessing against SSH (the bastion) and RDP (the jump host) from one external address.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { publicIp } from '../org.ts';
import { connLine, ephemeralPort, rdpLine, sshLine } from '../records.ts';
import { defineScenario, scheduleSchema, spread } from './types.ts';

const USERNAMES = [
  'root',
  'admin',
  'ubuntu',
  'test',
  'oracle',
  'user',
  'postgres',
  'git',
  'deploy',
  'pi',
  'guest',
];
const RDP_USERS = ['administrator', 'admin', 'user', 'test', 'scanner', 'backup', 'sql', 'support'];

export const bruteforceSsh = defineScenario({
  name: 'bruteforce-ssh',
  description: 'one external address tries many SSH passwords on the bastion',
  schema: z
    .object({
      ...scheduleSchema({ at: 30_000, every: 1_800_000 }),
      attempts: z.number().int().min(5).max(100_000).default(120),
      duration: durationMs.default(300_000),
      /** The last attempt gets in (a compromise to find). */
      succeed: z.boolean().default(false),
    })
    .strict(),
  shape: (p) => spread(p.attempts, p.duration, 0.4, 8_000_000),
  plan(ctx, _p, episode) {
    return {
      src: [publicIp(ctx.seed, 'bruteforce-ssh', episode)],
      dst: [ctx.org.server.ssh.ip],
      details: {},
    };
  },
  attempt(_ctx, p, plan, i, tUs, rng) {
    const uid = rng.uid();
    const port = ephemeralPort(rng);
    const success = p.succeed && i === p.attempts - 1;
    const attempts = success ? 1 : rng.int(1, 4);
    const conn = connLine({
      tsUs: tUs,
      uid,
      orig: plan.src[0]!,
      origPort: port,
      resp: plan.dst[0]!,
      respPort: 22,
      proto: 'tcp',
      service: 'ssh',
      durationS: rng.range(1.5, 6),
      origBytes: 1400 + attempts * 300 + rng.int(0, 200),
      respBytes: 2100 + attempts * 250 + rng.int(0, 200),
      state: 'SF',
    });
    const ssh = sshLine({
      tsUs: tUs + 150_000,
      uid,
      client: plan.src[0]!,
      clientPort: port,
      server: plan.dst[0]!,
      success,
      attempts,
      clientVersion: 'SSH-2.0-libssh_0.9.6',
    });
    ssh.user = rng.pick(USERNAMES);
    return [conn, ssh];
  },
});

export const bruteforceRdp = defineScenario({
  name: 'bruteforce-rdp',
  description: 'one external address tries many RDP logins on the jump host',
  schema: z
    .object({
      ...scheduleSchema({ at: 180_000, every: 1_800_000 }),
      attempts: z.number().int().min(5).max(100_000).default(100),
      duration: durationMs.default(300_000),
    })
    .strict(),
  shape: (p) => spread(p.attempts, p.duration, 0.4, 3_000_000),
  plan(ctx, _p, episode) {
    return {
      src: [publicIp(ctx.seed, 'bruteforce-rdp', episode)],
      dst: [ctx.org.server.rdp.ip],
      details: {},
    };
  },
  attempt(_ctx, _p, plan, _i, tUs, rng) {
    const uid = rng.uid();
    const port = ephemeralPort(rng);
    const conn = connLine({
      tsUs: tUs,
      uid,
      orig: plan.src[0]!,
      origPort: port,
      resp: plan.dst[0]!,
      respPort: 3389,
      proto: 'tcp',
      service: 'rdp,ssl',
      durationS: rng.range(0.8, 2.5),
      origBytes: 1800 + rng.int(0, 600),
      respBytes: 3200 + rng.int(0, 900),
      state: rng.chance(0.8) ? 'SF' : 'RSTO',
    });
    // NLA hides the outcome from the sensor: what Zeek sees is the cookie and the protocol.
    const rdp = rdpLine({
      tsUs: tUs + 20_000,
      uid,
      client: plan.src[0]!,
      clientPort: port,
      server: plan.dst[0]!,
      cookie: rng.pick(RDP_USERS),
    });
    return [conn, rdp];
  },
});
