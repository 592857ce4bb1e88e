import type { SparseVector } from './vectors.js';

/** A group's centroid (community, source, section): the sum of its unit TF-IDF vectors, term -> weight, with its squared norm. */
export interface Centroid {
  sum: Map<number, number>;
  norm2: number;
}

export function centroidOf(members: number[], vectors: SparseVector[]): Centroid {
  const sum = new Map<number, number>();
  for (const i of members) {
    const v = vectors[i];
    for (let k = 0; k < v.terms.length; k++) sum.set(v.terms[k], (sum.get(v.terms[k]) ?? 0) + v.weights[k]);
  }
  return { sum, norm2: squaredNorm(sum) };
}

export function squaredNorm(sum: Map<number, number>): number {
  let n = 0;
  for (const w of sum.values()) n += w * w;
  return n;
}

export function cosine(a: Centroid, b: Centroid): number {
  const [small, large] = a.sum.size <= b.sum.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small.sum) {
    const x = large.sum.get(t);
    if (x !== undefined) dot += w * x;
  }
  return a.norm2 > 0 && b.norm2 > 0 ? dot / Math.sqrt(a.norm2 * b.norm2) : 0;
}

/** A candidate merge; `a < b` are group ids. */
export interface Pair {
  sim: number;
  a: number;
  b: number;
}

/** Max-heap on similarity, ties by ids, so the merge order (and the result) is deterministic. */
export class PairHeap {
  private items: Pair[] = [];
  private before(x: Pair, y: Pair): boolean {
    return x.sim > y.sim || (x.sim === y.sim && (x.a < y.a || (x.a === y.a && x.b < y.b)));
  }
  get size(): number {
    return this.items.length;
  }
  push(p: Pair): void {
    const h = this.items;
    h.push(p);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): Pair {
    const h = this.items;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && this.before(h[l], h[best])) best = l;
        if (r < h.length && this.before(h[r], h[best])) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best], h[i]];
        i = best;
      }
    }
    return top;
  }
}

/** Add `from` into the larger of the two sums and return the merged centroid (the larger sum is not copied again and again as a group grows). */
export function joined(a: Centroid, b: Centroid): Centroid {
  const [big, small] = a.sum.size >= b.sum.size ? [a, b] : [b, a];
  const sum = big.sum;
  for (const [t, w] of small.sum) sum.set(t, (sum.get(t) ?? 0) + w);
  return { sum, norm2: squaredNorm(sum) };
}

/** v . centroid. */
export function dotCentroid(v: SparseVector, c: Centroid): number {
  let d = 0;
  for (let k = 0; k < v.terms.length; k++) d += v.weights[k] * (c.sum.get(v.terms[k]) ?? 0);
  return d;
}

/** A group made by joinSimilar: which input groups it joined, their tools, and its centroid. */
export interface JoinedGroup {
  inputs: number[];
  members: number[];
  centroid: Centroid;
}

/**
 * Join groups of tools, the most similar pair (centroid cosine) first, while a pair reaches
 * `threshold` and fits in `maxSize` tools; each join's centroid is recomputed. All pairs are
 * compared, so this is for the few groups of one source or one community. Deterministic: ties
 * go to the lower ids; the result lists the groups in the order they were made.
 */
export function joinSimilar(groups: number[][], vectors: SparseVector[], threshold: number, maxSize: number): JoinedGroup[] {
  const made: JoinedGroup[] = groups.map((members, g) => ({ inputs: [g], members: [...members], centroid: centroidOf(members, vectors) }));
  const alive = made.map(() => true);
  const heap = new PairHeap();
  const offer = (a: number, b: number) => {
    if (made[a].members.length + made[b].members.length > maxSize) return;
    const sim = cosine(made[a].centroid, made[b].centroid);
    if (sim >= threshold) heap.push({ sim, a: Math.min(a, b), b: Math.max(a, b) });
  };
  for (let a = 0; a < made.length; a++) for (let b = a + 1; b < made.length; b++) offer(a, b);
  while (heap.size > 0) {
    const { a, b } = heap.pop();
    if (!alive[a] || !alive[b]) continue;
    const c = made.length;
    made.push({ inputs: [...made[a].inputs, ...made[b].inputs], members: [...made[a].members, ...made[b].members], centroid: joined(made[a].centroid, made[b].centroid) });
    alive[a] = alive[b] = false;
    alive.push(true);
    for (let x = 0; x < c; x++) if (alive[x]) offer(x, c);
  }
  return made.filter((_, g) => alive[g]);
}
