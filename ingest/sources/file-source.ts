// A file to a raw topic: read once, or followed like `tail -F` across rotation (rename + new file)
// and truncation (copytruncate). The read position is stored with the appended lines in one log
// transaction (as a consumer group's state), so a restart neither re-reads nor skips a line.
import { createHash } from 'node:crypto';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { logger } from '../../kernel/logger.ts';
import type { EventLog } from '../log/types.ts';
import { splitLines } from './line-splitter.ts';
import { sourceLines } from './metrics.ts';
import { rawRecords } from './raw-lines.ts';
import { deferred, type Source, type SourceProgress } from './source.ts';

const CHUNK_BYTES = 1 << 20;
/** Bytes at the head of a file that identify it (with dev+inode) across restarts and inode reuse. */
const HEAD_BYTES = 256;
const LF = 0x0a;

export interface FileSourceOptions {
  log: EventLog;
  sensor: string;
  topic: string;
  path: string;
  /** Keep reading as the file grows and across rotation; otherwise stop at its end. */
  follow?: boolean;
  /** How often a followed file is checked for growth and rotation. */
  pollMs?: number;
  /** Where to begin in a file with no stored position. */
  startAt?: 'beginning' | 'end';
  /** Consumer group holding the position; defaults to one derived from the path. */
  positionGroup?: string;
  onProgress?: (progress: SourceProgress) => void;
}

/** The durable read position: which file (dev, inode, head bytes) and how far. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  position: number;
  headLen: number;
  head: string;
}

interface OpenFile {
  fh: FileHandle;
  path: string;
  dev: number;
  ino: number;
  position: number;
  headLen: number;
  head: string;
}

export function filePositionGroup(path: string): string {
  return `source.file.${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 16)}`;
}

const headHash = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return bytesRead === length ? buf : buf.subarray(0, bytesRead);
}

export class FileSource implements Source {
  readonly type = 'file' as const;
  readonly sensor: string;
  readonly topic: string;
  readonly path: string;
  readonly positionGroup: string;
  readonly progress: SourceProgress = { bytes: 0, lines: 0 };
  private readonly follow: boolean;
  private readonly pollMs: number;
  private current: OpenFile | null = null;
  private stopping = false;
  private running = false;
  private wake: (() => void) | null = null;
  private readonly finished = deferred();

  constructor(private readonly options: FileSourceOptions) {
    this.sensor = options.sensor;
    this.topic = options.topic;
    this.path = resolve(options.path);
    this.follow = options.follow ?? false;
    this.pollMs = options.pollMs ?? 250;
    this.positionGroup = options.positionGroup ?? filePositionGroup(this.path);
  }

  get done(): Promise<void> {
    return this.finished.promise;
  }

  async start(): Promise<void> {
    const log = this.options.log;
    await log.ensureTopic(this.topic);
    const saved = await this.loadPosition();
    if (saved !== null) await this.drainRotatedPredecessor(saved);
    this.current = await this.openPath(saved);
    if (this.current === null && !this.follow) throw new Error(`file source: ${this.path} does not exist`);
    this.running = true;
    this.run().then(this.finished.resolve, this.finished.reject);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Never started (or start failed): there is nothing to wait for.
    if (!this.running) this.finished.resolve();
    this.wake?.();
    await this.done.catch(() => {});
  }

  /** The position stored in the log, or null when this file was never read. */
  async loadPosition(): Promise<FilePosition | null> {
    const { state } = await this.options.log.groupState(this.positionGroup);
    if (state === null || state.length === 0) return null;
    try {
      return JSON.parse(state.toString('utf8')) as FilePosition;
    } catch {
      return null;
    }
  }

  private async run(): Promise<void> {
    try {
      await this.loop();
    } finally {
      // The handle is released here, not in stop(), so a file read once is closed when it is done.
      await this.current?.fh.close().catch(() => {});
      this.current = null;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.current !== null) await this.readToEnd(this.current, !this.follow);
        if (!this.follow) return;
        await this.checkRotation();
      } catch (e) {
        if (!this.follow) throw e;
        // A followed file outlives transient errors (log briefly unavailable, file mid-rotation).
        logger.warn({ err: e, path: this.path, sensor: this.sensor }, 'file source: read failed, retrying');
      }
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((res) => {
      const timer = setTimeout(() => {
        this.wake = null;
        res();
      }, this.pollMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        res();
      };
    });
  }

  /**
   * Opens the file at the path, resuming at the stored position when it is the same file, else at
   * its start (or end, when configured and nothing was stored). Null when it does not exist (yet).
   */
  private async openPath(saved: FilePosition | null): Promise<OpenFile | null> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const st = await fh.stat();
    const file: OpenFile = {
      fh,
      path: this.path,
      dev: st.dev,
      ino: st.ino,
      position: 0,
      headLen: 0,
      head: '',
    };
    if (saved !== null && saved.dev === st.dev && saved.ino === st.ino && (await this.sameHead(fh, saved))) {
      if (st.size >= saved.position) {
        file.position = saved.position;
        file.headLen = saved.headLen;
        file.head = saved.head;
      }
    } else if (saved === null && this.options.startAt === 'end') {
      file.position = st.size;
      await this.refreshHead(file);
    }
    return file;
  }

  private async refreshHead(file: OpenFile): Promise<void> {
    const head = await readAt(file.fh, 0, Math.min(HEAD_BYTES, file.position));
    file.headLen = head.length;
    file.head = head.length > 0 ? headHash(head) : '';
  }

  private async sameHead(fh: FileHandle, saved: FilePosition): Promise<boolean> {
    if (saved.headLen === 0) return true;
    const head = await readAt(fh, 0, saved.headLen);
    return head.length === saved.headLen && headHash(head) === saved.head;
  }

  /**
   * After a restart the stored file may have been rotated away (renamed beside the path): finish it
   * first, so the lines written to it while we were down are not skipped.
   */
  private async drainRotatedPredecessor(saved: FilePosition): Promise<void> {
    try {
      const st = await stat(this.path);
      if (st.dev === saved.dev && st.ino === saved.ino) return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const dir = dirname(this.path);
    const prefix = basename(this.path);
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix) || name === prefix) continue;
      const candidate = join(dir, name);
      const st = await stat(candidate).catch(() => null);
      if (st === null || st.dev !== saved.dev || st.ino !== saved.ino || st.size < saved.position) continue;
      const fh = await open(candidate, 'r');
      try {
        if (!(await this.sameHead(fh, saved))) continue;
        const file: OpenFile = {
          fh,
          path: candidate,
          dev: st.dev,
          ino: st.ino,
          position: saved.position,
          headLen: saved.headLen,
          head: saved.head,
        };
        await this.readToEnd(file, true);
      } finally {
        await fh.close();
      }
      return;
    }
  }

  /** Follow mode, at end of file: switch to a new file at the path, or start over after truncation. */
  private async checkRotation(): Promise<void> {
    const st = await stat(this.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (st === null) return; // renamed away and not yet recreated: keep the old handle
    const cur = this.current;
    if (cur === null || st.dev !== cur.dev || st.ino !== cur.ino) {
      if (cur !== null) {
        // The writer may have added to the old file just before the rename: finish it.
        await this.readToEnd(cur, true);
        await cur.fh.close();
        logger.info(
          { path: this.path, sensor: this.sensor },
          'file source: file rotated, following the new one',
        );
      }
      this.current = await this.openPath(null);
      if (this.current !== null && this.options.startAt === 'end') {
        // startAt applies to the first file only: a rotated-in file is read from its start.
        this.current.position = 0;
        this.current.headLen = 0;
        this.current.head = '';
      }
      return;
    }
    const truncated = st.size < cur.position || (cur.headLen > 0 && !(await this.sameHead(cur.fh, cur)));
    if (truncated) {
      logger.info(
        { path: this.path, sensor: this.sensor },
        'file source: file truncated, reading from its start',
      );
      cur.position = 0;
      cur.headLen = 0;
      cur.head = '';
    }
  }

  /**
   * Appends every complete line from the position to the end of the file, each chunk in one
   * transaction with the new position. `final`: the file will not grow, so a last line without a
   * newline is a line too.
   */
  private async readToEnd(file: OpenFile, final: boolean): Promise<void> {
    while (!this.stopping || final) {
      const chunk = await readAt(file.fh, file.position, CHUNK_BYTES);
      if (chunk.length === 0) return;
      const lastLf = chunk.lastIndexOf(LF);
      let consumed: number;
      if (lastLf !== -1) consumed = lastLf + 1;
      else if (chunk.length === CHUNK_BYTES || final)
        consumed = chunk.length; // over-long or last line
      else return; // a line still being written
      await this.commit(file, splitLines(chunk.subarray(0, consumed)), consumed);
      if (chunk.length < CHUNK_BYTES && consumed === chunk.length) return;
    }
  }

  private async commit(file: OpenFile, lines: Buffer[], consumed: number): Promise<void> {
    const next = { ...file, position: file.position + consumed };
    if (next.headLen < HEAD_BYTES && next.position > next.headLen) await this.refreshHead(next);
    const position: FilePosition = {
      path: file.path,
      dev: next.dev,
      ino: next.ino,
      position: next.position,
      headLen: next.headLen,
      head: next.head,
    };
    await this.options.log.transact({
      group: this.positionGroup,
      outputs:
        lines.length > 0 ? [{ topic: this.topic, records: rawRecords(lines, this.path, Date.now()) }] : [],
      offsets: [],
      state: Buffer.from(JSON.stringify(position)),
    });
    file.position = next.position;
    file.headLen = next.headLen;
    file.head = next.head;
    this.progress.bytes += consumed;
    this.progress.lines += lines.length;
    sourceLines.inc({ type: this.type, sensor: this.sensor }, lines.length);
    this.options.onProgress?.(this.progress);
  }
}
