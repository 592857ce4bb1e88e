import type { SparseVector } from './vectors.js';

/**
 * The most distinctive words of each domain: a word's mean weight over the domain's tools times
 * how few domains use it (ln(1 + D / domains using it)). Whole-parameter terms (`=name`) and
 * path prefixes (`/calendars`) are left out because names read better built from words.
 */
export function distinctiveTerms(domains: number[][], vectors: SparseVector[], vocabulary: string[], count = 5): string[][] {
  const sums = domains.map((d) => {
    const sum = new Map<number, number>();
    for (const i of d) {
      const v = vectors[i];
      for (let k = 0; k < v.terms.length; k++) sum.set(v.terms[k], (sum.get(v.terms[k]) ?? 0) + v.weights[k]);
    }
    return sum;
  });
  const spread = new Map<number, number>();
  for (const sum of sums) for (const t of sum.keys()) spread.set(t, (spread.get(t) ?? 0) + 1);
  return sums.map((sum, di) => {
    const size = domains[di].length;
    return [...sum.entries()]
      .filter(([t]) => !/^[=/]/.test(vocabulary[t]))
      .map(([t, w]) => [t, (w / size) * Math.log(1 + domains.length / spread.get(t)!)] as const)
      .sort((a, b) => b[1] - a[1] || (vocabulary[a[0]] < vocabulary[b[0]] ? -1 : 1))
      .slice(0, count)
      .map(([t]) => vocabulary[t]);
  });
}

/** Domain names from the top two terms (`file_directory`), made unique with `-2`, `-3` in order. */
export function domainNames(terms: string[][]): string[] {
  const used = new Set<string>();
  return terms.map((t) => {
    const base = (t.slice(0, 2).join('_').replace(/[^a-z0-9_]/g, '').slice(0, 56) || 'domain').replace(/^_+/, '') || 'domain';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}
