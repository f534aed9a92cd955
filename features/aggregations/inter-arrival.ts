// Periodicity of events for beacon detection: statistics of the gaps between consecutive event
// times in the window. Keeps the earliest `cap` event times sorted, so the gaps are the same in
// whatever order the events arrived (a beacon needs far fewer than `cap` to show).
import type { Aggregation } from './types.ts';

export type InterArrivalStat = 'mean' | 'variance' | 'stddev' | 'cv';

export function interArrival(stat: InterArrivalStat = 'mean', cap = 1024): Aggregation<number[]> {
  const insert = (times: number[], t: number) => {
    if (times.length >= cap && t >= (times[times.length - 1] as number)) return;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    times.splice(lo, 0, t);
    if (times.length > cap) times.pop();
  };
  return {
    op: 'interarrival',
    init: () => [],
    add(times, _v, time) {
      if (Number.isFinite(time)) insert(times, time);
      return times;
    },
    merge(a, b) {
      const out = a.slice();
      for (const t of b) insert(out, t);
      return out;
    },
    result(times) {
      const n = times.length - 1;
      if (n < 1) return 0;
      const mean = ((times[n] as number) - (times[0] as number)) / n;
      if (stat === 'mean') return mean;
      let ss = 0;
      for (let i = 1; i <= n; i++) {
        const d = (times[i] as number) - (times[i - 1] as number) - mean;
        ss += d * d;
      }
      const variance = n < 2 ? 0 : ss / (n - 1);
      if (stat === 'variance') return variance;
      if (stat === 'stddev') return Math.sqrt(variance);
      return mean === 0 ? 0 : Math.sqrt(variance) / mean;
    },
    encode: (times) => times.slice(),
    decode: (j) => (j as number[]).map(Number),
  };
}
