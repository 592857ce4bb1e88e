import type { Adjacency } from './communities.js';
import { topNeighbours, type SimilaritySpace } from './neighbours.js';

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

/** The rule below in words, for the plan and the report. */
export function describeSingletonRule(s: SingletonSettings): string {
  return (
    `A tool with no neighbour above the edge threshold keeps an edge to its most similar tool if their similarity is at least ${s.attachThreshold}. ` +
    `A tool in a community of fewer than ${s.minSize} tools joins the domain it has the most edge weight to; ` +
    `failing that, the domain of its most similar tool if their similarity is at least ${s.attachThreshold}; ` +
    `a domain is never filled beyond ${s.maxSize} tools. Tools left over from the same community stay together ` +
    `as a small domain when there are two or more of them; a single one is listed as isolated.`
  );
}

/**
 * Apply the singleton rule to parts (communities after the oversize split): parts of at least
 * `minSize` are domains; members of smaller parts are attached as described above.
 */
export function attachSmallParts(parts: number[][], adj: Adjacency, space: SimilaritySpace, s: SingletonSettings): SingletonResult {
  const domains = parts.filter((p) => p.length >= s.minSize).map((p) => [...p]);
  const domainOf = new Int32Array(space.size).fill(-1);
  domains.forEach((d, di) => d.forEach((i) => (domainOf[i] = di)));
  const hasRoom = (di: number) => di >= 0 && domains[di].length < s.maxSize;
  const join = (i: number, di: number) => domains[di].push(i);
  let attached = 0;
  const leftovers: number[][] = [];
  for (const part of parts.filter((p) => p.length < s.minSize)) {
    const left: number[] = [];
    for (const i of part) {
      const weightTo = new Map<number, number>();
      for (const { j, weight } of adj[i]) {
        const di = domainOf[j];
        if (hasRoom(di)) weightTo.set(di, (weightTo.get(di) ?? 0) + weight);
      }
      let best: number | undefined = [...weightTo.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
      if (best === undefined) {
        const near = topNeighbours(space, 1, s.attachThreshold, [i], (j) => hasRoom(domainOf[j])).get(i)!;
        best = near[0] === undefined ? undefined : domainOf[near[0].j];
      }
      if (best === undefined) left.push(i);
      else {
        join(i, best);
        attached++;
      }
    }
    if (left.length > 0) leftovers.push(left);
  }
  // Attached tools are not used as anchors for later ones, so the order of parts does not chain them.
  for (const left of leftovers) if (left.length >= 2) domains.push(left);
  const isolated = leftovers.filter((l) => l.length === 1).map((l) => l[0]);
  return { domains: domains.map((d) => d.sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]), attached, isolated: isolated.sort((a, b) => a - b) };
}
