/** Small timing helpers for benchmarks: figures, not assertions. */

export interface Timing {
  /** Median time of one operation, milliseconds. */
  medianMs: number;
  meanMs: number;
  runs: number;
}

/** Time `fn` `runs` times (after `warmup` untimed runs); `fn` may be async. */
export async function time(fn: () => unknown, runs: number, warmup = Math.min(5, runs)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)], meanMs: samples.reduce((a, b) => a + b, 0) / runs, runs };
}

/** Operations per second of `op` run back to back for about `ms` milliseconds by `workers` concurrent loops. */
export async function throughput(op: (worker: number) => unknown, ms: number, workers = 1): Promise<number> {
  let count = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        await op(w);
        count++;
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

export const fmt = {
  ms: (v: number) => (v < 0.01 ? `${(v * 1000).toFixed(2)} µs` : v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`),
  rate: (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`,
  mb: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`,
  ratio: (v: number) => `${v.toFixed(2)}x`,
  pct: (v: number) => `${(v * 100).toFixed(0)}%`,
};
