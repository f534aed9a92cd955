// Syslog over TCP with RFC 6587 framing (octet counting or newline, per frame). Each connection is
// paused until its frames are in the log, so a slow log pushes back on the senders.
import { createServer, type Server, type Socket } from 'node:net';
import { logger } from '../../kernel/logger.ts';
import type { EventLog } from '../log/types.ts';
import { BatchingAppender, type BatchingAppenderOptions } from './batching-appender.ts';
import { sourceDropped, sourceLines } from './metrics.ts';
import { deferred, type Source } from './source.ts';
import { SyslogFrameDecoder } from './syslog-framing.ts';

export interface SyslogTcpSourceOptions extends BatchingAppenderOptions {
  log: EventLog;
  sensor: string;
  topic: string;
  /** 0 picks a free port (see `address()`). */
  port: number;
  host?: string;
  maxFrameBytes?: number;
}

export class SyslogTcpSource implements Source {
  readonly type = 'syslog-tcp' as const;
  readonly sensor: string;
  readonly topic: string;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly appender: BatchingAppender;
  private readonly finished = deferred();

  constructor(private readonly options: SyslogTcpSourceOptions) {
    this.sensor = options.sensor;
    this.topic = options.topic;
    // Under backpressure a connection waits rather than losing frames, so the buffer need not refuse.
    this.appender = new BatchingAppender(options.log, options.topic, {
      ...options,
      maxPending: Number.MAX_SAFE_INTEGER,
    });
  }

  get done(): Promise<void> {
    return this.finished.promise;
  }

  address(): { address: string; port: number } {
    const addr = this.server?.address();
    if (addr === null || addr === undefined || typeof addr === 'string') {
      throw new Error('syslog-tcp source is not started');
    }
    return addr;
  }

  async start(): Promise<void> {
    await this.options.log.ensureTopic(this.topic);
    const server = createServer((socket) => this.connection(socket));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        server.off('error', rej);
        res();
      });
    });
    server.on('error', (err) =>
      logger.error({ err, sensor: this.sensor }, 'syslog-tcp source: server error'),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server !== null) {
      const closed = new Promise<void>((res) => server.close(() => res()));
      // Let each connection hand over what it already received before closing it.
      for (const socket of this.sockets) socket.end();
      await Promise.race([closed, new Promise((res) => setTimeout(res, 1000))]);
      for (const socket of this.sockets) socket.destroy();
      await closed;
    }
    await this.appender.flush().catch(() => {});
    this.finished.resolve();
  }

  private connection(socket: Socket): void {
    this.sockets.add(socket);
    const decoder = new SyslogFrameDecoder(this.options.maxFrameBytes);
    const peer = socket.remoteAddress ?? 'unknown';
    const labels = { type: this.type, sensor: this.sensor };
    let queue: Promise<void> = Promise.resolve();
    const hand = (frames: Buffer[]) => {
      if (frames.length === 0) return;
      const appended = this.appender.add(frames, peer);
      if (appended === null) return; // unreachable: the buffer is unbounded
      socket.pause();
      queue = queue
        .then(() => appended)
        .then(
          () => sourceLines.inc(labels, frames.length),
          (err) => {
            sourceDropped.inc(labels, frames.length);
            logger.error({ err, sensor: this.sensor, peer }, 'syslog-tcp source: append failed');
          },
        )
        .finally(() => {
          if (!socket.destroyed) socket.resume();
        });
    };
    socket.on('data', (chunk: Buffer) => hand(decoder.push(chunk)));
    socket.on('end', () => hand(decoder.end()));
    socket.on('error', (err) =>
      logger.warn({ err, sensor: this.sensor, peer }, 'syslog-tcp source: connection error'),
    );
    socket.on('close', () => this.sockets.delete(socket));
  }
}
