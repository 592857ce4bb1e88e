import type { Adjacency } from './communities.js';
import { topNeighbours, type SimilaritySpace } from './neighbours.js';
import { groupBy } from '../util/group-by.js';

export interface SingletonSettings {
  minSize: number;
  maxSize: number;
  attachThreshold: number;
}

export interface SingletonResult {
  domains: number[][];
  attached: number;
  isolated: number[];
}

/** The rule below in words, for the plan and the report; `sources` adds what it does with small sources. */
export function describeSingletonRule(s: SingletonSettings & { sources?: boolean; mergeSimilarity?: number }): string {
  return (
    `A tool with no neighbour above the edge threshold keeps an edge to its most similar tool if their similarity is at least ${s.attachThreshold}. ` +
    `A tool in a community of fewer than ${s.minSize} tools joins the domain it has the most edge weight to; ` +
    `failing that, the domain of its most similar tool if their similarity is at least ${s.attachThreshold}; ` +
    `a domain is never filled beyond ${s.maxSize} tools. Tools left over from the same community stay together ` +
    `as a small domain when there are two or more of them; a single one is listed as isolated.` +
    (s.sources
      ? ` A source of fewer than ${s.minSize} tools joins as a whole, and only a domain whose centroid has cosine at least ` +
        `${s.mergeSimilarity} with its own (as communities merge); otherwise it stays a domain of its own. ` +
        `Last, a lone tool stays in a domain that holds a source only when its cosine to the centroid of the source's tools is at least ` +
        `their own mean cosine to the rest of them; the others are placed among themselves and the domains of lone tools (Louvain over ` +
        `edges above the edge threshold): a small domain of two or more, or isolated.`
      : '')
  );
}

/**
 * Apply the singleton rule to parts (communities after the oversize split): parts of at least
 * `minSize` tools are domains; the units of smaller parts are attached as described above, a
 * unit of several tools (a small source) as a whole and only to a domain it `fits`. `unitOf` maps
 * each tool to its unit; with no units, every tool is one.
 */
export function attachSmallParts(
  parts: number[][],
  adj: Adjacency,
  space: SimilaritySpace,
  s: SingletonSettings,
  units?: { unitOf: ArrayLike<number>; fits: (unit: number[], domain: number[]) => boolean },
): SingletonResult {
  const domains = parts.filter((p) => p.length >= s.minSize).map((p) => [...p]);
  const domainOf = new Int32Array(space.size).fill(-1);
  domains.forEach((d, di) => d.forEach((i) => (domainOf[i] = di)));
  const hasRoom = (di: number, size: number) => di >= 0 && domains[di].length + size <= s.maxSize;
  // A unit of several tools (a small source) joins only a domain it fits as a whole; `verdicts` caches that per unit.
  let verdicts = new Map<number, boolean>();
  const accepts = (di: number, unit: number[]) => {
    if (!hasRoom(di, unit.length)) return false;
    if (unit.length === 1 || !units) return true;
    let ok = verdicts.get(di);
    if (ok === undefined) verdicts.set(di, (ok = units.fits(unit, domains[di])));
    return ok;
  };
  let attached = 0;
  const leftovers: number[][] = [];
  for (const part of parts.filter((p) => p.length < s.minSize)) {
    const left: number[] = [];
    const byUnit = groupBy(part, (i) => (units ? units.unitOf[i] : i));
    for (const unit of byUnit.values()) {
      verdicts = new Map();
      const weightTo = new Map<number, number>();
      for (const i of unit) {
        for (const { j, weight } of adj[i]) {
          const di = domainOf[j];
          if (accepts(di, unit)) weightTo.set(di, (weightTo.get(di) ?? 0) + weight);
        }
      }
      let best: number | undefined = [...weightTo.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
      if (best === undefined) {
        let bestSim = -Infinity;
        for (const i of unit) {
          const near = topNeighbours(space, 1, s.attachThreshold, [i], (j) => accepts(domainOf[j], unit)).get(i)![0];
          if (near !== undefined && near.sim > bestSim) [best, bestSim] = [domainOf[near.j], near.sim];
        }
      }
      if (best === undefined) left.push(...unit);
      else {
        domains[best].push(...unit);
        attached += unit.length;
      }
    }
    if (left.length > 0) leftovers.push(left.sort((a, b) => a - b));
  }
  // Attached tools are not used as anchors for later ones, so the order of parts does not chain them.
  for (const left of leftovers) if (left.length >= 2) domains.push(left);
  const isolated = leftovers.filter((l) => l.length === 1).map((l) => l[0]);
  return { domains: domains.map((d) => d.sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]), attached, isolated: isolated.sort((a, b) => a - b) };
}
