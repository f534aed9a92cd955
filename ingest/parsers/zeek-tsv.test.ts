import { describe, expect, it } from 'vitest';
import { ZeekTsvParser } from './zeek-tsv.ts';

const header = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2022-06-17-00-00-07',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tlocal_orig\ttunnel_parents\tlabel',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tbool\tset[string]\tstring',
];

describe('ZeekTsvParser', () => {
  it('remembers the header and types the columns', () => {
    const p = new ZeekTsvParser();
    for (const h of header) expect(p.parse(h)).toEqual({ ok: true, events: [] });
    const r = p.parse(
      '1655071198.444458\tCHL\t147.32.81.167\t62771\t40.74.108.123\t443\ttcp\t-\t1.5\t1596\tT\t(empty)\tBenign',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const e = r.events[0]!;
    expect(e['@timestamp']).toBe('2022-06-12T21:59:58.444Z');
    expect(e.source).toMatchObject({ ip: '147.32.81.167', port: 62771 });
    expect(e.network).toEqual({ transport: 'tcp', bytes: 1596 });
    const zeek = (e.zeek as Record<string, Record<string, unknown>>).conn!;
    expect(zeek.local_orig).toBe(true);
    expect(zeek.tunnel_parents).toEqual([]);
    expect(zeek.duration).toBe(1.5);
    expect('service' in zeek).toBe(false); // "-" is unset
    expect(zeek.label).toBe('Benign');
  });

  it('splits sets and unescapes \\x sequences', () => {
    const p = new ZeekTsvParser();
    p.parse('#fields\tts\tnames\tmsg');
    p.parse('#types\ttime\tset[string]\tstring');
    const r = p.parse('10.0\ta,b\tx\\x09y');
    expect(r.ok && r.events[0]).toMatchObject({ zeek: { unknown: { names: ['a', 'b'], msg: 'x\ty' } } });
  });

  it('is stateful per instance: a record before #fields is a parse error', () => {
    expect(new ZeekTsvParser().parse('1.0\tx')).toMatchObject({ ok: false, kind: 'parse' });
  });

  it('rejects records with the wrong column count and mismatched #types', () => {
    const p = new ZeekTsvParser();
    p.parse('#fields\tts\tuid');
    expect(p.parse('#types\ttime')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('1.0\ta\tb')).toMatchObject({ ok: false, kind: 'parse' });
  });

  it('accepts static fields from options for header-less streams', () => {
    const p = new ZeekTsvParser({ fields: ['ts', 'id.orig_h'], types: ['time', 'addr'], path: 'conn' });
    expect(p.parse('5.0\t10.0.0.1')).toMatchObject({ ok: true, events: [{ source: { ip: '10.0.0.1' } }] });
  });
});
