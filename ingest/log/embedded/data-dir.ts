// The embedded log's directory: a format marker (refuse what is not ours or is of another version)
// and a lock file holding the owner's pid (one writer across processes).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LogError } from '../types.ts';

export const FORMAT_NAME = 'vigil-embedded-log';
export const FORMAT_VERSION = 1;
const MARKER = 'vigil-log.json';
const LOCK = 'LOCK';

/** Locks held by this process: a second open in the same process is refused like one from another. */
const heldHere = new Set<string>();

export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const markerPath = join(dir, MARKER);
  if (!existsSync(markerPath)) {
    const entries = readdirSync(dir).filter((e) => e !== LOCK);
    if (entries.length > 0) {
      throw new LogError(
        `${dir} is not a Vigil log directory (no ${MARKER}, and it holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); refusing to write into it`,
        'NOT_A_DATA_DIR',
      );
    }
    writeFileSync(markerPath, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
    return;
  }
  let marker: { format?: string; version?: number };
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8'));
  } catch (err) {
    throw new LogError(
      `${markerPath} is unreadable (${(err as Error).message}); refusing to open`,
      'NOT_A_DATA_DIR',
    );
  }
  if (marker.format !== FORMAT_NAME) {
    throw new LogError(
      `${dir} holds '${marker.format}', not a ${FORMAT_NAME}; refusing to open`,
      'NOT_A_DATA_DIR',
    );
  }
  if (marker.version !== FORMAT_VERSION) {
    throw new LogError(
      `${dir} is format version ${marker.version}; this Vigil reads version ${FORMAT_VERSION} only`,
      'INCOMPATIBLE_FORMAT',
    );
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock, or throws naming the pid that holds it. Returns the release function. */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK);
  if (heldHere.has(path)) {
    throw new LogError(`${dir} is already open in this process (pid ${process.pid})`, 'LOCKED');
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isFinite(holder) && holder !== process.pid && pidAlive(holder)) {
        throw new LogError(
          `${dir} is locked by another Vigil process (pid ${holder}); stop it or go through its API`,
          'LOCKED',
        );
      }
      rmSync(path, { force: true }); // stale lock of a dead process
    }
  }
  throw new LogError(`could not take the lock on ${dir}`, 'LOCKED');
}
