import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveSimulatorConfig, type SimulatorConfigInput, selectScenarios } from './config.ts';
import { SCENARIO_NAMES } from './scenarios/index.ts';
import { type GroundTruthRecord, type SimEvent, Simulation, simulate } from './simulate.ts';

type Rec = Record<string, any>;
interface Parsed {
  log: string;
  ts: number;
  rec: Rec;
}

function parsedEvents(config: SimulatorConfigInput): {
  events: Parsed[];
  truth: GroundTruthRecord[];
  sim: Simulation;
} {
  const sim = new Simulation(config);
  const events: Parsed[] = [];
  for (const { event } of sim.events()) {
    if (event.log !== 'syslog' && event.log !== 'cef')
      events.push({ log: event.log, ts: event.ts, rec: JSON.parse(event.line) });
  }
  return { events, truth: sim.groundTruth(), sim };
}

function digest(events: Iterable<SimEvent>): string {
  const h = createHash('sha256');
  for (const e of events) h.update(`${e.log}\t${e.ts}\t${e.line}\n`);
  return h.digest('hex');
}

const ms = (iso: string) => Date.parse(iso);

describe('determinism', () => {
  const config = { seed: 42, span: '10m', rate: 100, syslog: true, cef: true };

  it('gives byte-identical output for the same seed, in JSON and TSV', () => {
    expect(digest(simulate(config))).toBe(digest(simulate(config)));
    expect(digest(simulate(config, 'tsv'))).toBe(digest(simulate(config, 'tsv')));
  });

  it('gives different output for another seed', () => {
    expect(digest(simulate({ ...config, seed: 43 }))).not.toBe(digest(simulate(config)));
  });

  it('resumes from any position with exactly the rest of the stream', () => {
    const all = [...new Simulation(config).events()];
    for (const k of [1, Math.floor(all.length / 3), all.length - 2]) {
      const from = all[k - 1]!.next;
      const rest = [...new Simulation(config).events(from)].map((x) => x.event);
      expect(rest.length).toBe(all.length - k);
      expect(digest(rest)).toBe(digest(all.slice(k).map((x) => x.event)));
    }
  });

  it('yields lines in event-time order', () => {
    let last = Number.NEGATIVE_INFINITY;
    let n = 0;
    for (const e of simulate(config)) {
      expect(e.ts).toBeGreaterThanOrEqual(last);
      last = e.ts;
      n++;
    }
    expect(n).toBeGreaterThan(10_000);
  });
});

describe('scenarios', () => {
  // 40 minutes covers the first episode of every scenario from start to end (beacon runs on past it).
  const { events, truth, sim } = parsedEvents({ seed: 7, span: '40m', rate: 60 });
  const inRange = (t: GroundTruthRecord, windowMs = Number.POSITIVE_INFINITY) => {
    const s = ms(t.start);
    const e = Math.min(ms(t.end), s + windowMs);
    return events.filter((x) => x.ts >= s && x.ts <= e + 1 && x.rec['id.orig_h'] === t.entities.src[0]);
  };
  const first = (name: string) => {
    const t = truth.find((r) => r.scenario === name);
    if (!t) throw new Error(`no ground truth for ${name}`);
    return t;
  };

  it('writes ground truth for every scenario, inside the span', () => {
    expect(new Set(truth.map((t) => t.scenario))).toEqual(new Set(SCENARIO_NAMES));
    for (const t of truth) {
      expect(ms(t.start)).toBeGreaterThanOrEqual(sim.startUs / 1000);
      expect(ms(t.end)).toBeLessThan(sim.endUs / 1000);
      expect(ms(t.end)).toBeGreaterThan(ms(t.start));
      expect(t.entities.src.length).toBeGreaterThan(0);
      expect(t.entities.dst.length).toBeGreaterThan(0);
    }
  });

  it('scan-vertical: ≥ 100 ports of one server in under 5 minutes', () => {
    const t = first('scan-vertical');
    const lines = inRange(t).filter((x) => x.log === 'conn' && x.rec['id.resp_h'] === t.entities.dst[0]);
    expect(new Set(lines.map((x) => x.rec['id.resp_p'])).size).toBeGreaterThanOrEqual(100);
    expect(ms(t.end) - ms(t.start)).toBeLessThan(300_000);
  });

  it('scan-horizontal: ≥ 100 hosts on one port in under 5 minutes', () => {
    const t = first('scan-horizontal');
    const lines = inRange(t).filter((x) => x.log === 'conn' && x.rec['id.resp_p'] === 445);
    expect(new Set(lines.map((x) => x.rec['id.resp_h'])).size).toBeGreaterThanOrEqual(100);
    expect(ms(t.end) - ms(t.start)).toBeLessThan(300_000);
  });

  it('bruteforce-ssh: ≥ 30 failed SSH logins in 5 minutes', () => {
    const t = first('bruteforce-ssh');
    const failed = inRange(t, 300_000).filter((x) => x.log === 'ssh' && x.rec.auth_success === false);
    expect(failed.length).toBeGreaterThanOrEqual(30);
  });

  it('bruteforce-rdp: ≥ 30 RDP connections in 5 minutes', () => {
    const t = first('bruteforce-rdp');
    const conns = inRange(t, 300_000).filter((x) => x.log === 'conn' && x.rec['id.resp_p'] === 3389);
    expect(conns.length).toBeGreaterThanOrEqual(30);
    expect(inRange(t).some((x) => x.log === 'rdp')).toBe(true);
  });

  it('beacon: one external address every 60 s ± 10%', () => {
    const t = first('beacon');
    const ts = events
      .filter(
        (x) =>
          x.log === 'conn' &&
          x.rec['id.orig_h'] === t.entities.src[0] &&
          x.rec['id.resp_h'] === t.entities.dst[0],
      )
      .map((x) => x.ts);
    expect(ts.length).toBeGreaterThanOrEqual(30);
    for (let i = 1; i < ts.length; i++) {
      const gap = ts[i]! - ts[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(54_000);
      expect(gap).toBeLessThanOrEqual(66_000);
    }
  });

  it('dns-tunnel: ≥ 100 long random queries under one domain in 5 minutes', () => {
    const t = first('dns-tunnel');
    const domain = t.details.domain as string;
    const qs = inRange(t, 300_000).filter((x) => x.log === 'dns' && String(x.rec.query).endsWith(domain));
    expect(qs.length).toBeGreaterThanOrEqual(100);
    for (const q of qs) expect(String(q.rec.query).length).toBeGreaterThanOrEqual(50);
  });

  it('dga: ≥ 50 NXDOMAIN answers in 10 minutes, and a few names resolve', () => {
    const t = first('dga');
    const dns = inRange(t, 600_000).filter((x) => x.log === 'dns');
    expect(dns.filter((x) => x.rec.rcode_name === 'NXDOMAIN').length).toBeGreaterThanOrEqual(50);
    expect(dns.filter((x) => x.rec.rcode_name === 'NOERROR').length).toBeGreaterThanOrEqual(1);
  });

  it('exfil: ≥ 100 MB up to one external address, uploads ≫ downloads', () => {
    const t = first('exfil');
    const conns = inRange(t).filter((x) => x.log === 'conn' && x.rec['id.resp_h'] === t.entities.dst[0]);
    const up = conns.reduce((n, x) => n + x.rec.orig_bytes, 0);
    const down = conns.reduce((n, x) => n + x.rec.resp_bytes, 0);
    expect(up).toBeGreaterThanOrEqual(100e6);
    expect(up / down).toBeGreaterThan(10);
  });

  it('lateral: ADMIN$ writes to ≥ 5 other workstations in 10 minutes', () => {
    const t = first('lateral');
    const maps = inRange(t, 600_000).filter(
      (x) => x.log === 'smb_mapping' && String(x.rec.path).endsWith('ADMIN$'),
    );
    expect(new Set(maps.map((x) => x.rec['id.resp_h'])).size).toBeGreaterThanOrEqual(5);
    expect(inRange(t).some((x) => x.log === 'smb_files' && x.rec.action === 'SMB::FILE_WRITE')).toBe(true);
  });

  it('intel: contacts indicators that intel.csv lists', () => {
    const t = first('intel');
    const listed = new Set(sim.intel.map((i) => i.indicator));
    const hosts = new Set(sim.intel.filter((i) => i.type === 'url').map((i) => new URL(i.indicator).host));
    const hits = inRange(t).filter(
      (x) =>
        listed.has(x.rec['id.resp_h']) ||
        listed.has(x.rec.query) ||
        hosts.has(x.rec.query) ||
        listed.has(x.rec.server_name),
    );
    expect(hits.length).toBeGreaterThanOrEqual(t.details.indicators ? 1 : 0);
    expect(sim.intelCsv().split('\n')[0]).toBe('indicator,type,threat,source');
  });

  it('turns scenarios off', () => {
    const none = new Simulation(selectScenarios(resolveSimulatorConfig({ span: '40m', rate: 10 }), 'none'));
    expect(none.groundTruth()).toEqual([]);
    const two = new Simulation(
      selectScenarios(resolveSimulatorConfig({ span: '40m', rate: 10 }), 'beacon,dga'),
    );
    expect(new Set(two.groundTruth().map((t) => t.scenario))).toEqual(new Set(['beacon', 'dga']));
    expect(() => selectScenarios(resolveSimulatorConfig({}), 'beacon,nope')).toThrow(
      /unknown scenario "nope"/,
    );
  });
});

describe('benign traffic', () => {
  it('stays under every scenario threshold (no attack without an injected one)', () => {
    const sim = new Simulation(
      selectScenarios(
        resolveSimulatorConfig({ seed: 3, start: '2026-11-30T10:00:00Z', span: '20m', rate: 300 }),
        'none',
      ),
    );
    const windows = new Map<
      string,
      {
        ports: Set<number>;
        hosts: Set<string>;
        sshFail: number;
        rdp: number;
        nx: number;
        longQ: number;
        up: number;
      }
    >();
    let wsToWsSmb = 0;
    for (const { event } of sim.events()) {
      if (event.log === 'syslog' || event.log === 'cef') continue;
      const r = JSON.parse(event.line) as Rec;
      const key = `${r['id.orig_h']}|${Math.floor(event.ts / 300_000)}`;
      let w = windows.get(key);
      if (!w) {
        w = { ports: new Set(), hosts: new Set(), sshFail: 0, rdp: 0, nx: 0, longQ: 0, up: 0 };
        windows.set(key, w);
      }
      if (event.log === 'conn') {
        w.ports.add(r['id.resp_p']);
        w.hosts.add(r['id.resp_h']);
        if (r['id.resp_p'] === 3389) w.rdp++;
        if (!r.local_resp) w.up += r.orig_bytes ?? 0;
        if (
          r['id.resp_p'] === 445 &&
          String(r['id.resp_h']).startsWith('10.10.') &&
          String(r['id.orig_h']).startsWith('10.10.')
        )
          wsToWsSmb++;
      }
      if (event.log === 'ssh' && r.auth_success === false) w.sshFail++;
      if (event.log === 'dns' && r.rcode_name === 'NXDOMAIN') w.nx++;
      if (event.log === 'dns' && String(r.query).length >= 50) w.longQ++;
    }
    for (const [key, w] of windows) {
      const why = `window ${key}`;
      expect(w.ports.size, why).toBeLessThan(100);
      expect(w.hosts.size, why).toBeLessThan(100);
      expect(w.sshFail, why).toBeLessThan(30);
      expect(w.rdp, why).toBeLessThan(30);
      expect(w.nx, why).toBeLessThan(50);
      expect(w.longQ, why).toBeLessThan(100);
      expect(w.up, why).toBeLessThan(100e6);
    }
    expect(wsToWsSmb).toBe(0);
  });

  it('follows diurnal and weekly rhythms', () => {
    const count = (start: string) => {
      const config = selectScenarios(
        resolveSimulatorConfig({ seed: 5, start, span: '20m', rate: 100 }),
        'none',
      );
      let n = 0;
      for (const _ of new Simulation(config).events()) n++;
      return n;
    };
    const weekdayMorning = count('2026-12-01T10:00:00Z');
    const weekdayNight = count('2026-12-01T02:00:00Z');
    const saturdayMorning = count('2026-12-05T10:00:00Z');
    expect(weekdayMorning).toBeGreaterThan(3 * weekdayNight);
    expect(weekdayMorning).toBeGreaterThan(2 * saturdayMorning);
    // At peak the line rate is close to the configured rate.
    expect(weekdayMorning / 1200).toBeGreaterThan(80);
    expect(weekdayMorning / 1200).toBeLessThan(120);
  });

  it('keeps the peak rate around the clock without rhythm', () => {
    const config = selectScenarios(
      resolveSimulatorConfig({
        seed: 5,
        start: '2026-12-05T02:00:00Z',
        span: '5m',
        rate: 100,
        rhythm: false,
      }),
      'none',
    );
    let n = 0;
    for (const _ of new Simulation(config).events()) n++;
    expect(n / 300).toBeGreaterThan(80);
  });
});
