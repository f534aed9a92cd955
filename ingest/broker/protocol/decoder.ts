// A big-endian reader for the Kafka wire format; throws ProtocolDecodeError on truncated input so a
// malformed request becomes an error response instead of a crash.

export class ProtocolDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolDecodeError';
  }
}

export class Decoder {
  offset = 0;

  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) {
      throw new ProtocolDecodeError(`truncated: need ${n} bytes at ${this.offset}, have ${this.remaining}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** int64 as a JS number: offsets, timestamps and producer ids all fit in 53 bits. */
  int64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return Number(v);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const byte = this.buf[this.offset++]!;
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new ProtocolDecodeError('varint too long');
    }
    return result >>> 0;
  }

  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  varlong(): number {
    // Fast path: up to 4 bytes (28 bits) stays exact in a JS number.
    const start = this.offset;
    let small = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      this.need(1);
      const byte = this.buf[this.offset++]!;
      small |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (small >>> 1) ^ -(small & 1);
    }
    this.offset = start;
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1);
      const byte = this.buf[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new ProtocolDecodeError('varlong too long');
    }
    return Number((result >> 1n) ^ -(result & 1n));
  }

  raw(n: number): Buffer {
    if (n < 0) throw new ProtocolDecodeError(`negative length ${n}`);
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  string(compact = false): string | null {
    const len = compact ? this.uvarint() - 1 : this.int16();
    if (len < 0) return null;
    return this.raw(len).toString('utf8');
  }

  bytes(compact = false): Buffer | null {
    const len = compact ? this.uvarint() - 1 : this.int32();
    if (len < 0) return null;
    return this.raw(len);
  }

  /** Varint-length bytes inside a record (-1 = null). */
  varBytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    return this.raw(len);
  }

  arrayLength(compact = false): number {
    return compact ? this.uvarint() - 1 : this.int32();
  }

  /** Skips a tagged-field section (flexible versions); Vigil reads no tagged fields. */
  skipTaggedFields(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.raw(this.uvarint());
    }
  }
}
