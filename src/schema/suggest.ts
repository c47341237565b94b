// "Did you mean ...?": the closest candidate by edit distance, when it is close enough to be a likely typo.

function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The candidate closest to `word` (case-insensitive, `-`/`_` folded), or undefined when none is plausibly meant. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const cc = c.toLowerCase().replace(/-/g, '_');
    let d = distance(w, cc);
    if (cc.includes(w) || w.includes(cc)) d = Math.min(d, 1 + Math.abs(cc.length - w.length) / 4);
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(w.length / 3));
  return bestScore <= limit && w.length > 1 ? best : undefined;
}

/** ` Did you mean \`x\`?` or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` Did you mean \`${c}\`?`;
}
