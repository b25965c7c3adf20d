/**
 * Edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * neighbouring characters (the commonest typo, `stpes`), each counting one.
 */
function distance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    const previous = rows[i - 1] ?? [];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      current.push(best);
    }
    rows.push(current);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate the user most likely meant by `input`, or undefined when none is close: a
 * small edit distance (typos) or one name being a prefix of the other (`claude` → `claude-code`).
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const hay = name.toLowerCase();
    const prefix = needle.length >= 3 && (hay.startsWith(needle) || needle.startsWith(hay));
    const score = prefix ? 0.5 : distance(needle, hay);
    const limit = Math.max(1, Math.floor(Math.max(needle.length, hay.length) / 3));
    if (score <= limit && (best === undefined || score < best.score)) best = { name, score };
  }
  return best?.name;
}
