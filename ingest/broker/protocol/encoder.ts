// A growable big-endian writer for the Kafka wire format, including the varint/zigzag and compact
// (unsigned varint length + 1) forms that RecordBatch v2 and flexible versions use.

/** Bytes a zigzag varint of `v` (32-bit) takes. */
export function varintSize(v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (u >= 0x80) {
    u >>>= 7;
    n++;
  }
  return n;
}

/** Bytes a zigzag varlong of `v` takes (exact for any safe integer). */
export function varlongSize(v: number): number {
  if (v >= -0x80000000 && v <= 0x7fffffff) return varintSize(v);
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

export class Encoder {
  private buf: Buffer;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Empties the buffer for reuse without releasing it. */
  reset(): void {
    this.pos = 0;
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** Unsigned LEB128 varint (lengths in flexible versions). */
  uvarint(v: number): this {
    this.ensure(5);
    let value = v >>> 0;
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
    return this;
  }

  /** Zigzag varint (signed 32-bit) as used inside records. */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zigzag varlong (signed 64-bit) as used for record timestamp and offset deltas. */
  varlong(v: number | bigint): this {
    // Deltas inside a batch are small: zigzag64 of a 32-bit value is its zigzag32.
    if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) return this.varint(v);
    let value = BigInt(v);
    value = (value << 1n) ^ (value >> 63n);
    value = BigInt.asUintN(64, value);
    this.ensure(10);
    while (value >= 0x80n) {
      this.buf[this.pos++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buf[this.pos++] = Number(value);
    return this;
  }

  raw(bytes: Buffer): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos); // TypedArray.set beats Buffer.copy for the small pieces written here
    this.pos += bytes.length;
    return this;
  }

  string(v: string | null, compact = false): this {
    if (v === null) return compact ? this.uvarint(0) : this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    if (compact) this.uvarint(bytes.length + 1);
    else this.int16(bytes.length);
    return this.raw(bytes);
  }

  bytes(v: Buffer | null, compact = false): this {
    if (v === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (compact) this.uvarint(v.length + 1);
    else this.int32(v.length);
    return this.raw(v);
  }

  arrayLength(n: number | null, compact = false): this {
    if (n === null) return compact ? this.uvarint(0) : this.int32(-1);
    return compact ? this.uvarint(n + 1) : this.int32(n);
  }

  /** Overwrites 4 bytes at `at` (used to back-fill lengths and CRCs). */
  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  patchUInt32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(start = 0, end = this.pos): Buffer {
    return this.buf.subarray(start, end);
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
