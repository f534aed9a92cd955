import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  ExpressionError,
  evaluateNumber,
  eventVariables,
  isMissingFieldError,
  registerExpressionFunction,
  withExpressionProviders,
} from './index.ts';

const event = {
  '@timestamp': '2026-12-05T23:51:25.123Z', // a Saturday
  source: { ip: '10.1.2.3', port: 51234, bytes: 1500 },
  destination: { ip: '8.8.8.8', port: 53 },
  network: { transport: 'udp', protocol: 'dns' },
  dns: { question: { name: 'xk2j9q7zzv.evil.co.uk' } },
};
const vars = eventVariables(event);
const run = (source: string, v: Record<string, unknown> = vars) => compileExpression(source).evaluate(v);

describe('compileExpression', () => {
  it('binds top-level fields and @timestamp as timestamp (epoch ms)', () => {
    expect(run('source.ip == "10.1.2.3" && destination.port == 53')).toBe(true);
    expect(run('timestamp')).toBe(Date.parse(event['@timestamp']));
  });

  it('caches by source', () => {
    expect(compileExpression('1 + 1')).toBe(compileExpression('1 + 1'));
  });

  it('mixes JSON numbers (double) with int literals in arithmetic', () => {
    expect(run('source.bytes * 2 + 1')).toBe(3001);
    expect(evaluateNumber(compileExpression('destination.port + 1'), vars)).toBe(54);
  });

  it('reports a syntax error with its position', () => {
    try {
      compileExpression('source.port == ');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).position).toBe(15);
      expect((error as ExpressionError).message).toContain('position 15');
    }
  });

  it('rejects unknown functions and wrong result types at compile time', () => {
    expect(() => compileExpression('nosuchfn(1)')).toThrow(ExpressionError);
    expect(() => compileExpression('"text"', { expect: 'bool' })).toThrow(/expected a bool/);
    expect(() => compileExpression('source.port == 1', { expect: 'bool' })).not.toThrow();
  });

  it('treats a missing top-level field as a missing-field error without running the expression', () => {
    const expr = compileExpression('http.request.method == "POST"');
    expect(expr.missingVariable?.(vars)).toBe('http');
    try {
      expr.evaluate(vars);
      expect.unreachable();
    } catch (error) {
      expect(isMissingFieldError(error)).toBe(true);
    }
    expect(() => run('source.nope == 1')).toThrow(ExpressionError);
  });

  it('keeps CEL semantics for has() and || around missing fields', () => {
    expect(run('!has(http.request.method)')).toBe(true);
    expect(run('has(http.request.method) || source.port > 0')).toBe(true);
    expect(run('http.request.method == "GET" || source.port > 0')).toBe(true);
    expect(compileExpression('http.x == 1 || source.port > 0').missingVariable?.(vars)).toBeUndefined();
  });

  it('reports a bad function argument with a position and the function_error code', () => {
    try {
      run('1 == 1 && isPrivateIp(dns.question.name)');
      expect.unreachable();
    } catch (error) {
      expect((error as ExpressionError).code).toBe('function_error');
      expect((error as ExpressionError).position).toBe(10);
      expect(isMissingFieldError(error)).toBe(false);
    }
  });

  it('accepts registered functions', () => {
    registerExpressionFunction({
      signature: 'shout(string): string',
      handler: (s: string) => `${s.toUpperCase()}!`,
      description: 'test',
    });
    expect(run('shout(network.protocol)')).toBe('DNS!');
  });
});

describe('function library', () => {
  it('networks', () => {
    expect(run('inCidr(source.ip, "10.0.0.0/8")')).toBe(true);
    expect(run('inCidr(source.ip, ["192.168.0.0/16", "10.1.2.0/24"])')).toBe(true);
    expect(run('inCidr(destination.ip, ["10.0.0.0/8"])')).toBe(false);
    expect(run('inCidr("2001:db8::1", "2001:db8::/32")')).toBe(true);
    expect(run('isPrivateIp(source.ip) && isPublicIp(destination.ip)')).toBe(true);
    expect(run('isPublicIp("192.0.2.1")')).toBe(false);
    expect(run('ipVersion(source.ip) == 4 && ipVersion("fe80::1") == 6')).toBe(true);
    expect(run('isIp("300.1.1.1") || isIp("nope")')).toBe(false);
    expect(() => run('inCidr(source.ip, "10.0.0.0/33")')).toThrow(/not a CIDR/);
  });

  it('domains', () => {
    expect(run('tld(dns.question.name)')).toBe('co.uk');
    expect(run('registeredDomain(dns.question.name)')).toBe('evil.co.uk');
    expect(run('stripSubdomains("mail.google.com")')).toBe('google.com');
    expect(run('stripTld("mail.google.com")')).toBe('google');
    expect(run('subdomain(dns.question.name)')).toBe('xk2j9q7zzv');
    expect(run('entropy("aaaa")')).toBe(0);
    expect(run('entropy("abcd")')).toBe(2);
    expect(run('editDistance("kitten", "sitting")')).toBe(3n);
    expect(run('minEditDistance("paypa1.com", ["paypal.com", "google.com"])')).toBe(1n);
    expect(run('closestMatch("gooogle.com", ["paypal.com", "google.com"])')).toBe('google.com');
    expect(run('isTyposquat("login.paypa1.com", ["paypal.com"])')).toBe(true);
    expect(run('isTyposquat("paypal.com", ["paypal.com"])')).toBe(false);
  });

  it('strings and regex', () => {
    expect(run('lower("ABC") + upper("d")')).toBe('abcD');
    expect(run('regexExtract("user=bob;", "user=([a-z]+)")')).toBe('bob');
    expect(run('matchesAny(dns.question.name, ["^x", "zzz$"])')).toBe(true);
    expect(run('replace("a-b-c", "-", ".")')).toBe('a.b.c');
    expect(() => run('regexExtract("x", "(")')).toThrow(/bad regular expression/);
  });

  it('time from event time, in UTC', () => {
    expect(run('hour(timestamp)')).toBe(23n);
    expect(run('dayOfWeek(timestamp)')).toBe(6n);
    expect(run('isWeekend(timestamp)')).toBe(true);
    expect(run('hour("2026-12-04T03:00:00.000Z")')).toBe(3n);
  });

  it('statistics over lists', () => {
    expect(run('sum([1, 2, 3.5])')).toBe(6.5);
    expect(run('mean([1, 2, 3])')).toBe(2);
    expect(run('median([5, 1, 3, 2])')).toBe(2.5);
    expect(run('stddev([2, 4, 4, 4, 5, 5, 7, 9])')).toBeCloseTo(2.138, 3);
    expect(run('percentile([1, 2, 3, 4, 5], 90)')).toBeCloseTo(4.6);
    expect(run('maxOf([1, 7, 3]) - minOf([1, 7, 3])')).toBe(6);
    expect(() => run('mean([])')).toThrow(/empty/);
  });

  it('lookups go through injected providers', () => {
    const providers = {
      geo: (ip: string) => (ip === '8.8.8.8' ? { country_iso_code: 'US' } : undefined),
      asset: (ip: string) => (ip === '10.1.2.3' ? { owner: 'finance', criticality: 5 } : undefined),
      intel: (x: string, type: string) =>
        type === 'domain' && x === 'evil.co.uk' ? { source: 'test' } : undefined,
      profile: (_name: string, _entity: string, periods: number) =>
        Array.from({ length: periods }, (_, i) => i),
    };
    withExpressionProviders(providers, () => {
      expect(run('geo(destination.ip).country_iso_code == "US"')).toBe(true);
      expect(run('"country_iso_code" in geo(source.ip)')).toBe(false);
      expect(run('asset(source.ip).criticality >= 4')).toBe(true);
      expect(run('intel(registeredDomain(dns.question.name), "domain")')).toBe(true);
      expect(run('intel(destination.ip, "ip")')).toBe(false);
      expect(run('mean(profile("bytes_out", source.ip, 5))')).toBe(2);
      expect(() => run('intel(destination.ip, "phone")')).toThrow(/unknown indicator type/);
    });
    expect(() => run('geo(destination.ip)')).toThrow(/no geo database/);
  });
});
