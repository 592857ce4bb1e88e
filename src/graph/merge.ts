import type { Adjacency } from './communities.js';
import { centroidOf, cosine, joined, PairHeap, type Centroid } from './centroid.js';
import type { SparseVector } from './vectors.js';

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
 *
 * Two communities that each hold a source (sources.ts) already hold whole APIs: they merge only
 * when their centroids reach `sourced.threshold` (they do the same job; see jobs.ts).
 */
export function mergeSimilarCommunities(
  communities: number[][],
  adj: Adjacency,
  vectors: SparseVector[],
  threshold: number,
  sourced?: { of: (community: number[]) => boolean; threshold: number },
): number[][] {
  const members: number[][] = communities.map((c) => [...c]);
  const centroids: Centroid[] = communities.map((c) => centroidOf(c, vectors));
  const alive: boolean[] = communities.map(() => true);
  const hasSource: boolean[] = communities.map((c) => sourced?.of(c) ?? false);
  const communityOf = new Int32Array(vectors.length);
  communities.forEach((c, ci) => c.forEach((i) => (communityOf[i] = ci)));
  const near: Array<Set<number>> = communities.map(() => new Set());
  communities.forEach((c, ci) => {
    for (const i of c) for (const { j } of adj[i]) if (communityOf[j] !== ci) near[ci].add(communityOf[j]);
  });

  const heap = new PairHeap();
  const offer = (x: number, y: number) => {
    const sim = cosine(centroids[x], centroids[y]);
    if (sim >= threshold && (!hasSource[x] || !hasSource[y] || sim >= sourced!.threshold)) heap.push({ sim, a: Math.min(x, y), b: Math.max(x, y) });
  };
  near.forEach((set, a) => set.forEach((b) => a < b && offer(a, b)));

  while (heap.size > 0) {
    const { a, b } = heap.pop();
    // Pairs of a community that has since been merged are stale; the merged one was offered anew.
    if (!alive[a] || !alive[b]) continue;
    const c = members.length;
    centroids.push(joined(centroids[a], centroids[b]));
    centroids[a] = centroids[b] = { sum: new Map(), norm2: 0 };
    members.push([...members[a], ...members[b]]);
    hasSource.push(hasSource[a] || hasSource[b]);
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
