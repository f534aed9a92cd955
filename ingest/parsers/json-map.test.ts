import { describe, expect, it } from 'vitest';
import { JsonMapParser } from './json-map.ts';

describe('JsonMapParser', () => {
  it('maps fields, keeps the rest under a prefix and reads the time', () => {
    // A nested source path copies the value; its top-level object stays among the kept fields.
    const r = new JsonMapParser({ fields: { 'src.addr': 'source.ip' }, timestampField: 'ts' }).parse(
      '{"src":{"addr":"10.0.0.1"},"ts":1458569102,"user":"bob"}',
    );
    expect(r.ok && r.events[0]).toEqual({
      '@timestamp': '2016-03-21T14:05:02.000Z',
      event: { kind: 'event' },
      source: { ip: '10.0.0.1' },
      json: { src: { addr: '10.0.0.1' }, user: 'bob' },
    });
  });

  it('splits one document into several events with a JSONPath query', () => {
    const r = new JsonMapParser({ query: '$.foo', prefix: '' }).parse('{"foo":[{"n":1},{"n":2},{"n":3}]}');
    expect(r.ok && r.events.map((e) => e.n)).toEqual([1, 2, 3]);
  });

  it('wraps comma-joined objects before querying', () => {
    const r = new JsonMapParser({ wrap: 'foo', query: '$.foo', prefix: '' }).parse(
      '{ "a" : 1 },{ "a" : 2 },',
    );
    expect(r.ok && r.events.map((e) => e.a)).toEqual([1, 2]);
  });

  it('applies the nested-object strategy', () => {
    const line = '{"a":{"b":{"c":1}},"d":2}';
    expect(new JsonMapParser({ nested: 'unfold' }).parse(line)).toMatchObject({
      ok: true,
      events: [{ json: { 'a.b.c': 1, d: 2 } }],
    });
    expect(new JsonMapParser({ nested: 'drop' }).parse(line)).toMatchObject({
      ok: true,
      events: [{ json: { d: 2 } }],
    });
    expect(new JsonMapParser({ nested: 'error' }).parse(line)).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('reports bad JSON, empty query results and non-object records', () => {
    expect(new JsonMapParser().parse('{')).toMatchObject({ ok: false, kind: 'parse' });
    expect(new JsonMapParser({ query: '$.none' }).parse('{"a":1}')).toMatchObject({
      ok: false,
      kind: 'parse',
    });
    expect(new JsonMapParser({ query: '$.a' }).parse('{"a":[1]}')).toMatchObject({
      ok: false,
      kind: 'parse',
    });
  });

  it('never lets a record key reach Object.prototype', () => {
    const r = new JsonMapParser({ prefix: '' }).parse('{"__proto__":{"polluted":true}}');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
