// Network functions (Stellar's IN_SUBNET, IS_IP and friends).
import { cachedCidr, cidrContains, isPrivateIp, isPublicIp, type ParsedIp, parseIp } from './ip.ts';
import { type ExpressionFunction, FunctionArgumentError, toList, toText } from './types.ts';

function ipArg(value: unknown, fn: string): ParsedIp {
  const ip = parseIp(toText(value, fn));
  if (ip === undefined) throw new FunctionArgumentError(`${fn}: not an IP address: ${JSON.stringify(value)}`);
  return ip;
}

function inCidr(ipText: unknown, cidrs: unknown): boolean {
  const ip = ipArg(ipText, 'inCidr');
  const list = typeof cidrs === 'string' ? [cidrs] : toList(cidrs, 'inCidr');
  for (const c of list) {
    const cidr = cachedCidr(toText(c, 'inCidr'));
    if (cidr === undefined) throw new FunctionArgumentError(`inCidr: not a CIDR block: ${JSON.stringify(c)}`);
    if (cidrContains(cidr, ip)) return true;
  }
  return false;
}

export const networkFunctions: ExpressionFunction[] = [
  {
    signature: 'inCidr(dyn, dyn): bool',
    handler: inCidr,
    description: 'inCidr(ip, "10.0.0.0/8" or ["10.0.0.0/8", ...]): the IP lies in one of the blocks',
  },
  {
    signature: 'isIp(dyn): bool',
    handler: (v: unknown) => typeof v === 'string' && parseIp(v) !== undefined,
    description: 'isIp(value): value is an IPv4 or IPv6 address (never fails)',
  },
  {
    signature: 'ipVersion(dyn): int',
    handler: (v: unknown) => BigInt(ipArg(v, 'ipVersion').version),
    description: 'ipVersion(ip): 4 or 6',
  },
  {
    signature: 'isPrivateIp(dyn): bool',
    handler: (v: unknown) => isPrivateIp(ipArg(v, 'isPrivateIp')),
    description: 'isPrivateIp(ip): RFC 1918, loopback, link-local, CGNAT or IPv6 ULA/link-local',
  },
  {
    signature: 'isPublicIp(dyn): bool',
    handler: (v: unknown) => isPublicIp(ipArg(v, 'isPublicIp')),
    description:
      'isPublicIp(ip): globally routable unicast (not private, multicast, documentation or reserved)',
  },
];
