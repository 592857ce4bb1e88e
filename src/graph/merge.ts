import type { Adjacency } from './communities.js';
import type { SparseVector } from './vectors.js';

/** A community's centroid: the sum of its unit TF-IDF vectors, term -> weight, with its squared norm. */
interface Centroid {
  sum: Map<number, number>;
  norm2: number;
}

function centroidOf(members: number[], vectors: SparseVector[]): Centroid {
  const sum = new Map<number, number>();
  for (const i of members) {
    const v = vectors[i];
    for (let k = 0; k < v.terms.length; k++) sum.set(v.terms[k], (sum.get(v.terms[k]) ?? 0) + v.weights[k]);
  }
  return { sum, norm2: squaredNorm(sum) };
}

function squaredNorm(sum: Map<number, number>): number {
  let n = 0;
  for (const w of sum.values()) n += w * w;
  return n;
}

function cosine(a: Centroid, b: Centroid): number {
  const [small, large] = a.sum.size <= b.sum.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small.sum) {
    const x = large.sum.get(t);
    if (x !== undefined) dot += w * x;
  }
  return a.norm2 > 0 && b.norm2 > 0 ? dot / Math.sqrt(a.norm2 * b.norm2) : 0;
}

/** A candidate merge; `a < b` are community ids. */
interface Pair {
  sim: number;
  a: number;
  b: number;
}

/** Max-heap on similarity, ties by ids, so the merge order (and the result) is deterministic. */
class PairHeap {
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

/**
 * Merge graph-adjacent communities whose centroids (in the TF-IDF space) have cosine at least
 * `threshold`, most similar pair first, recomputing the merged centroid each time.
 *
 * Why: modularity alone cannot tell one large API from several small ones. At a resolution low
 * enough to keep a 300-operation API whole, small APIs with a similar vocabulary (a message API
 * and a ticket API) merge; at a resolution high enough to keep those apart, the large API falls
 * into its resources. Centroids separate the two cases: the resources of one API share the
 * vocabulary the API uses everywhere (its path prefix, its auth and paging parameters, its nouns),
 * which individual edges hardly show but which adds up over a whole community. So Louvain runs at
 * the ordinary resolution and this step joins what belongs together.
 */
export function mergeSimilarCommunities(communities: number[][], adj: Adjacency, vectors: SparseVector[], threshold: number): number[][] {
  const members: number[][] = communities.map((c) => [...c]);
  const centroids: Centroid[] = communities.map((c) => centroidOf(c, vectors));
  const alive: boolean[] = communities.map(() => true);
  const communityOf = new Int32Array(vectors.length);
  communities.forEach((c, ci) => c.forEach((i) => (communityOf[i] = ci)));
  const near: Array<Set<number>> = communities.map(() => new Set());
  communities.forEach((c, ci) => {
    for (const i of c) for (const { j } of adj[i]) if (communityOf[j] !== ci) near[ci].add(communityOf[j]);
  });

  const heap = new PairHeap();
  const offer = (x: number, y: number) => {
    const sim = cosine(centroids[x], centroids[y]);
    if (sim >= threshold) heap.push({ sim, a: Math.min(x, y), b: Math.max(x, y) });
  };
  near.forEach((set, a) => set.forEach((b) => a < b && offer(a, b)));

  while (heap.size > 0) {
    const { a, b } = heap.pop();
    // Pairs of a community that has since been merged are stale; the merged one was offered anew.
    if (!alive[a] || !alive[b]) continue;
    const c = members.length;
    // The larger centroid absorbs the smaller one, so a growing community is not copied again and again.
    const [big, small] = centroids[a].sum.size >= centroids[b].sum.size ? [a, b] : [b, a];
    const sum = centroids[big].sum;
    for (const [t, w] of centroids[small].sum) sum.set(t, (sum.get(t) ?? 0) + w);
    centroids.push({ sum, norm2: squaredNorm(sum) });
    centroids[a] = centroids[b] = { sum: new Map(), norm2: 0 };
    members.push([...members[a], ...members[b]]);
    alive[a] = alive[b] = false;
    alive.push(true);
    const around = new Set([...near[a], ...near[b]].filter((x) => alive[x]));
    near.push(around);
    for (const x of around) {
      near[x].delete(a);
      near[x].delete(b);
      near[x].add(c);
      offer(x, c);
    }
  }
  return members
    .filter((_, ci) => alive[ci])
    .map((m) => m.sort((x, y) => x - y))
    .sort((x, y) => x[0] - y[0]);
}
