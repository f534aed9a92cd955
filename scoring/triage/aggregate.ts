// How matched rules' scores become the event's threat score (Metron's aggregators), with negative
// scores as an allow-list: when allowListWins, any matched negative score decides (the most negative).
import type { Aggregator } from './config.ts';

export function aggregateScores(
  scores: number[],
  aggregator: Aggregator,
  allowListWins: boolean,
): { score: number; allowlisted: boolean } {
  if (scores.length === 0) return { score: 0, allowlisted: false };
  if (allowListWins) {
    let lowest = 0;
    for (const s of scores) if (s < lowest) lowest = s;
    if (lowest < 0) return { score: lowest, allowlisted: true };
  }
  switch (aggregator) {
    case 'MAX':
      return { score: Math.max(...scores), allowlisted: false };
    case 'MIN':
      return { score: Math.min(...scores), allowlisted: false };
    case 'SUM':
      return { score: scores.reduce((a, b) => a + b, 0), allowlisted: false };
    case 'MEAN':
      return { score: scores.reduce((a, b) => a + b, 0) / scores.length, allowlisted: false };
    case 'POSITIVE_MEAN': {
      const positive = scores.filter((s) => s > 0);
      const score = positive.length === 0 ? 0 : positive.reduce((a, b) => a + b, 0) / positive.length;
      return { score, allowlisted: false };
    }
  }
}
