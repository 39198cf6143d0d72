/** Rank statistics shared by the generator's scoring and the checker's M6. */

/** Ranks with ties averaged (1-based), as Spearman's ρ requires. */
export function ranks(values: readonly number[]): number[] {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[idx[k][1]] = r;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation; null when either side has no variance (ρ is undefined then). */
export function pearson(a: readonly number[], b: readonly number[]): number | null {
  const n = a.length;
  if (n < 2 || b.length !== n) return null;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  if (saa < 1e-12 || sbb < 1e-12) return null;
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman's ρ = Pearson on tie-averaged ranks. */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  return pearson(ranks(a), ranks(b));
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Importance is compared at a resolution of 0.01: a difference below that is not a different
 * moment a reader could feel, and counting it as a rank would make ρ (M6) judge noise.
 */
export const importanceLevel = (v: number): number => Math.round(v * 100) / 100;

/**
 * M6's ρ: Spearman between importance (at 0.01) and area, where panels of EQUAL importance have
 * their areas averaged first. Their mutual order is free (nothing says which of two equal
 * moments is bigger); without this, a page of five tied shots and one key shot could not
 * reach ρ 0.655 even with the key shot the biggest.
 */
export function importanceAreaRho(importances: readonly number[], areas: readonly number[]): number | null {
  const levels = importances.map(importanceLevel);
  const sum = new Map<number, { s: number; n: number }>();
  levels.forEach((l, i) => {
    const g = sum.get(l) ?? { s: 0, n: 0 };
    g.s += areas[i];
    g.n++;
    sum.set(l, g);
  });
  const grouped = levels.map((l) => {
    const g = sum.get(l) as { s: number; n: number };
    return g.s / g.n;
  });
  return spearman(levels, grouped);
}

/**
 * importanceAreaRho for one fixed set of importances, for scoring many candidate sizings of one
 * page: the importance levels, their ranks and their groups are worked out once, and each call
 * only ranks the areas. Returns exactly what importanceAreaRho(importances, areas) returns.
 */
export function importanceAreaRhoFor(importances: readonly number[]): (areas: readonly number[]) => number | null {
  const n = importances.length;
  const levels = importances.map(importanceLevel);
  const levelRanks = ranks(levels);
  // Group of each panel: index of the first panel with its level (sums then run in index order).
  const group = levels.map((l) => levels.indexOf(l));
  const sums = new Array<number>(n);
  const counts = new Array<number>(n);
  const grouped = new Array<number>(n);
  return (areas) => {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      sums[group[i]] += areas[i];
      counts[group[i]]++;
    }
    for (let i = 0; i < n; i++) grouped[i] = sums[group[i]] / counts[group[i]];
    return pearson(levelRanks, smallRanks(grouped));
  };
}

/** ranks() for the few values of one page, without sorting: same numbers (ties averaged). */
function smallRanks(values: readonly number[]): number[] {
  const n = values.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let less = 0;
    let equal = 0;
    for (let j = 0; j < n; j++) {
      if (values[j] < values[i]) less++;
      else if (values[j] === values[i]) equal++;
    }
    // The tie block spans sorted positions less … less + equal − 1.
    out[i] = (less + (less + equal - 1)) / 2 + 1;
  }
  return out;
}
