// A consumer group's durable record: committed offsets, the stage state, and the outputs of its last
// transaction. Writing this file (tmp + fsync + rename) is a transaction's commit point; the outputs
// are then appended to their partitions, and re-appended at open if a crash came in between.
//
// File: u32 magic 'VGG1', u32 crc32 of the rest, u32 meta length, meta JSON, u32 state length
// (0xffffffff = no state), state, then per output: u32 length, an encoded batch (batch-format.ts).
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { TopicPartitionOffset } from '../types.ts';

const MAGIC = 0x31474756; // 'VGG1'
const NO_STATE = 0xffffffff;

export interface PendingOutput {
  topic: string;
  partition: number;
  /** An encoded batch (base offset 0); its records are appended when the transaction applies. */
  batch: Buffer;
}

export interface GroupRecord {
  group: string;
  seq: number;
  offsets: TopicPartitionOffset[];
  state: Buffer | null;
  outputs: PendingOutput[];
}

export class GroupStore {
  private readonly dir: string;
  private readonly cache = new Map<string, GroupRecord>();

  constructor(
    root: string,
    private readonly fsync: boolean,
  ) {
    this.dir = join(root, 'groups');
    mkdirSync(this.dir, { recursive: true });
  }

  private path(group: string): string {
    return join(this.dir, `${encodeURIComponent(group)}.group`);
  }

  get(group: string): GroupRecord {
    const cached = this.cache.get(group);
    if (cached) return cached;
    const path = this.path(group);
    const record = existsSync(path)
      ? decode(readFileSync(path), path)
      : { group, seq: 0, offsets: [], state: null, outputs: [] };
    this.cache.set(group, record);
    return record;
  }

  all(): GroupRecord[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.group'))
      .map((f) => this.get(decodeURIComponent(f.slice(0, -6))));
  }

  /** Durably replaces the group's record: the commit point of a transaction. */
  put(record: GroupRecord): void {
    const bytes = encode(record);
    const path = this.path(record.group);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    if (this.fsync) fdatasyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    if (this.fsync) {
      const dirFd = openSync(this.dir, 'r');
      fdatasyncSync(dirFd);
      closeSync(dirFd);
    }
    this.cache.set(record.group, record);
  }
}

function encode(r: GroupRecord): Buffer {
  const meta = Buffer.from(
    JSON.stringify({
      group: r.group,
      seq: r.seq,
      offsets: r.offsets,
      outputs: r.outputs.map((o) => ({ topic: o.topic, partition: o.partition })),
    }),
  );
  const parts: Buffer[] = [Buffer.alloc(12), meta];
  const stateLen = Buffer.alloc(4);
  stateLen.writeUInt32LE(r.state ? r.state.length : NO_STATE);
  parts.push(stateLen);
  if (r.state) parts.push(r.state);
  for (const o of r.outputs) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(o.batch.length);
    parts.push(len, o.batch);
  }
  const buf = Buffer.concat(parts);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(meta.length, 8);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

function decode(buf: Buffer, path: string): GroupRecord {
  if (buf.length < 12 || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== crc32(buf.subarray(8))) {
    // Never happens through rename unless the disk lies; refuse rather than guess offsets.
    throw new Error(`consumer group file ${path} is corrupt (bad magic or CRC)`);
  }
  const metaLen = buf.readUInt32LE(8);
  const meta = JSON.parse(buf.toString('utf8', 12, 12 + metaLen));
  let pos = 12 + metaLen;
  const stateLen = buf.readUInt32LE(pos);
  pos += 4;
  let state: Buffer | null = null;
  if (stateLen !== NO_STATE) {
    state = Buffer.from(buf.subarray(pos, pos + stateLen));
    pos += stateLen;
  }
  const outputs: PendingOutput[] = [];
  for (const o of meta.outputs as { topic: string; partition: number }[]) {
    const len = buf.readUInt32LE(pos);
    pos += 4;
    outputs.push({
      topic: o.topic,
      partition: o.partition,
      batch: Buffer.from(buf.subarray(pos, pos + len)),
    });
    pos += len;
  }
  return { group: meta.group, seq: meta.seq, offsets: meta.offsets, state, outputs };
}
