import type { DirectedGraph, UndirectedGraph } from 'graphology';
import forceAtlas2Module from 'graphology-layout-forceatlas2';

// CommonJS typed as an ES module (as graphology-communities-louvain): the default import is the function itself.
const forceAtlas2 = ('assign' in forceAtlas2Module ? forceAtlas2Module : forceAtlas2Module.default) as typeof forceAtlas2Module.default;

export interface Point {
  x: number;
  y: number;
}

/**
 * ForceAtlas2 positions for every node, starting from a sunflower disc in node order: the same
 * graph always gets the same picture. Large graphs get Barnes-Hut and fewer iterations (the
 * sunflower start is already spread out), so a 1,000-node graph takes about a second.
 */
export function forceLayout(graph: DirectedGraph | UndirectedGraph): Map<string, Point> {
  const start = sunflower({ x: 0, y: 0 }, 10 * Math.sqrt(graph.order), graph.order);
  let i = 0;
  graph.forEachNode((node) => graph.mergeNodeAttributes(node, start[i++]));
  if (graph.order > 1) {
    const large = graph.order > 300;
    const iterations = large ? Math.max(30, Math.round(40_000 / graph.order)) : 200;
    const settings = { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: large };
    forceAtlas2.assign(graph, { iterations, settings, getEdgeWeight: graph.size > 0 ? 'weight' : null });
  }
  const out = new Map<string, Point>();
  graph.forEachNode((node, a) => out.set(node, { x: round(a.x as number), y: round(a.y as number) }));
  return out;
}

const round = (v: number) => Math.round(v * 100) / 100;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Points for `n` members around a centre, as a sunflower disc of the given radius: even spacing
 * whatever n is, so a cluster of tools reads as its domain.
 */
export function sunflower(centre: Point, radius: number, n: number): Point[] {
  return Array.from({ length: n }, (_, i) => {
    const r = radius * Math.sqrt((i + 0.5) / n);
    return { x: round(centre.x + r * Math.cos(i * GOLDEN_ANGLE)), y: round(centre.y + r * Math.sin(i * GOLDEN_ANGLE)) };
  });
}

/** For each point, the distance to its nearest other point (a cluster drawn within 0.4 of it never overlaps a neighbour's). */
export function nearestDistances(points: Point[]): number[] {
  // Grid buckets keep this near-linear for the thousand domains of a large plan.
  if (points.length < 2) return points.map(() => 10);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1e-6);
  const cell = span / Math.ceil(Math.sqrt(points.length));
  const grid = new Map<string, number[]>();
  const keyOf = (x: number, y: number) => `${Math.floor(x / cell)},${Math.floor(y / cell)}`;
  points.forEach((p, i) => (grid.get(keyOf(p.x, p.y)) ?? grid.set(keyOf(p.x, p.y), []).get(keyOf(p.x, p.y))!).push(i));
  return points.map((p, i) => {
    let best = Infinity;
    const cx = Math.floor(p.x / cell);
    const cy = Math.floor(p.y / cell);
    for (let ring = 1; ; ring++) {
      for (let dx = -ring; dx <= ring; dx++) {
        for (let dy = -ring; dy <= ring; dy++) {
          for (const j of grid.get(`${cx + dx},${cy + dy}`) ?? []) {
            if (j !== i) best = Math.min(best, Math.hypot(points[j].x - p.x, points[j].y - p.y));
          }
        }
      }
      // Anything outside the searched square is at least `ring * cell` away.
      if (best <= ring * cell || ring > Math.sqrt(points.length) + 2) return best === Infinity ? span : best;
    }
  });
}
