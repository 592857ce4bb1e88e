import { markdownTable } from '../util/table.js';

/** Binomial coefficient as a float (k is small). */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * pass^k as tau-bench defines it: the chance that k trials drawn from a task's n trials all
 * succeed, C(c, k) / C(n, k), averaged over tasks.
 */
export function passHatK(trials: ReadonlyMap<string, readonly boolean[]>, k: number): number {
  const values = [...trials.values()].filter((t) => t.length >= k).map((t) => choose(t.filter(Boolean).length, k) / choose(t.length, k));
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface TrialResult {
  domain: string;
  task: string;
  success: boolean;
}

/** A table of pass^1..k per domain, k up to the fewest trials any task has. */
export function passHatKTable(results: TrialResult[]): string {
  const byDomain = new Map<string, Map<string, boolean[]>>();
  for (const r of results) {
    const tasks = byDomain.get(r.domain) ?? byDomain.set(r.domain, new Map()).get(r.domain)!;
    (tasks.get(r.task) ?? tasks.set(r.task, []).get(r.task)!).push(r.success);
  }
  const maxK = Math.max(1, ...[...byDomain.values()].map((t) => Math.min(...[...t.values()].map((x) => x.length))));
  const headers = ['domain', 'tasks', ...Array.from({ length: maxK }, (_, i) => `pass^${i + 1}`)];
  const rows = [...byDomain].sort(([a], [b]) => a.localeCompare(b)).map(([domain, tasks]) => [
    domain,
    tasks.size,
    ...Array.from({ length: maxK }, (_, i) => {
      const v = passHatK(tasks, i + 1);
      return Number.isNaN(v) ? '-' : v.toFixed(3);
    }),
  ]);
  return markdownTable(headers, rows);
}
