import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGMA_RULES_DIR } from '../triage/config.ts';
import { compileDetection } from './compile.ts';
import { parseCondition } from './condition.ts';
import { loadSigmaRules, parseSigmaText } from './load.ts';

const zeekConn = (over: Record<string, unknown> = {}) => ({
  '@timestamp': '2026-12-04T19:51:25.123Z',
  event: { module: 'zeek', provider: 'conn', original: '{"ts":1,"id.orig_h":"10.0.0.5"}' },
  observer: { type: 'zeek' },
  source: { ip: '10.0.0.5', port: 50000, bytes: 0 },
  destination: { ip: '10.0.0.9', port: 22 },
  network: { transport: 'tcp' },
  zeek: { conn: { conn_state: 'S0', orig_bytes: 0, proto: 'tcp', history: 'S' } },
  ...over,
});

describe('condition', () => {
  it('parses and/or/not with precedence, parentheses and quantifiers', () => {
    const names = ['sel1', 'sel2', 'filter'];
    expect(parseCondition('sel1 or sel2 and not filter', names)).toEqual({
      op: 'or',
      args: [
        { op: 'ref', name: 'sel1' },
        {
          op: 'and',
          args: [
            { op: 'ref', name: 'sel2' },
            { op: 'not', arg: { op: 'ref', name: 'filter' } },
          ],
        },
      ],
    });
    expect(parseCondition('(1 of sel*) and not filter', names)).toMatchObject({
      op: 'and',
      args: [{ op: 'of', quantifier: 'one', names: ['sel1', 'sel2'] }, { op: 'not' }],
    });
    expect(parseCondition('all of them', names)).toEqual({ op: 'of', quantifier: 'all', names });
  });

  it('reports what it does not support', () => {
    expect(() => parseCondition('sel1 | count() by source.ip > 5', ['sel1'])).toThrow(/aggregation/);
    expect(() => parseCondition('sel3', ['sel1'])).toThrow(/lacks/);
    expect(() => parseCondition('2 of sel*', ['sel1'])).toThrow(/not supported/);
    expect(() => parseCondition('sel1 and', ['sel1'])).toThrow(/ends too early/);
  });
});

describe('compileDetection', () => {
  const match = (detection: unknown, event: Record<string, unknown>, logsource = {}) =>
    compileDetection(detection, { logsource })(event);

  it('maps Sigma Zeek field names to Vigil fields and raw Zeek fields', () => {
    const det = { sel: { 'id.resp_p': 22, conn_state: 's0' }, condition: 'sel' };
    expect(match(det, zeekConn(), { product: 'zeek', service: 'conn' })).toBe(true);
    expect(
      match(det, zeekConn({ destination: { ip: '10.0.0.9', port: 80 } }), {
        product: 'zeek',
        service: 'conn',
      }),
    ).toBe(false);
  });

  it('supports the value modifiers', () => {
    const e = { dns: { question: { name: 'Mail.Google.com' } }, source: { ip: '10.1.2.3', bytes: 500 } };
    const t = (sel: Record<string, unknown>) => match({ sel, condition: 'sel' }, e);
    expect(t({ 'dns.question.name|contains': 'google' })).toBe(true);
    expect(t({ 'dns.question.name|startswith': 'mail.' })).toBe(true);
    expect(t({ 'dns.question.name|endswith': ['.org', '.com'] })).toBe(true);
    expect(t({ 'dns.question.name|contains|all': ['mail', 'google'] })).toBe(true);
    expect(t({ 'dns.question.name|contains|all': ['mail', 'yahoo'] })).toBe(false);
    expect(t({ 'dns.question.name': 'mail.*.com' })).toBe(true);
    expect(t({ 'dns.question.name': 'mail.google.co?' })).toBe(true);
    expect(t({ 'dns.question.name|re': '^Mail\\.' })).toBe(true);
    expect(t({ 'dns.question.name|re': '^mail\\.' })).toBe(false);
    expect(t({ 'dns.question.name|re|i': '^mail\\.' })).toBe(true);
    expect(t({ 'dns.question.name|cased': 'mail.google.com' })).toBe(false);
    expect(t({ 'source.ip|cidr': '10.0.0.0/8' })).toBe(true);
    expect(t({ 'source.ip|cidr': ['192.168.0.0/16'] })).toBe(false);
    expect(t({ 'source.bytes|gt': 499, 'source.bytes|lte': 500 })).toBe(true);
    expect(t({ 'source.bytes|lt': 500 })).toBe(false);
    expect(t({ 'source.bytes|gte': '500' })).toBe(true);
    expect(t({ 'source.port|exists': false })).toBe(true);
    expect(t({ 'source.ip|exists': true })).toBe(true);
    expect(t({ 'source.port': null })).toBe(true);
  });

  it('matches value lists case-insensitively and numbers against their text', () => {
    const sel = (values: unknown[]) => ({ sel: { 'network.transport': values }, condition: 'sel' });
    expect(match(sel(['UDP', 'tcp']), { network: { transport: 'Tcp' } })).toBe(true);
    expect(match(sel(['udp', 'icmp']), { network: { transport: 'tcp' } })).toBe(false);
    expect(match(sel([6, 17]), { network: { transport: '17' } })).toBe(true);
    expect(match(sel(['6', 'x']), { network: { transport: 6 } })).toBe(true);
    expect(match(sel([6, 17]), { network: { transport: '' } })).toBe(false);
    expect(match(sel(['t*', 'x']), { network: { transport: 'tcp' } })).toBe(true); // wildcards keep working
  });

  it('treats lists of maps as OR and keywords as a search of the raw line', () => {
    const det = {
      sel: [{ 'destination.port': 23 }, { 'destination.port': 22 }],
      kw: ['orig_h'],
      condition: 'sel and kw',
    };
    expect(match(det, zeekConn())).toBe(true);
    expect(match({ kw: ['nothere'], condition: 'kw' }, zeekConn())).toBe(false);
  });

  it('matches any element of a list field', () => {
    const e = { dns: { answers: [{ data: '1.2.3.4' }, { data: '10.0.0.1' }] } };
    expect(match({ sel: { 'dns.answers.data|cidr': '10.0.0.0/8' }, condition: 'sel' }, e)).toBe(true);
    expect(match({ sel: { answers: '1.2.3.4' }, condition: 'sel' }, e)).toBe(true);
  });

  it('rejects unsupported modifiers and shapes', () => {
    expect(() =>
      compileDetection({ sel: { 'CommandLine|base64offset|contains': 'x' }, condition: 'sel' }),
    ).toThrow(/base64offset/);
    expect(() => compileDetection({ sel: { 'a|cidr': 'nope' }, condition: 'sel' })).toThrow(/CIDR/);
    expect(() => compileDetection({ sel: { a: 1 }, condition: 'sel', timeframe: '5m' })).toThrow(/timeframe/);
    expect(() => compileDetection({ sel: { 'a|gt': 'x' }, condition: 'sel' })).toThrow(/number/);
  });
});

describe('rule loading', () => {
  it('reports rules it cannot honour and loads the rest', () => {
    const text = [
      'title: ok',
      'id: r1',
      'logsource: {category: dns}',
      'detection: {sel: {dns.question.name|endswith: .example}, condition: sel}',
      'level: high',
      '---',
      'title: windows only',
      'id: r2',
      'logsource: {product: windows, category: process_creation}',
      'detection: {sel: {Image|endswith: \\cmd.exe}, condition: sel}',
      '---',
      'title: aggregation',
      'id: r3',
      'logsource: {category: dns}',
      'detection: {sel: {dns.question.name: x}, condition: sel | count() > 5}',
    ].join('\n');
    const set = parseSigmaText(text, 'mixed.yml');
    expect(set.rules.map((r) => [r.title, r.score])).toEqual([['ok', 75]]);
    expect(set.problems.map((p) => p.rule)).toEqual(['windows only', 'aggregation']);
    expect(set.problems[0]?.message).toMatch(/windows/);
    expect(set.rules[0]?.matches({ dns: { question: { name: 'a.example' } } })).toBe(true);
  });

  it('loads every shipped rule without a problem, and each fires on the traffic it describes', () => {
    const set = loadSigmaRules([DEFAULT_SIGMA_RULES_DIR]);
    expect(set.problems).toEqual([]);
    expect(set.rules.length).toBeGreaterThanOrEqual(10);
    const fired = (e: Record<string, unknown>) => set.rules.filter((r) => r.matches(e)).map((r) => r.title);
    const benign = {
      event: { module: 'zeek', provider: 'conn' },
      source: { ip: '10.0.0.5', port: 50000, bytes: 1200 },
      destination: { ip: '10.0.0.9', port: 443 },
      network: { transport: 'tcp', protocol: 'ssl' },
      zeek: { conn: { conn_state: 'SF', orig_bytes: 1200, proto: 'tcp' } },
    };
    expect(fired(benign)).toEqual([]);
    const cases: [string, Record<string, unknown>][] = [
      ['port probe', zeekConn({ destination: { ip: '10.0.0.9', port: 8080 } })],
      [
        'Zeek reported a scan',
        { event: { module: 'zeek', provider: 'notice' }, zeek: { notice: { note: 'Scan::Port_Scan' } } },
      ],
      [
        'SSH login attempts',
        {
          event: { module: 'zeek', provider: 'ssh' },
          zeek: { ssh: { auth_success: false, auth_attempts: 5 } },
        },
      ],
      ['Inbound SSH', { source: { ip: '8.8.8.8' }, destination: { ip: '10.0.0.9', port: 3389 } }],
      ['long DNS', { dns: { question: { name: `${'a'.repeat(45)}.tunnel.example` } } }],
      [
        'DGA-like',
        {
          dns: { question: { name: 'qxkzjvbwpl4r7t.com' } },
          vigil: { dns: { label_entropy: 3.9, label_length: 14 } },
        },
      ],
      ['intelligence indicator', { threat: { enrichments: [{ indicator: { type: 'ip' } }] } }],
      [
        'Tor',
        {
          source: { ip: '10.0.0.5' },
          destination: { ip: '1.2.3.4', port: 9001 },
          network: { transport: 'tcp' },
        },
      ],
      [
        'Cleartext',
        {
          source: { ip: '10.0.0.5' },
          destination: { ip: '1.2.3.4', port: 23 },
          network: { transport: 'tcp' },
        },
      ],
      [
        'scripting or attack tool',
        { http: { request: { method: 'GET' } }, user_agent: { original: 'sqlmap/1.7' } },
      ],
      ['TLD favoured by abuse', { dns: { question: { name: 'free-prizes.xyz' } } }],
      ['Large upload', { source: { ip: '10.0.0.5', bytes: 2e8 }, destination: { ip: '1.2.3.4', port: 443 } }],
      [
        'RDP from the internet without',
        {
          event: { module: 'zeek', provider: 'rdp' },
          source: { ip: '158.227.75.207' },
          destination: { ip: '10.20.0.33', port: 3389 },
          zeek: { rdp: { 'id.orig_h': '158.227.75.207', cookie: 'administrator' } },
        },
      ],
    ];
    const rdpLogin = {
      event: { module: 'zeek', provider: 'rdp' },
      zeek: { rdp: { 'id.orig_h': '158.227.75.207', cookie: 'judy', result: 'Success' } },
    };
    expect(fired(rdpLogin)).toEqual([]);
    for (const [title, event] of cases) {
      expect(
        fired(event).some((t) => t.includes(title)),
        `${title}: fired ${JSON.stringify(fired(event))}`,
      ).toBe(true);
    }
  });
});
