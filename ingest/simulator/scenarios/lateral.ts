// Lateral movement: a compromised workstation pushes a service binary to other workstations' ADMIN$
// share and starts it over RPC (PsExec style). Workstations don't normally talk SMB to each other.
import { z } from 'zod';
import { durationMs } from '../duration.ts';
import { connLine, ephemeralPort, smbFileLine, smbMappingLine } from '../records.ts';
import { defineScenario, scheduleSchema, spread } from './types.ts';

const BINARIES = ['PSEXESVC.exe', 'svchost32.exe', 'winupd.exe', 'mssvc.exe'];

export const lateral = defineScenario({
  name: 'lateral',
  description: 'a workstation copies a binary to other workstations over SMB ADMIN$ and runs it',
  schema: z
    .object({
      ...scheduleSchema({ at: 420_000, every: 1_800_000 }),
      targets: z.number().int().min(1).max(1000).default(12),
      duration: durationMs.default(600_000),
    })
    .strict(),
  shape: (p) => spread(p.targets, p.duration, 0.3, 3_000_000),
  plan(ctx, p, _episode, rng) {
    const victim = rng.pick(ctx.org.workstations);
    const others = rng.shuffle(ctx.org.workstations.filter((w) => w.ip !== victim.ip)).slice(0, p.targets);
    return {
      src: [victim.ip],
      dst: others.map((w) => w.ip),
      details: { binary: rng.pick(BINARIES), targets: others.length },
      data: others.map((w) => w.name.split('.')[0]!.toUpperCase()),
    };
  },
  attempt(_ctx, _p, plan, i, tUs, rng) {
    if (i >= plan.dst.length) return [];
    const src = plan.src[0]!;
    const target = plan.dst[i]!;
    const name = (plan.data as string[])[i]!;
    const binary = plan.details.binary as string;
    const uid = rng.uid();
    const port = ephemeralPort(rng);
    const size = 380_000 + rng.int(0, 20_000);
    return [
      connLine({
        tsUs: tUs,
        uid,
        orig: src,
        origPort: port,
        resp: target,
        respPort: 445,
        proto: 'tcp',
        service: 'smb,gssapi,ntlm',
        durationS: rng.range(1, 4),
        origBytes: size + 9000,
        respBytes: 6000 + rng.int(0, 2000),
        state: 'SF',
      }),
      smbMappingLine(tUs + 50_000, uid, src, port, target, `\\\\${name}\\ADMIN$`),
      smbFileLine({
        tsUs: tUs + 120_000,
        uid,
        client: src,
        clientPort: port,
        server: target,
        action: 'SMB::FILE_WRITE',
        path: `\\\\${name}\\ADMIN$`,
        name: binary,
        size,
        fuid: rng.uid('F'),
        modifiedUs: tUs + 120_000,
      }),
      connLine({
        tsUs: tUs + 900_000,
        uid: rng.uid(),
        orig: src,
        origPort: ephemeralPort(rng),
        resp: target,
        respPort: 135,
        proto: 'tcp',
        service: 'dce_rpc',
        durationS: rng.range(0.05, 0.3),
        origBytes: 1200 + rng.int(0, 300),
        respBytes: 900 + rng.int(0, 300),
        state: 'SF',
      }),
    ];
  },
});
