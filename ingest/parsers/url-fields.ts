// ECS url.* fields from a URL string: domain parts come from the public suffix list (tldts), so
// `www.cnn.co.uk` gives registered_domain `cnn.co.uk` (what Metron's DOMAIN_REMOVE_SUBDOMAINS did).
import { parse as parseDomain } from 'tldts';

export function urlFields(original: string): Record<string, unknown> {
  const url: Record<string, unknown> = { original };
  const schemeEnd = original.indexOf('://');
  if (schemeEnd > 0) url.scheme = original.slice(0, schemeEnd).toLowerCase();
  // Squid logs CONNECT targets as host:port with no scheme.
  const d = parseDomain(schemeEnd > 0 ? original : `http://${original}`);
  if (d.hostname) url.domain = d.hostname;
  if (!d.isIp) {
    if (d.domain) url.registered_domain = d.domain;
    if (d.publicSuffix) url.top_level_domain = d.publicSuffix;
    if (d.subdomain) url.subdomain = d.subdomain;
  }
  const rest = schemeEnd > 0 ? original.slice(schemeEnd + 3) : original;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const pathAndQuery = rest.slice(slash);
    const q = pathAndQuery.indexOf('?');
    url.path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
    if (q !== -1) url.query = pathAndQuery.slice(q + 1);
  }
  const hostPort = /^[^/]*:(\d{1,5})(?:\/|$)/.exec(rest.replace(/^[^@/]*@/, ''));
  if (hostPort !== null) url.port = Number(hostPort[1]);
  return url;
}
