import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import type { Edge } from './neighbours.js';
import { seededRng } from './rng.js';

// The package is CommonJS typed as an ES module: at runtime the default import is the function itself.
const louvain = ('detailed' in louvainModule ? louvainModule : louvainModule.default) as typeof louvainModule.default;

/** Adjacency lists of an undirected weighted graph over items 0..n-1. */
export type Adjacency = Array<Array<{ j: number; weight: number }>>;

export function adjacency(size: number, edges: Edge[]): Adjacency {
  const adj: Adjacency = Array.from({ length: size }, () => []);
  for (const { a, b, weight } of edges) {
    adj[a].push({ j: b, weight });
    adj[b].push({ j: a, weight });
  }
  return adj;
}

/** The graph of the given items (all of them, or a subset) with the edges among them. */
function toGraph(items: number[], adj: Adjacency): UndirectedGraph {
  const graph = new UndirectedGraph();
  const inside = new Set(items);
  for (const i of items) graph.addNode(String(i));
  for (const i of items) {
    for (const { j, weight } of adj[i]) if (j > i && inside.has(j)) graph.addEdge(String(i), String(j), { weight });
  }
  return graph;
}

/**
 * Louvain communities of the items, each a list of items ascending, ordered by smallest member so
 * that ids do not depend on Louvain's internal labels. Seeded: same input, same communities.
 */
export function louvainCommunities(items: number[], adj: Adjacency, resolution: number, seed: number): { communities: number[][]; modularity: number } {
  const graph = toGraph(items, adj);
  if (graph.size === 0) return { communities: items.map((i) => [i]), modularity: 0 };
  const result = louvain.detailed(graph, { resolution, rng: seededRng(seed), getEdgeWeight: 'weight' });
  const byLabel = new Map<number, number[]>();
  for (const i of items) {
    const label = result.communities[String(i)];
    let list = byLabel.get(label);
    if (!list) byLabel.set(label, (list = []));
    list.push(i);
  }
  const communities = [...byLabel.values()].map((c) => c.sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  return { communities, modularity: result.modularity };
}

/** Modularity of a partition of all items at the given resolution (what Louvain maximises). */
export function modularity(communities: number[][], adj: Adjacency, resolution: number): number {
  let total = 0;
  for (const list of adj) for (const { weight } of list) total += weight;
  if (total === 0) return 0;
  const communityOf = new Int32Array(adj.length);
  communities.forEach((c, ci) => c.forEach((i) => (communityOf[i] = ci)));
  let q = 0;
  communities.forEach((c, ci) => {
    let inside = 0;
    let degree = 0;
    for (const i of c) {
      for (const { j, weight } of adj[i]) {
        degree += weight;
        if (communityOf[j] === ci) inside += weight;
      }
    }
    q += inside / total - resolution * (degree / total) ** 2;
  });
  return q;
}

/** Cut a community into connected-ish chunks of at most `maxSize`, in breadth-first order from its best-connected item. */
function chunkByTraversal(items: number[], adj: Adjacency, maxSize: number): number[][] {
  const inside = new Set(items);
  const strength = (i: number) => adj[i].reduce((s, e) => s + (inside.has(e.j) ? e.weight : 0), 0);
  const order: number[] = [];
  const seen = new Set<number>();
  const remaining = [...items].sort((a, b) => strength(b) - strength(a) || a - b);
  for (const start of remaining) {
    if (seen.has(start)) continue;
    const queue = [start];
    seen.add(start);
    while (queue.length > 0) {
      const i = queue.shift()!;
      order.push(i);
      const next = adj[i].filter((e) => inside.has(e.j) && !seen.has(e.j)).sort((x, y) => y.weight - x.weight || x.j - y.j);
      for (const { j } of next) {
        seen.add(j);
        queue.push(j);
      }
    }
  }
  const chunks: number[][] = [];
  for (let s = 0; s < order.length; s += maxSize) chunks.push(order.slice(s, s + maxSize).sort((a, b) => a - b));
  return chunks;
}

/**
 * Split a community above `maxSize` again: Louvain on its own subgraph at doubling resolution
 * until it falls apart, recursively; when Louvain cannot cut it (a clique, no edges), chunks.
 */
export function splitOversize(community: number[], adj: Adjacency, maxSize: number, resolution: number, seed: number): number[][] {
  if (community.length <= maxSize) return [community];
  for (let r = resolution, tries = 0; tries < 8; r *= 2, tries++) {
    const { communities } = louvainCommunities(community, adj, r, seed);
    // Shattering into single items is no split: those items would all go through the singleton rule.
    if (communities.length > 1 && communities.some((c) => c.length > 1)) {
      return communities.flatMap((c) => splitOversize(c, adj, maxSize, r, seed));
    }
  }
  return chunkByTraversal(community, adj, maxSize);
}
