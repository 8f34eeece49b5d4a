/**
 * The candidate nearest to what was typed, for "did you mean" hints on an
 * unknown command or flag: the one with the smallest edit distance (adjacent
 * swaps count as one edit, as `psx`/`spx` typos are common), when that is at
 * most 2 and less than half the word, or else the shortest one that the typed
 * text is a prefix of (cobra suggests both ways). Undefined when nothing is close, so
 * a wild guess is never offered.
 */
export function nearest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  let prefixed: string | undefined
  for (const c of candidates) {
    if (c === typed) return c
    const d = editDistance(typed, c)
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c
      bestDistance = d
    }
    if (typed.length >= 2 && c.startsWith(typed) && (!prefixed || c.length < prefixed.length)) prefixed = c
  }
  if (best !== undefined && bestDistance <= 2 && bestDistance * 2 < Math.max(typed.length, 2) + 1) return best
  return prefixed
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}
