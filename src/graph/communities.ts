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

/**
 * The graph of units: each unit one node, the weights of the edges between two units summed, and
 * the weight inside a unit as its self-loop (listed once). Modularity over this graph equals
 * modularity over the tools for every partition that keeps units whole, so Louvain on it is
 * Louvain on the tools with units that cannot be cut. Units of one tool give the tool graph
 * itself, edges in the same order.
 */
export function contract(adj: Adjacency, unitOf: ArrayLike<number>, units: number): Adjacency {
  const sums: Array<Map<number, number>> = Array.from({ length: units }, () => new Map());
  adj.forEach((list, i) => {
    const u = unitOf[i];
    for (const { j, weight } of list) {
      const v = unitOf[j];
      // Each edge is listed at both ends; inside a unit, count it once.
      if (u === v && j < i) continue;
      sums[u].set(v, (sums[u].get(v) ?? 0) + weight);
    }
  });
  return sums.map((m) => [...m].map(([j, weight]) => ({ j, weight })));
}

/** The graph of the given items (all of them, or a subset) with the edges among them, self-loops included. */
function toGraph(items: number[], adj: Adjacency): UndirectedGraph {
  const graph = new UndirectedGraph();
  const inside = new Set(items);
  for (const i of items) graph.addNode(String(i));
  for (const i of items) {
    for (const { j, weight } of adj[i]) if (j >= i && inside.has(j)) graph.addEdge(String(i), String(j), { weight });
  }
  return graph;
}

/**
 * Louvain communities of the items, each a list of items ascending, ordered by smallest member so
 * that ids do not depend on Louvain's internal labels. Seeded: same input, same communities.
 * `graph`: the items' graph when the caller already built it (Louvain only reads it).
 */
export function louvainCommunities(items: number[], adj: Adjacency, resolution: number, seed: number, graph = toGraph(items, adj)): { communities: number[][]; modularity: number } {
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

/** Cut a community into connected-ish chunks of at most `maxSize` tools, in breadth-first order from its best-connected item. */
function chunkByTraversal(items: number[], adj: Adjacency, maxSize: number, sizeOf: (i: number) => number): number[][] {
  const inside = new Set(items);
  const strength = (i: number) => adj[i].reduce((s, e) => s + (inside.has(e.j) && e.j !== i ? e.weight : 0), 0);
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
  let chunk: number[] = [];
  let size = 0;
  for (const i of order) {
    if (size + sizeOf(i) > maxSize && chunk.length > 0) {
      chunks.push(chunk.sort((a, b) => a - b));
      chunk = [];
      size = 0;
    }
    chunk.push(i);
    size += sizeOf(i);
  }
  if (chunk.length > 0) chunks.push(chunk.sort((a, b) => a - b));
  return chunks;
}

/**
 * Split a community above `maxSize` tools again: Louvain on its own subgraph at doubling resolution
 * until it falls apart, recursively; when Louvain cannot cut it (a clique, no edges), chunks.
 * Items are tools, or units of `sizeOf(i)` tools each (at most `maxSize`) over a contracted graph.
 */
export function splitOversize(community: number[], adj: Adjacency, maxSize: number, resolution: number, seed: number, sizeOf: (i: number) => number = () => 1): number[][] {
  const size = (items: number[]) => items.reduce((n, i) => n + sizeOf(i), 0);
  if (size(community) <= maxSize) return [community];
  // Built once for every resolution tried: building it was most of the split's time at 30,000 tools.
  const graph = toGraph(community, adj);
  for (let r = resolution, tries = 0; tries < 8; r *= 2, tries++) {
    const { communities } = louvainCommunities(community, adj, r, seed, graph);
    // Shattering into single tools is no split: those tools would all go through the singleton rule.
    if (communities.length > 1 && communities.some((c) => size(c) > 1)) {
      return communities.flatMap((c) => splitOversize(c, adj, maxSize, r, seed, sizeOf));
    }
  }
  return chunkByTraversal(community, adj, maxSize, sizeOf);
}
