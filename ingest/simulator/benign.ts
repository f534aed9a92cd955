// Benign traffic of a small org: people browsing, mapping file shares, authenticating to the DC,
// reading mail, admins on SSH/RDP; customers hitting the web server, mail arriving, and the
// Internet's background noise of single probes. Volume follows the office and Internet rhythms.
import { type Host, publicIp } from './org.ts';
import type { Rng } from './prng.ts';
import {
  connLine,
  dnsExchange,
  ephemeralPort,
  httpLine,
  rdpLine,
  type SimLine,
  smbFileLine,
  smbMappingLine,
  sshLine,
  tlsLine,
} from './records.ts';
import { internetActivity, officeActivity } from './rhythm.ts';
import type { SimContext } from './scenarios/types.ts';

type Session = (ctx: SimContext, rng: Rng, tUs: number) => SimLine[];

const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const WEB_URIS = [
  '/',
  '/index.html',
  '/products',
  '/about',
  '/contact',
  '/blog',
  '/static/app.js',
  '/static/site.css',
  '/img/logo.png',
  '/api/v1/status',
];
const DOCS = [
  'Q4-forecast.xlsx',
  'board-minutes.docx',
  'roadmap.pptx',
  'invoice-1182.pdf',
  'notes.txt',
  'budget.xlsx',
  'design.vsdx',
];
const SHARES = ['shared', 'home', 'finance', 'projects'];
const PROBE_PORTS = [21, 22, 23, 25, 80, 443, 445, 1433, 3306, 3389, 5900, 8080, 8443];

const ms = (n: number) => n * 1000;

/** Browsing skews to popular sites: index ~ n·u² puts most visits on the first few entries. */
function popular<T>(rng: Rng, items: readonly T[]): T {
  const u = rng.next();
  return items[Math.floor(u * u * items.length)]!;
}

function lookup(
  ctx: SimContext,
  rng: Rng,
  tUs: number,
  client: string,
  query: string,
  answer: string,
  qtype: 'A' | 'SRV' = 'A',
): SimLine[] {
  const dns = ctx.org.server.dns.ip;
  const lines = dnsExchange(rng, {
    tsUs: tUs,
    client,
    resolver: dns,
    query,
    qtype,
    answers: [answer],
    ttl: qtype === 'SRV' ? 600 : 300,
  });
  // A cache miss makes the internal resolver ask upstream.
  if (!query.endsWith(ctx.org.domain) && rng.chance(0.3)) {
    lines.push(
      ...dnsExchange(rng, {
        tsUs: tUs + 300,
        client: dns,
        resolver: rng.pick(ctx.org.upstreamResolvers),
        query,
        qtype,
        answers: [answer],
      }),
    );
  }
  return lines;
}

function tlsSession(
  rng: Rng,
  tUs: number,
  client: string,
  server: string,
  serverName: string | undefined,
  port: number,
  sizes: { up: number; down: number },
): SimLine[] {
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  return [
    connLine({
      tsUs: tUs,
      uid,
      orig: client,
      origPort: p,
      resp: server,
      respPort: port,
      proto: 'tcp',
      service: 'ssl',
      durationS: Math.min(900, rng.logNormal(3, 1.3)),
      origBytes: Math.round(rng.logNormal(sizes.up, 0.9)),
      respBytes: Math.round(rng.logNormal(sizes.down, 1.4)),
      state: rng.chance(0.97) ? 'SF' : 'RSTO',
    }),
    tlsLine(rng, { tsUs: tUs + ms(25), uid, client, clientPort: p, server, serverPort: port, serverName }),
  ];
}

const workstation = (ctx: SimContext, rng: Rng): Host => rng.pick(ctx.org.workstations);

const browse: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  const site = popular(rng, ctx.org.sites);
  return [
    ...lookup(ctx, rng, t, ws.ip, site.domain, site.ip),
    ...tlsSession(rng, t + ms(20), ws.ip, site.ip, site.domain, 443, { up: 1500, down: 40_000 }),
  ];
};

const plainHttp: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  const site = rng.pick(ctx.org.plainHttp);
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  const size = Math.round(rng.logNormal(1500, 0.8));
  return [
    ...lookup(ctx, rng, t, ws.ip, site.domain, site.ip),
    connLine({
      tsUs: t + ms(15),
      uid,
      orig: ws.ip,
      origPort: p,
      resp: site.ip,
      respPort: 80,
      proto: 'tcp',
      service: 'http',
      durationS: rng.range(0.05, 0.4),
      origBytes: 320 + rng.int(0, 80),
      respBytes: size + 250,
      state: 'SF',
    }),
    httpLine(rng, {
      tsUs: t + ms(30),
      uid,
      client: ws.ip,
      clientPort: p,
      server: site.ip,
      method: 'GET',
      host: site.domain,
      uri: `/${rng.uid('').slice(0, 10)}.crl`,
      userAgent: 'Microsoft-CryptoAPI/10.0',
      status: rng.chance(0.9) ? 200 : 304,
      responseBytes: size,
      mime: 'application/pkix-crl',
    }),
  ];
};

const fileShare: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  const fs = ctx.org.server.file;
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  const share = `\\\\FS01\\${rng.pick(SHARES)}`;
  const files = rng.int(0, 3);
  const sizes = Array.from({ length: files }, () => Math.round(rng.logNormal(200_000, 1.2)));
  const lines: SimLine[] = [
    connLine({
      tsUs: t,
      uid,
      orig: ws.ip,
      origPort: p,
      resp: fs.ip,
      respPort: 445,
      proto: 'tcp',
      service: 'smb,gssapi,krb',
      durationS: rng.logNormal(20, 1),
      origBytes: 3000 + rng.int(0, 4000),
      respBytes: 5000 + sizes.reduce((a, b) => a + b, 0),
      state: 'SF',
    }),
    smbMappingLine(t + ms(40), uid, ws.ip, p, fs.ip, share),
  ];
  sizes.forEach((size, i) => {
    lines.push(
      smbFileLine({
        tsUs: t + ms(200 + i * 400),
        uid,
        client: ws.ip,
        clientPort: p,
        server: fs.ip,
        action: rng.chance(0.8) ? 'SMB::FILE_OPEN' : 'SMB::FILE_WRITE',
        path: share,
        name: rng.pick(DOCS),
        size,
        fuid: rng.uid('F'),
        modifiedUs: t - ms(rng.int(60_000, 30 * 86_400_000)),
      }),
    );
  });
  return lines;
};

const domainAuth: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  const dc = ctx.org.server.dc;
  return [
    ...lookup(ctx, rng, t, ws.ip, `_ldap._tcp.dc._msdcs.${ctx.org.domain}`, dc.name, 'SRV'),
    connLine({
      tsUs: t + ms(10),
      uid: rng.uid(),
      orig: ws.ip,
      origPort: ephemeralPort(rng),
      resp: dc.ip,
      respPort: 88,
      proto: 'tcp',
      service: 'krb_tcp',
      durationS: rng.range(0.005, 0.05),
      origBytes: 1500 + rng.int(0, 600),
      respBytes: 1400 + rng.int(0, 600),
      state: 'SF',
    }),
    connLine({
      tsUs: t + ms(60),
      uid: rng.uid(),
      orig: ws.ip,
      origPort: ephemeralPort(rng),
      resp: dc.ip,
      respPort: 389,
      proto: 'tcp',
      service: 'ldap',
      durationS: rng.range(0.01, 0.2),
      origBytes: 800 + rng.int(0, 2000),
      respBytes: 2000 + rng.int(0, 8000),
      state: 'SF',
    }),
  ];
};

const mail: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  return tlsSession(rng, t, ws.ip, ctx.org.server.mail.ip, `mail.${ctx.org.domain}`, 993, {
    up: 2000,
    down: 25_000,
  });
};

const intranet: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  const web = ctx.org.server.web;
  const name = `intranet.${ctx.org.domain}`;
  return [
    ...lookup(ctx, rng, t, ws.ip, name, web.ip),
    ...tlsSession(rng, t + ms(5), ws.ip, web.ip, name, 443, { up: 1200, down: 15_000 }),
  ];
};

const updates: Session = (ctx, rng, t) => {
  const ws = workstation(ctx, rng);
  const site = rng.pick(ctx.org.updateSites);
  return [
    ...lookup(ctx, rng, t, ws.ip, site.domain, site.ip),
    ...tlsSession(rng, t + ms(20), ws.ip, site.ip, site.domain, 443, { up: 2000, down: 900_000 }),
  ];
};

const ntp: Session = (ctx, rng, t) => {
  const host = rng.chance(0.5) ? workstation(ctx, rng) : ctx.org.server.dc;
  return [
    connLine({
      tsUs: t,
      uid: rng.uid(),
      orig: host.ip,
      origPort: 123,
      resp: rng.pick(ctx.org.ntpServers),
      respPort: 123,
      proto: 'udp',
      service: 'ntp',
      durationS: rng.range(0.01, 0.08),
      origBytes: 48,
      respBytes: 48,
      state: 'SF',
    }),
  ];
};

const adminSsh: Session = (ctx, rng, t) => {
  const admin = rng.pick(ctx.org.admins);
  const server = ctx.org.server.ssh;
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  // Now and then a mistyped password before the right one.
  const attempts = rng.chance(0.05) ? 2 : 1;
  const ssh = sshLine({
    tsUs: t + ms(120),
    uid,
    client: admin.ip,
    clientPort: p,
    server: server.ip,
    success: true,
    attempts,
  });
  ssh.user = admin.user?.split('.')[0];
  return [
    connLine({
      tsUs: t,
      uid,
      orig: admin.ip,
      origPort: p,
      resp: server.ip,
      respPort: 22,
      proto: 'tcp',
      service: 'ssh',
      durationS: rng.logNormal(600, 1),
      origBytes: Math.round(rng.logNormal(40_000, 1)),
      respBytes: Math.round(rng.logNormal(120_000, 1.2)),
      state: 'SF',
    }),
    ssh,
  ];
};

const adminRdp: Session = (ctx, rng, t) => {
  const admin = rng.pick(ctx.org.admins);
  const jump = ctx.org.server.rdp;
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  return [
    connLine({
      tsUs: t,
      uid,
      orig: admin.ip,
      origPort: p,
      resp: jump.ip,
      respPort: 3389,
      proto: 'tcp',
      service: 'rdp,ssl',
      durationS: rng.logNormal(1200, 0.8),
      origBytes: Math.round(rng.logNormal(2e6, 1)),
      respBytes: Math.round(rng.logNormal(3e7, 1)),
      state: 'SF',
    }),
    rdpLine({
      tsUs: t + ms(30),
      uid,
      client: admin.ip,
      clientPort: p,
      server: jump.ip,
      cookie: admin.user?.split('.')[0] ?? 'admin',
      result: 'Success',
      clientName: admin.name.split('.')[0]!.toUpperCase(),
    }),
  ];
};

const inboundWeb: Session = (ctx, rng, t) => {
  const client = publicIp(ctx.seed, 'client', rng.int(0, 5000));
  const web = ctx.org.server.web;
  if (rng.chance(0.8))
    return tlsSession(rng, t, client, web.ip, `www.${ctx.org.domain}`, 443, { up: 1200, down: 60_000 });
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  const status = rng.weighted([
    [200, 80],
    [304, 10],
    [404, 6],
    [301, 4],
  ] as const);
  const size = status === 200 ? Math.round(rng.logNormal(12_000, 1.2)) : status === 404 ? 512 : 0;
  return [
    connLine({
      tsUs: t,
      uid,
      orig: client,
      origPort: p,
      resp: web.ip,
      respPort: 80,
      proto: 'tcp',
      service: 'http',
      durationS: rng.range(0.05, 1.5),
      origBytes: 400 + rng.int(0, 300),
      respBytes: size + 300,
      state: 'SF',
    }),
    httpLine(rng, {
      tsUs: t + ms(40),
      uid,
      client,
      clientPort: p,
      server: web.ip,
      method: 'GET',
      host: `www.${ctx.org.domain}`,
      uri: rng.pick(WEB_URIS),
      userAgent: rng.pick(BROWSER_UAS),
      status,
      responseBytes: size,
    }),
  ];
};

const inboundMail: Session = (ctx, rng, t) => {
  const sender = publicIp(ctx.seed, 'mta', rng.int(0, 300));
  return [
    connLine({
      tsUs: t,
      uid: rng.uid(),
      orig: sender,
      origPort: ephemeralPort(rng),
      resp: ctx.org.server.mail.ip,
      respPort: 25,
      proto: 'tcp',
      service: 'smtp',
      durationS: rng.range(0.5, 4),
      origBytes: Math.round(rng.logNormal(25_000, 1.3)),
      respBytes: 900 + rng.int(0, 400),
      state: 'SF',
    }),
  ];
};

const outboundMail: Session = (ctx, rng, t) => {
  // Most outgoing mail goes to a few big providers.
  const mx = publicIp(ctx.seed, 'mta', rng.int(0, 40));
  return [
    connLine({
      tsUs: t,
      uid: rng.uid(),
      orig: ctx.org.server.mail.ip,
      origPort: ephemeralPort(rng),
      resp: mx,
      respPort: 25,
      proto: 'tcp',
      service: 'smtp',
      durationS: rng.range(0.5, 4),
      origBytes: Math.round(rng.logNormal(30_000, 1.3)),
      respBytes: 900 + rng.int(0, 400),
      state: 'SF',
    }),
  ];
};

const serverChatter: Session = (ctx, rng, t) => {
  const { dc, file, web, mail, backup } = ctx.org.server;
  const from = rng.pick([file, web, mail, backup]);
  return [
    connLine({
      tsUs: t,
      uid: rng.uid(),
      orig: from.ip,
      origPort: ephemeralPort(rng),
      resp: dc.ip,
      respPort: 389,
      proto: 'tcp',
      service: 'ldap',
      durationS: rng.range(0.01, 0.3),
      origBytes: 600 + rng.int(0, 1500),
      respBytes: 1500 + rng.int(0, 6000),
      state: 'SF',
    }),
  ];
};

// The Internet's background noise: one probe (or one or two password guesses) per address.
const internetNoise: Session = (ctx, rng, t) => {
  const prober = publicIp(ctx.seed, 'noise', rng.int(0, 1_000_000));
  const target = rng.pick([ctx.org.server.web, ctx.org.server.mail, ctx.org.server.ssh]);
  const port = rng.pick(PROBE_PORTS);
  const uid = rng.uid();
  const p = ephemeralPort(rng);
  if (port === 22 && target.role === 'ssh') {
    const ssh = sshLine({
      tsUs: t + ms(200),
      uid,
      client: prober,
      clientPort: p,
      server: target.ip,
      success: false,
      attempts: rng.int(1, 3),
      clientVersion: 'SSH-2.0-Go',
    });
    ssh.user = rng.pick(['root', 'admin', 'ubuntu']);
    return [
      connLine({
        tsUs: t,
        uid,
        orig: prober,
        origPort: p,
        resp: target.ip,
        respPort: 22,
        proto: 'tcp',
        service: 'ssh',
        durationS: rng.range(1, 4),
        origBytes: 1500,
        respBytes: 2200,
        state: 'SF',
      }),
      ssh,
    ];
  }
  const open =
    (target.role === 'web' && (port === 80 || port === 443)) || (target.role === 'mail' && port === 25);
  return [
    connLine({
      tsUs: t,
      uid,
      orig: prober,
      origPort: p,
      resp: target.ip,
      respPort: port,
      proto: 'tcp',
      durationS: rng.range(0.0001, 0.002),
      state: open ? 'RSTO' : rng.chance(0.6) ? 'S0' : 'REJ',
    }),
  ];
};

const OFFICE: readonly (readonly [Session, number])[] = [
  [browse, 52],
  [plainHttp, 6],
  [fileShare, 12],
  [domainAuth, 10],
  [mail, 7],
  [intranet, 5],
  [updates, 3],
  [ntp, 2],
  // Admin sessions are long and few: a handful an hour per admin at the default rate.
  [adminSsh, 0.5],
  [adminRdp, 0.2],
];

const INTERNET: readonly (readonly [Session, number])[] = [
  [inboundWeb, 55],
  [inboundMail, 12],
  [outboundMail, 5],
  [serverChatter, 10],
  [internetNoise, 8],
];

/** Share of peak volume that comes from people (the rest is servers and the Internet). */
const OFFICE_SHARE = 0.7;

/** Lines per second the rhythms ask for at this instant, given the peak rate. */
export function benignRate(peakRate: number, epochMs: number, utcOffsetHours: number): number {
  return (
    peakRate *
    (OFFICE_SHARE * officeActivity(epochMs, utcOffsetHours) +
      (1 - OFFICE_SHARE) * internetActivity(epochMs, utcOffsetHours))
  );
}

/**
 * All benign lines of sessions that start in [b0Us, b0Us + widthUs): sessions are drawn until the
 * bucket's line budget (a Poisson draw around the rhythm-scaled rate) is met.
 */
export function benignBucket(
  ctx: SimContext,
  rng: Rng,
  b0Us: number,
  widthUs: number,
  peakRate: number,
  utcOffsetHours: number | null,
): SimLine[] {
  const midMs = (b0Us + widthUs / 2) / 1000;
  // utcOffsetHours null: no rhythm, the peak mix all day.
  const office = OFFICE_SHARE * (utcOffsetHours === null ? 1 : officeActivity(midMs, utcOffsetHours));
  const internet =
    (1 - OFFICE_SHARE) * (utcOffsetHours === null ? 1 : internetActivity(midMs, utcOffsetHours));
  const budget = rng.poisson(peakRate * (office + internet) * (widthUs / 1e6));
  const lines: SimLine[] = [];
  while (lines.length < budget) {
    const t = b0Us + rng.int(0, widthUs);
    const session = rng.next() * (office + internet) < office ? rng.weighted(OFFICE) : rng.weighted(INTERNET);
    for (const line of session(ctx, rng, t)) lines.push(line);
  }
  return lines;
}
