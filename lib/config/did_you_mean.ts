/** "Did you mean": the known key closest to a misspelt one (lib/config/walker.ts). */

/** Levenshtein edit distance between `a` and `b`. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** The closest known key within edit distance 3, for "did you mean". */
export function nearest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const k of known) {
    const dist = distance(key.toLowerCase(), k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best;
}
