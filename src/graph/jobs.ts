import { centroidOf, dotCentroid, joinSimilar, type JoinedGroup } from './centroid.js';
import type { SparseVector } from './vectors.js';
import type { Units } from './units.js';
import { groupBy } from '../util/group-by.js';

/** Each tool of the community that is in no group goes to the group whose centroid it is most similar to (the first on ties). */
function withLooseTools(community: number[], groups: JoinedGroup[], inGroup: (i: number) => boolean, vectors: SparseVector[]): number[][] {
  const out = groups.map((g) => [...g.members]);
  for (const i of community) {
    if (inGroup(i)) continue;
    let best = 0;
    let bestSim = -Infinity;
    groups.forEach((g, k) => {
      const sim = g.centroid.norm2 > 0 ? dotCentroid(vectors[i], g.centroid) / Math.sqrt(g.centroid.norm2) : 0;
      if (sim > bestSim) [best, bestSim] = [k, sim];
    });
    out[best].push(i);
  }
  return out.map((m) => m.sort((x, y) => x - y));
}

/**
 * Keep sources that Louvain put in one community together only when they do the same job.
 * Within each community, its sources (a cut source with all its parts, one family) join, most
 * similar first, while their centroids reach `sameJob` and the group fits in `maxSize`; each
 * resulting group becomes a community, and the community's loose tools go with the group whose
 * centroid is most similar to them. Communities with at most one group are left as they are.
 */
export function separateSources(communities: number[][], units: Units, vectors: SparseVector[], sameJob: number, maxSize: number): number[][] {
  const sourceOf = (i: number) => (units.sourceOf[units.unitOf[i]] >= 0 ? units.sourceOf[units.unitOf[i]] : undefined);
  return communities
    .flatMap((community) => {
      const bySource = [...groupBy(community, sourceOf).values()];
      if (bySource.length < 2) return [community];
      const groups = joinSimilar(bySource, vectors, sameJob, maxSize);
      return groups.length < 2 ? [community] : withLooseTools(community, groups, (i) => sourceOf(i) !== undefined, vectors);
    })
    .sort((a, b) => a[0] - b[0]);
}

/**
 * Give each part of a cut source its own group, before the oversize split: the cut already chose
 * the parts along the source's structure (or by the source's own partition), and the split would
 * only regroup them. The community's loose tools go with the part most similar to them.
 */
export function separateParts(communities: number[][], units: Units, vectors: SparseVector[]): number[][] {
  const cut = (i: number) => units.sourceOf[units.unitOf[i]] >= 0 && units.sources[units.sourceOf[units.unitOf[i]]].treatment === 'cut';
  return communities
    .flatMap((community) => {
      const parts = [...groupBy(community, (i) => (cut(i) ? units.unitOf[i] : undefined)).values()];
      if (parts.length < 2) return [community];
      return withLooseTools(community, parts.map((members, k) => ({ inputs: [k], members, centroid: centroidOf(members, vectors) })), cut, vectors);
    })
    .sort((a, b) => a[0] - b[0]);
}
