// The simulated organisation: workstations and servers with roles on private subnets, plus the
// Internet they talk to. Built from the seed alone, so every run of a config sees the same org.
import { hash32, rngFor } from './prng.ts';

export type Role = 'workstation' | 'dns' | 'web' | 'file' | 'mail' | 'dc' | 'ssh' | 'rdp' | 'backup';

export interface Host {
  ip: string;
  name: string;
  role: Role;
  /** Admins' workstations are the ones that SSH/RDP into servers. */
  admin?: boolean;
  user?: string;
}

export interface ExternalSite {
  domain: string;
  ip: string;
}

export interface Org {
  domain: string;
  hosts: Host[];
  workstations: Host[];
  admins: Host[];
  server: Record<Exclude<Role, 'workstation'>, Host>;
  /** Popular external sites workstations browse (TLS unless listed in plainHttp). */
  sites: ExternalSite[];
  plainHttp: ExternalSite[];
  updateSites: ExternalSite[];
  upstreamResolvers: string[];
  ntpServers: string[];
}

const SERVERS: [Exclude<Role, 'workstation'>, string, string][] = [
  ['dc', 'dc01', '10.20.0.10'],
  ['dns', 'ns01', '10.20.0.53'],
  ['file', 'fs01', '10.20.0.45'],
  ['rdp', 'jump01', '10.20.0.33'],
  ['backup', 'bk01', '10.20.0.60'],
  ['web', 'www01', '10.30.0.80'],
  ['mail', 'mx01', '10.30.0.25'],
  ['ssh', 'bastion01', '10.30.0.22'],
];

const SITES = [
  'www.google.com',
  'fonts.googleapis.com',
  'outlook.office365.com',
  'login.microsoftonline.com',
  'teams.microsoft.com',
  'www.bing.com',
  'github.com',
  'api.github.com',
  'slack.com',
  'edge.slack.com',
  'www.linkedin.com',
  'www.wikipedia.org',
  'en.wikipedia.org',
  'www.youtube.com',
  'i.ytimg.com',
  'www.amazon.com',
  'images-na.ssl-images-amazon.com',
  'zoom.us',
  'us02web.zoom.us',
  'www.salesforce.com',
  'acme.my.salesforce.com',
  'www.dropbox.com',
  'docs.google.com',
  'drive.google.com',
  'cdn.jsdelivr.net',
  'ajax.cloudflare.com',
  'www.nytimes.com',
  'www.bbc.co.uk',
  'stackoverflow.com',
  'registry.npmjs.org',
  'pypi.org',
  'www.atlassian.com',
  'acme.atlassian.net',
  'www.apple.com',
  'news.ycombinator.com',
  'www.reddit.com',
  'clients4.google.com',
  'safebrowsing.googleapis.com',
  'ocsp.digicert.com',
  'www.gstatic.com',
];

const PLAIN_HTTP = [
  'ocsp.pki.goog',
  'crl.microsoft.com',
  'ctldl.windowsupdate.com',
  'detectportal.firefox.com',
];
const UPDATE_SITES = [
  'download.windowsupdate.com',
  'deb.debian.org',
  'security.debian.org',
  'packages.microsoft.com',
];

const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
];
const LAST_NAMES = ['smith', 'jones', 'garcia', 'chen', 'patel', 'nguyen', 'kim', 'muller', 'rossi', 'silva'];

// First octets of public unicast space the simulator draws from (avoids private, reserved,
// multicast and documentation ranges, so geo enrichment finds a country for most of them).
const PUBLIC_FIRST_OCTETS = [
  5, 13, 20, 23, 31, 34, 35, 37, 40, 45, 46, 51, 52, 54, 62, 64, 66, 69, 72, 77, 78, 80, 81, 85, 87, 89, 91,
  93, 94, 95, 104, 107, 108, 109, 128, 137, 141, 142, 146, 151, 157, 158, 162, 176, 178, 185, 188, 193, 194,
  195, 198, 199, 203, 204, 205, 206, 207, 208, 209, 212, 213, 216, 217,
];

/** A public IPv4 address, a pure function of the tags. */
export function publicIp(...tags: (number | string)[]): string {
  const h = hash32('public-ip', ...tags);
  const h2 = hash32('public-ip-2', ...tags);
  const a = PUBLIC_FIRST_OCTETS[h % PUBLIC_FIRST_OCTETS.length]!;
  // 198.18/15, 198.51.100/24 and 203.0.113/24 are reserved: steer away from them.
  let b = (h >>> 8) & 0xff;
  if ((a === 198 && (b === 18 || b === 19 || b === 51)) || (a === 203 && b === 0)) b = 77;
  return `${a}.${b}.${(h2 >>> 8) & 0xff}.${1 + ((h2 >>> 16) % 253)}`;
}

/** True for the RFC 1918 ranges the org uses (Zeek's local_orig/local_resp). */
export function isLocal(ip: string): boolean {
  if (ip.startsWith('10.') || ip.startsWith('192.168.')) return true;
  if (ip.startsWith('172.')) {
    const b = Number(ip.split('.')[1]);
    return b >= 16 && b <= 31;
  }
  return false;
}

export interface OrgOptions {
  workstations: number;
  domain: string;
}

export function buildOrg(seed: number, options: OrgOptions): Org {
  const rng = rngFor(seed, 'org');
  const server = {} as Org['server'];
  const hosts: Host[] = [];
  for (const [role, name, ip] of SERVERS) {
    const host: Host = { ip, name: `${name}.${options.domain}`, role };
    server[role] = host;
    hosts.push(host);
  }
  const workstations: Host[] = [];
  for (let i = 0; i < options.workstations; i++) {
    // Workstations spread over 10.10.1.0/24, 10.10.2.0/24, ... (100 per subnet).
    const ip = `10.10.${1 + Math.floor(i / 100)}.${20 + (i % 100)}`;
    const user = `${rng.pick(FIRST_NAMES)}.${rng.pick(LAST_NAMES)}`;
    const host: Host = {
      ip,
      name: `ws-${String(i + 1).padStart(3, '0')}.${options.domain}`,
      role: 'workstation',
      user,
    };
    // About one in eight workstations belongs to an admin (at least one).
    if (i === 0 || rng.chance(0.12)) host.admin = true;
    workstations.push(host);
    hosts.push(host);
  }
  const site = (domain: string): ExternalSite => ({ domain, ip: publicIp(seed, 'site', domain) });
  return {
    domain: options.domain,
    hosts,
    workstations,
    admins: workstations.filter((w) => w.admin),
    server,
    sites: SITES.map(site),
    plainHttp: PLAIN_HTTP.map(site),
    updateSites: UPDATE_SITES.map(site),
    upstreamResolvers: ['8.8.8.8', '1.1.1.1', '9.9.9.9'],
    ntpServers: ['162.159.200.1', '216.239.35.0', '129.6.15.28'],
  };
}
