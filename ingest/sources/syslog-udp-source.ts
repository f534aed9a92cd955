// Syslog over UDP: one datagram is one message. UDP gives no backpressure, so when the log falls
// behind the buffer is bounded and the overflow is counted as dropped (a sender would lose it anyway).
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { logger } from '../../kernel/logger.ts';
import type { EventLog } from '../log/types.ts';
import { BatchingAppender, type BatchingAppenderOptions } from './batching-appender.ts';
import { sourceDropped, sourceLines } from './metrics.ts';
import { deferred, type Source } from './source.ts';

export interface SyslogUdpSourceOptions extends BatchingAppenderOptions {
  log: EventLog;
  sensor: string;
  topic: string;
  /** 0 picks a free port (see `address()`). */
  port: number;
  host?: string;
}

/** Strips the trailing newline/NUL many senders add; the message bytes are otherwise untouched. */
export function trimDatagram(msg: Buffer): Buffer {
  let end = msg.length;
  while (end > 0 && (msg[end - 1] === 0x0a || msg[end - 1] === 0x0d || msg[end - 1] === 0)) end--;
  return end === msg.length ? msg : msg.subarray(0, end);
}

export class SyslogUdpSource implements Source {
  readonly type = 'syslog-udp' as const;
  readonly sensor: string;
  readonly topic: string;
  private socket: Socket | null = null;
  private appender: BatchingAppender;
  private readonly finished = deferred();

  constructor(private readonly options: SyslogUdpSourceOptions) {
    this.sensor = options.sensor;
    this.topic = options.topic;
    this.appender = new BatchingAppender(options.log, options.topic, options);
  }

  get done(): Promise<void> {
    return this.finished.promise;
  }

  address(): { address: string; port: number } {
    if (this.socket === null) throw new Error('syslog-udp source is not started');
    return this.socket.address();
  }

  async start(): Promise<void> {
    await this.options.log.ensureTopic(this.topic);
    const host = this.options.host ?? '0.0.0.0';
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address));
    await new Promise<void>((res, rej) => {
      socket.once('error', rej);
      socket.bind(this.options.port, host, () => {
        socket.off('error', rej);
        res();
      });
    });
    socket.on('error', (err) =>
      logger.error({ err, sensor: this.sensor }, 'syslog-udp source: socket error'),
    );
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) await new Promise<void>((res) => socket.close(() => res()));
    await this.appender.flush().catch(() => {});
    this.finished.resolve();
  }

  private receive(msg: Buffer, peer: string): void {
    const line = trimDatagram(msg);
    if (line.length === 0) return;
    const labels = { type: this.type, sensor: this.sensor };
    const queued = this.appender.add([line], peer);
    if (queued === null) {
      sourceDropped.inc(labels);
      return;
    }
    queued.then(
      () => sourceLines.inc(labels),
      (err) => {
        sourceDropped.inc(labels);
        logger.error({ err, sensor: this.sensor }, 'syslog-udp source: append failed');
      },
    );
  }
}
