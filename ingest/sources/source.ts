// A source appends raw lines from outside (files, stdin, syslog) to one sensor's raw topic.

export interface Source {
  readonly type: 'file' | 'stdin' | 'syslog-udp' | 'syslog-tcp';
  readonly sensor: string;
  /** The raw topic it appends to. */
  readonly topic: string;
  /** Creates the raw topic if needed and begins appending; resolves once it is listening/reading. */
  start(): Promise<void>;
  /** Stops reading, appends what is already read, releases files and sockets. */
  stop(): Promise<void>;
  /** Settles when a bounded source (a file read once, stdin) has appended all its input, or on stop. */
  readonly done: Promise<void>;
}

export interface SourceProgress {
  bytes: number;
  lines: number;
}

/** A promise plus its resolvers, for `done`. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // `done` may legitimately never be awaited; don't let its rejection crash the process.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
