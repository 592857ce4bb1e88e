import { contract, louvainCommunities, splitOversize, type Adjacency } from './communities.js';
import { centroidOf, dotCentroid } from './centroid.js';
import type { SparseVector } from './vectors.js';

export interface LoneSettings {
  maxSize: number;
  /** The edge threshold: leaving tools meet only over edges at least this similar, not over the nearest-tool edges kept for tools without neighbours. */
  threshold: number;
  resolution: number;
  seed: number;
}

export interface LoneResult {
  domains: number[][];
  /** Lone tools that left a domain holding a source they did not fit. */
  apart: number;
  /** Those of them that found no other lone tool or lone-tool domain: listed as isolated. */
  isolated: number[];
}

/**
 * How well the sourced tools of a domain fit their own domain: the mean cosine of each to the
 * centroid of the others (leave one out). A lone tool has to fit the domain at least as well as
 * its own tools do on average. Undefined for fewer than two tools.
 */
function cohesionOf(members: number[], vectors: SparseVector[]): { fit: (i: number) => number; cohesion: number } | undefined {
  if (members.length < 2) return undefined;
  const c = centroidOf(members, vectors);
  const norm = Math.sqrt(c.norm2);
  let sum = 0;
  for (const i of members) {
    // Unit vectors: v.(S - v) = v.S - 1 and |S - v|^2 = |S|^2 - 2 v.S + 1.
    const dot = dotCentroid(vectors[i], c);
    const rest = c.norm2 - 2 * dot + 1;
    sum += rest > 1e-12 ? (dot - 1) / Math.sqrt(rest) : 0;
  }
  return { fit: (i) => (norm > 0 ? dotCentroid(vectors[i], c) / norm : 0), cohesion: sum / members.length };
}

/**
 * Lone tools (loose: a one-tool server, a single function, a tool of a group without cohesion)
 * join a domain that holds a source only when they fit it: their cosine to the centroid of the
 * domain's sourced tools is at least those tools' own mean cosine to the rest of them
 * (cohesionOf; a domain with one sourced tool keeps its lone tools). Why: every step before places a lone tool by the words it shares, and one shared
 * word ("convert" in a time-zone tool and a currency server, "file" in a URL fetcher and a
 * filesystem server) is enough to pull it into a server that does another job; a user who pooled
 * the server then finds a stranger in its world. A tool of the server's job (a one-tool weather
 * server next to a weather server) fits it better than the server's own tools fit each other.
 *
 * The tools that leave are placed among themselves and the domains of lone tools only: Louvain on
 * the graph of those tools and those domains (each domain one node, never cut), over edges above
 * the edge threshold only (a tool that left has no neighbour there when all it had was the nearest
 * tool kept for a tool without neighbours). A leaving tool
 * goes to the lone-tool domain of its community it has the most edge weight to (with room);
 * otherwise the leaving tools of a community stay together as a small domain of their own kind
 * (two or more) or the one left is isolated.
 */
export function separateLoneTools(domains: number[][], loose: (i: number) => boolean, adj: Adjacency, vectors: SparseVector[], s: LoneSettings): LoneResult {
  const kept: number[][] = [];
  const leaving: number[] = [];
  const homes: number[][] = [];
  for (const d of domains) {
    const sourced = d.filter((i) => !loose(i));
    if (sourced.length === 0) {
      homes.push([...d]);
      continue;
    }
    const own = cohesionOf(sourced, vectors);
    // One sourced tool (a part of a cut source) gives no distribution to judge by: its lone tools stay.
    const stay = own === undefined ? d : d.filter((i) => !loose(i) || own.fit(i) >= own.cohesion);
    kept.push(stay);
    if (stay.length < d.length) leaving.push(...d.filter((i) => !stay.includes(i)));
  }
  if (leaving.length === 0) return { domains, apart: 0, isolated: [] };

  // Nodes: leaving tools 0..L-1, then the lone-tool domains; every other tool is outside (-1 drops its edges).
  const node = new Int32Array(adj.length).fill(-1);
  leaving.forEach((i, n) => (node[i] = n));
  homes.forEach((h, k) => h.forEach((i) => (node[i] = leaving.length + k)));
  const inside = (i: number) => node[i] >= 0;
  const sub: Adjacency = adj.map((list, i) => (inside(i) ? list.filter(({ j, weight }) => inside(j) && weight >= s.threshold) : []));
  const outsideUnit = leaving.length + homes.length;
  const graph = contract(sub, Array.from(node, (n) => (n < 0 ? outsideUnit : n)), outsideUnit + 1).slice(0, outsideUnit);
  const nodes = Array.from({ length: outsideUnit }, (_, n) => n);
  const { communities } = louvainCommunities(nodes, graph, s.resolution, s.seed);

  const isolated: number[] = [];
  const fresh: number[][] = [];
  for (const community of communities) {
    const targets = community.filter((n) => n >= leaving.length).map((n) => n - leaving.length);
    const left: number[] = [];
    for (const n of community.filter((x) => x < leaving.length)) {
      const weightTo = new Map<number, number>();
      for (const { j, weight } of graph[n]) {
        const k = j - leaving.length;
        if (targets.includes(k) && homes[k].length < s.maxSize) weightTo.set(k, (weightTo.get(k) ?? 0) + weight);
      }
      const best = [...weightTo.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
      if (best === undefined) left.push(leaving[n]);
      else homes[best].push(leaving[n]);
    }
    if (left.length === 1) isolated.push(left[0]);
    else if (left.length > 1) fresh.push(...splitOversize(left.sort((a, b) => a - b), sub, s.maxSize, s.resolution, s.seed));
  }
  // A part of one tool from the split has no partner left: isolated too.
  for (const f of fresh.filter((p) => p.length === 1)) isolated.push(f[0]);
  const out = [...kept, ...homes, ...fresh.filter((p) => p.length > 1)].filter((d) => d.length > 0);
  return {
    domains: out.map((d) => d.sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]),
    apart: leaving.length,
    isolated: isolated.sort((a, b) => a - b),
  };
}
