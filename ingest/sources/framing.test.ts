import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from './line-splitter.ts';
import { SyslogFrameDecoder } from './syslog-framing.ts';

const s = (bufs: Buffer[]) => bufs.map((b) => b.toString('latin1'));

describe('LineSplitter', () => {
  it('joins lines across chunks, drops CR and blank lines, keeps bytes', () => {
    const sp = new LineSplitter();
    expect(s(sp.push(Buffer.from('a\r\nb')))).toEqual(['a']);
    expect(s(sp.push(Buffer.from('c\n\n\xff\xfe', 'latin1')))).toEqual(['bc']);
    expect(sp.bufferedBytes).toBe(2);
    expect(s(sp.end())).toEqual(['\xff\xfe']);
    expect(s(splitLines(Buffer.from('x\ny\n')))).toEqual(['x', 'y']);
  });

  it('cuts a line longer than the limit instead of buffering it forever', () => {
    const sp = new LineSplitter(4);
    expect(s(sp.push(Buffer.from('abcdefghij')))).toEqual(['abcd', 'efgh']);
    expect(s(sp.push(Buffer.from('k\n')))).toEqual(['ijk']);
  });
});

describe('SyslogFrameDecoder (RFC 6587)', () => {
  it('decodes octet-counted frames split anywhere, including ones holding newlines', () => {
    const msg1 = '<34>1 2026-12-04T19:51:25Z host app - - - hello\nworld';
    const msg2 = '<13>Dec  4 19:51:25 host app: second';
    const wire = Buffer.from(`${Buffer.byteLength(msg1)} ${msg1}${Buffer.byteLength(msg2)} ${msg2}`);
    for (let cut = 1; cut < wire.length; cut += 7) {
      const d = new SyslogFrameDecoder();
      const frames = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut)), ...d.end()];
      expect(s(frames)).toEqual([msg1, msg2]);
    }
  });

  it('decodes newline framing and mixes both methods on one connection', () => {
    const d = new SyslogFrameDecoder();
    const frames = d.push(Buffer.from('<13>one\r\n5 <13>x<13>two\n<13>par'));
    expect(s(frames)).toEqual(['<13>one', '<13>x', '<13>two']);
    expect(s(d.end())).toEqual(['<13>par']);
  });

  it('treats digits without a following space as a newline-framed message', () => {
    const d = new SyslogFrameDecoder();
    expect(s(d.push(Buffer.from('123abc\n')))).toEqual(['123abc']);
  });
});
