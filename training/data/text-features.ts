// Character n-gram features of a string column (DGA detection on domain names): length, character
// counts and bigram counts over a fixed alphabet, so the feature layout never depends on the data.
import { z } from 'zod';

export const TextFeatureSpecSchema = z.object({
  column: z.string().min(1),
  kind: z.literal('char-ngrams').default('char-ngrams'),
  /** Drop the last label (the TLD): DGA families use few TLDs and the model should not learn them. */
  stripTld: z.boolean().default(true),
});
export type TextFeatureSpec = z.output<typeof TextFeatureSpecSchema>;

/** Lower-case letters, digits, '-', '.', '_' and '?' for anything else. */
export const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-._?';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));
const A = ALPHABET.length;

export function textFeatureNames(spec: TextFeatureSpec): string[] {
  const p = spec.column;
  const names = [`${p}:length`];
  for (const c of ALPHABET) names.push(`${p}:c:${c}`);
  for (const a of ALPHABET) for (const b of ALPHABET) names.push(`${p}:bg:${a}${b}`);
  return names;
}

export const textFeatureCount = (): number => 1 + A + A * A;

function normalize(value: string, spec: TextFeatureSpec): string {
  let s = value.trim().toLowerCase().replace(/\.$/, '');
  if (spec.stripTld) {
    const dot = s.lastIndexOf('.');
    if (dot > 0) s = s.slice(0, dot);
  }
  return s;
}

/** Writes the features of one string into out[offset ..< offset + textFeatureCount()]. */
export function textFeaturesInto(
  value: string,
  spec: TextFeatureSpec,
  out: Float32Array,
  offset: number,
): void {
  const s = normalize(value, spec);
  out.fill(0, offset, offset + textFeatureCount());
  out[offset] = s.length;
  let prev = -1;
  for (const ch of s) {
    const i = INDEX.get(ch) ?? A - 1;
    out[offset + 1 + i]! += 1;
    if (prev >= 0) out[offset + 1 + A + prev * A + i]! += 1;
    prev = i;
  }
}
