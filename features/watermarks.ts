// Event-time progress. Each input partition's watermark is the newest event time it has delivered
// minus the allowed lateness; the stage's watermark is the minimum over partitions, and a window
// closes when it passes the window's end. An event is late when its window ended at or before its
// own partition's watermark (or the closed frontier): that depends only on the partition's prefix,
// never on how partitions interleave, so live and replay agree on which events are late.

export class Watermarks {
  private readonly marks = new Map<string, number>();
  /** Everything ending at or before this has been emitted. */
  frontier = Number.NEGATIVE_INFINITY;

  constructor(
    public allowedLatenessMs: number,
    /** Partitions expected to deliver (e.g. `events.enriched/0`): unseen ones hold the watermark back. */
    private readonly expected: readonly string[] = [],
  ) {}

  /** The bound at or below which a window end is late for an event from this partition. */
  lateBound(partition: string): number {
    const m = this.marks.get(partition) ?? Number.NEGATIVE_INFINITY;
    return Math.max(m, this.frontier);
  }

  observe(partition: string, eventTime: number): void {
    const m = eventTime - this.allowedLatenessMs;
    const prev = this.marks.get(partition);
    if (prev === undefined || m > prev) this.marks.set(partition, m);
  }

  /** Minimum over the expected and seen partitions (−∞ while an expected one has not delivered). */
  low(): number {
    let low = Number.POSITIVE_INFINITY;
    for (const p of this.expected) if (!this.marks.has(p)) return Number.NEGATIVE_INFINITY;
    for (const m of this.marks.values()) if (m < low) low = m;
    return low === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : low;
  }

  /** Maximum over partitions: where closing goes when the others have gone idle. */
  high(): number {
    let high = Number.NEGATIVE_INFINITY;
    for (const m of this.marks.values()) if (m > high) high = m;
    return high;
  }

  entries(): [string, number][] {
    return [...this.marks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  restore(entries: [string, number][], frontier: number): void {
    this.marks.clear();
    for (const [p, m] of entries) this.marks.set(p, m);
    this.frontier = frontier;
  }
}
