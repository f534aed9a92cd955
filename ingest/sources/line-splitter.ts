// Splits a byte stream into lines without decoding it: the raw bytes reach the log untouched, so a
// line that is not valid UTF-8 can still be kept byte for byte in an error record.

const LF = 0x0a;
const CR = 0x0d;

/**
 * Longest line kept whole; a longer run without a newline is cut so memory stays bounded and every
 * raw record fits the log's record limit (1 MiB by default) with room for key and headers.
 */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feeds a chunk; returns the lines it completed (without their `\n` / `\r\n`, blank lines skipped). */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(LF, start); nl !== -1; nl = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      this.emit(this.pendingBytes > 0 ? this.takePending(piece) : piece, lines);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
      // An over-long line is passed on in pieces (the parser turns them into error records) rather
      // than buffered without limit.
      while (this.pendingBytes >= this.maxLineBytes) {
        const all = this.takePending(Buffer.alloc(0));
        lines.push(all.subarray(0, this.maxLineBytes));
        const tail = all.subarray(this.maxLineBytes);
        if (tail.length > 0) {
          this.pending.push(tail);
          this.pendingBytes = tail.length;
        }
      }
    }
    return lines;
  }

  /** Ends the stream: a last line without a newline is still a line. */
  end(): Buffer[] {
    if (this.pendingBytes === 0) return [];
    const lines: Buffer[] = [];
    this.emit(this.takePending(Buffer.alloc(0)), lines);
    return lines;
  }

  /** Bytes held back as the start of an unfinished line. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private takePending(last: Buffer): Buffer {
    const all = Buffer.concat([...this.pending, last]);
    this.pending = [];
    this.pendingBytes = 0;
    // Copy out of the (possibly large) source chunk so retained lines don't pin it.
    return all;
  }

  private emit(line: Buffer, out: Buffer[]): void {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    if (end > 0) out.push(end === line.length ? line : line.subarray(0, end));
  }
}

/** Splits a whole buffer into lines (blank lines skipped, trailing `\r` dropped, long lines cut). */
export function splitLines(data: Buffer, maxLineBytes = DEFAULT_MAX_LINE_BYTES): Buffer[] {
  const splitter = new LineSplitter(maxLineBytes);
  return [...splitter.push(data), ...splitter.end()];
}
