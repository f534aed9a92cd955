// Event-time windows aligned to the epoch: tumbling (advance = size) or hopping (advance < size).

/** Starts of every window [start, start + size) that contains `time`, newest first. */
export function windowStarts(time: number, sizeMs: number, advanceMs: number, out: number[] = []): number[] {
  out.length = 0;
  for (let s = Math.floor(time / advanceMs) * advanceMs; s + sizeMs > time; s -= advanceMs) out.push(s);
  return out;
}
