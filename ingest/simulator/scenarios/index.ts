// The scenario catalogue, in the order ground truth lists them.
import { beacon } from './beacon.ts';
import { bruteforceRdp, bruteforceSsh } from './bruteforce.ts';
import { dga } from './dga.ts';
import { dnsTunnel } from './dns-tunnel.ts';
import { exfil } from './exfil.ts';
import { intel } from './intel.ts';
import { lateral } from './lateral.ts';
import { scanHorizontal, scanVertical } from './scans.ts';
import type { ScenarioDef, Schedule } from './types.ts';

export const SCENARIOS = {
  'scan-vertical': scanVertical,
  'scan-horizontal': scanHorizontal,
  'bruteforce-ssh': bruteforceSsh,
  'bruteforce-rdp': bruteforceRdp,
  beacon,
  'dns-tunnel': dnsTunnel,
  dga,
  exfil,
  lateral,
  intel,
} as const;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function scenarioDef(name: ScenarioName): ScenarioDef<Schedule> {
  return SCENARIOS[name] as unknown as ScenarioDef<Schedule>;
}
