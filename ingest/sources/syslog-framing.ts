// Syslog over TCP framing (RFC 6587): octet counting (`<len> <msg>`) and non-transparent framing
// (a message ends at LF). Senders may mix them, so the method is chosen per frame: a frame that
// starts with a digit is octet-counted (a syslog message itself starts with `<`).
import { DEFAULT_MAX_LINE_BYTES } from './line-splitter.ts';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const MAX_LENGTH_DIGITS = 9;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

export class SyslogFrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feeds bytes from the connection; returns the complete frames (message bytes only). */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos < this.buf.length) {
      const next = this.frameAt(pos, frames);
      if (next === -1) break;
      pos = next;
    }
    this.buf = pos === 0 ? this.buf : Buffer.from(this.buf.subarray(pos));
    return frames;
  }

  /** The connection closed: whatever is left is passed on as a last frame rather than dropped. */
  end(): Buffer[] {
    const rest = trimLineEnd(this.buf);
    this.buf = Buffer.alloc(0);
    return rest.length > 0 ? [rest] : [];
  }

  /** Decodes the frame starting at `pos`; returns the position after it, or -1 when incomplete. */
  private frameAt(pos: number, frames: Buffer[]): number {
    const buf = this.buf;
    // Stray line ends between frames are not messages.
    if (buf[pos] === LF || buf[pos] === CR) return pos + 1;
    if (isDigit(buf[pos]) && buf[pos] !== 0x30) {
      let i = pos;
      while (i < buf.length && isDigit(buf[i]) && i - pos < MAX_LENGTH_DIGITS) i++;
      if (i === buf.length) return -1;
      const length = Number(buf.toString('latin1', pos, i));
      if (buf[i] === SP && length <= this.maxFrameBytes) {
        const start = i + 1;
        if (buf.length - start < length) return -1;
        frames.push(buf.subarray(start, start + length));
        return start + length;
      }
      // Digits not followed by a space (or an absurd length): not an octet count, so newline-framed.
    }
    const nl = buf.indexOf(LF, pos);
    if (nl === -1) {
      if (buf.length - pos < this.maxFrameBytes) return -1;
      frames.push(buf.subarray(pos, pos + this.maxFrameBytes));
      return pos + this.maxFrameBytes;
    }
    const frame = trimLineEnd(buf.subarray(pos, nl));
    if (frame.length > 0) frames.push(frame);
    return nl + 1;
  }
}

function trimLineEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === LF || b[end - 1] === CR || b[end - 1] === 0)) end--;
  return end === b.length ? b : b.subarray(0, end);
}
