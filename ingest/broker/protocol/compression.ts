// Decompression of record-batch payloads: gzip (zlib), snappy (raw or xerial-framed, as Java
// clients write it), lz4 (frame format, KIP-57) and zstd (pure-JS decoder). The broker stores
// records uncompressed and serves them uncompressed, so it only ever decompresses.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { compressFrame, decompressFrame } from 'lz4-napi';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCodec = (typeof Compression)[keyof typeof Compression];

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

async function unsnappy(data: Buffer): Promise<Buffer> {
  if (data.length < 16 || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return (await snappyUncompress(data)) as Buffer;
  }
  // xerial framing: magic, version, compatible version, then [int32 length, raw snappy block]*
  const parts: Buffer[] = [];
  let pos = 16;
  while (pos + 4 <= data.length) {
    const len = data.readInt32BE(pos);
    pos += 4;
    parts.push((await snappyUncompress(data.subarray(pos, pos + len))) as Buffer);
    pos += len;
  }
  return Buffer.concat(parts);
}

export async function decompress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gunzipAsync(data);
    case Compression.snappy:
      return unsnappy(data);
    case Compression.lz4:
      return decompressFrame(data);
    case Compression.zstd:
      return Buffer.from(zstdDecompress(data));
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}

/** Compression for producers written with this codec (tests, benchmarks); zstd is decode-only. */
export async function compress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gzipAsync(data);
    case Compression.snappy:
      return snappyCompress(data);
    case Compression.lz4:
      return compressFrame(data);
    default:
      throw new Error(`compression codec ${codec} is not available for writing`);
  }
}
