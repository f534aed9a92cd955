import { describe, expect, it } from 'vitest';
import { CsvParser } from './csv.ts';
import { splitDelimited } from './csv-line.ts';

describe('splitDelimited', () => {
  it('follows RFC 4180 quoting', () => {
    expect(splitDelimited('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(splitDelimited('x|y', '|')).toEqual(['x', 'y']);
    expect(typeof splitDelimited('"open')).toBe('string');
  });
});

describe('CsvParser', () => {
  const p = new CsvParser({
    columns: ['time', 'src', 'dst', 'action'],
    fields: { src: 'source.ip', dst: 'destination.ip' },
    timestampField: 'time',
  });

  it('maps columns and keeps the others under csv', () => {
    expect(p.parse('2024-01-01T00:00:00Z,10.0.0.1,10.0.0.2,allow')).toEqual({
      ok: true,
      events: [
        {
          '@timestamp': '2024-01-01T00:00:00.000Z',
          event: { kind: 'event' },
          source: { ip: '10.0.0.1' },
          destination: { ip: '10.0.0.2' },
          csv: { action: 'allow' },
        },
      ],
    });
  });

  it('skips the header line and rejects wrong column counts and bad times', () => {
    expect(p.parse('time,src,dst,action')).toEqual({ ok: true, events: [] });
    expect(p.parse('a,b')).toMatchObject({ ok: false, kind: 'parse' });
    expect(p.parse('never,1.1.1.1,2.2.2.2,x')).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
