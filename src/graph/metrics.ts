/** Pairs among n items. */
const pairs = (n: number) => (n * (n - 1)) / 2;

/**
 * Adjusted Rand index between two labelings of the same items (Hubert and Arabie, 1985):
 * 1 for identical partitions, about 0 for chance agreement.
 */
export function adjustedRandIndex(truth: string[], predicted: string[]): number {
  const n = truth.length;
  const table = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${truth[i]}\u0000${predicted[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(truth[i], (rows.get(truth[i]) ?? 0) + 1);
    cols.set(predicted[i], (cols.get(predicted[i]) ?? 0) + 1);
  }
  const index = [...table.values()].reduce((s, c) => s + pairs(c), 0);
  const a = [...rows.values()].reduce((s, c) => s + pairs(c), 0);
  const b = [...cols.values()].reduce((s, c) => s + pairs(c), 0);
  const expected = (a * b) / pairs(n);
  const max = (a + b) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Share of items whose predicted cluster's majority label is their own label. */
export function purity(truth: string[], predicted: string[]): number {
  const byCluster = new Map<string, Map<string, number>>();
  truth.forEach((t, i) => {
    const counts = byCluster.get(predicted[i]) ?? new Map<string, number>();
    counts.set(t, (counts.get(t) ?? 0) + 1);
    byCluster.set(predicted[i], counts);
  });
  const majority = [...byCluster.values()].reduce((s, counts) => s + Math.max(...counts.values()), 0);
  return truth.length === 0 ? 1 : majority / truth.length;
}
