import { describe, expect, it } from 'vitest';
import { setPath } from '../parsers/common.ts';
import { eventSchema, TYPED_FIELDS } from './event.ts';
import { eventId, normalizeEvent, TIMESTAMP_FROM_INGEST } from './normalize.ts';

const ctx = { sensor: 'bro', raw: 'raw line', ingestedAt: Date.UTC(2026, 11, 4, 19, 51, 25, 123) };

describe('normalizeEvent', () => {
  it('stamps provenance, coerces typed fields and satisfies the event schema', () => {
    const r = normalizeEvent(
      {
        '@timestamp': 1_000_000_000_000,
        source: { ip: '10.0.0.1', port: '22', bytes: '100' },
        destination: { ip: '::1', port: 80 },
        http: { response: { status_code: '200' } },
      },
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toMatchObject({
      '@timestamp': '2001-09-09T01:46:40.000Z',
      source: { ip: '10.0.0.1', port: 22, bytes: 100 },
      http: { response: { status_code: 200 } },
      event: { dataset: 'bro', original: 'raw line', ingested: '2026-12-04T19:51:25.123Z', kind: 'event' },
      observer: { type: 'bro' },
    });
    expect(eventSchema.safeParse(r.event).success).toBe(true);
  });

  it('gives the same raw record the same id, and split events distinct ids', () => {
    const a = normalizeEvent({ '@timestamp': '2020-01-01T00:00:00.000Z' }, ctx);
    const b = normalizeEvent({ '@timestamp': '2020-01-01T00:00:00.000Z' }, { ...ctx, ingestedAt: 0 });
    const c = normalizeEvent({ '@timestamp': '2020-01-01T00:00:00.000Z' }, { ...ctx, index: 1 });
    const d = normalizeEvent({ '@timestamp': '2020-01-01T00:00:00.000Z' }, { ...ctx, sensor: 'other' });
    const id = (r: ReturnType<typeof normalizeEvent>) =>
      r.ok ? (r.event.event as Record<string, unknown>).id : undefined;
    expect(id(a)).toBe(id(b));
    expect(id(a)).toBe(eventId('bro', 'raw line'));
    expect(id(c)).not.toBe(id(a));
    expect(id(d)).not.toBe(id(a));
  });

  it('names the field, the value and the expectation when a value is bad', () => {
    const ip = normalizeEvent({ '@timestamp': 0, source: { ip: '999.1.1.1' } }, ctx);
    expect(ip).toEqual({
      ok: false,
      kind: 'invalid',
      message: 'source.ip: "999.1.1.1" is not an IPv4 or IPv6 address',
    });
    const port = normalizeEvent({ '@timestamp': 0, destination: { port: 70000 } }, ctx);
    expect(!port.ok && port.message).toBe(
      'destination.port: 70000 is not a port; expected an integer 0..65535',
    );
    const bytes = normalizeEvent({ '@timestamp': 0, network: { bytes: 'lots' } }, ctx);
    expect(!bytes.ok && bytes.message).toContain('network.bytes: "lots"');
    const ts = normalizeEvent({ '@timestamp': 'Tuesday' }, ctx);
    expect(!ts.ok && ts.message).toContain('@timestamp: "Tuesday" is not a valid timestamp');
  });

  it('checks every typed field event.ts declares, naming it', () => {
    for (const [kind, paths] of Object.entries(TYPED_FIELDS)) {
      for (const path of paths) {
        const event: Record<string, unknown> = { '@timestamp': '2020-01-01T00:00:00.000Z' };
        if (path === '@timestamp') event[path] = 'garbage';
        else setPath(event, path, kind === 'integer' ? 1.5 : 'garbage');
        const r = normalizeEvent(event, ctx);
        expect(r.ok, `${kind} ${path}`).toBe(false);
        expect(!r.ok && r.message.startsWith(`${path}: `), `${path}: ${!r.ok && r.message}`).toBe(true);
      }
    }
  });

  it('rejects impossible canonical timestamps without Date.parse', () => {
    expect(normalizeEvent({ '@timestamp': '2020-13-01T00:00:00.000Z' }, ctx).ok).toBe(false);
    expect(normalizeEvent({ '@timestamp': '2300-01-01T00:00:00.000Z' }, ctx).ok).toBe(false);
    const r = normalizeEvent({ '@timestamp': '2020-01-01 10:00:00+02:00' }, ctx);
    expect(r.ok && r.event['@timestamp']).toBe('2020-01-01T08:00:00.000Z');
  });

  it('treats blank typed values as unset', () => {
    const r = normalizeEvent({ '@timestamp': 0, source: { ip: '', port: '' } }, ctx);
    expect(r.ok && r.event.source).toEqual({});
  });

  it('falls back to the ingest time, tagged, when the record has no time', () => {
    const r = normalizeEvent({ message: 'x' }, ctx);
    expect(r.ok && r.event['@timestamp']).toBe('2026-12-04T19:51:25.123Z');
    expect(r.ok && r.event.tags).toEqual([TIMESTAMP_FROM_INGEST]);
  });

  it('never throws on odd input', () => {
    expect(normalizeEvent(null as never, ctx).ok).toBe(false);
    expect(normalizeEvent({ '@timestamp': 1e20 }, ctx).ok).toBe(false);
    expect(normalizeEvent({ '@timestamp': 0, source: 'x' }, { ...ctx, ingestedAt: Number.NaN }).ok).toBe(
      true,
    );
  });
});
