import type { PlannedDomain, PlannedSource } from '../spec/plan.js';
import type { Units } from './units.js';
import type { SetAside } from './variants.js';
import type { SparseVector } from './vectors.js';

export interface Provenance {
  /** Per domain: its sources with tool counts, and the terms its sources share. */
  domains: Array<Pick<PlannedDomain, 'sources' | 'shared'>>;
  sources: PlannedSource[];
  stats: { sources: number; sourcesKeptWhole: number; sourcesCut: number };
}

function countBy<T>(items: T[]): Array<[T, number]> {
  const counts = new Map<T, number>();
  for (const x of items) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts];
}

/** Terms strong in at least two of the groups: ranked by their second-highest mean weight over the groups. */
function sharedTerms(groups: number[][], vectors: SparseVector[], vocabulary: string[], count = 5): string[] {
  const best = new Map<number, [number, number]>();
  for (const g of groups) {
    const sum = new Map<number, number>();
    for (const i of g) {
      const v = vectors[i];
      for (let k = 0; k < v.terms.length; k++) sum.set(v.terms[k], (sum.get(v.terms[k]) ?? 0) + v.weights[k]);
    }
    for (const [t, w] of sum) {
      const mean = w / g.length;
      const [first, second] = best.get(t) ?? [0, 0];
      best.set(t, mean > first ? [mean, first] : [first, Math.max(second, mean)]);
    }
  }
  return [...best]
    .filter(([t, [, second]]) => second > 0 && !/^[=/]/.test(vocabulary[t]))
    .sort((a, b) => b[1][1] - a[1][1] || (vocabulary[a[0]] < vocabulary[b[0]] ? -1 : 1))
    .slice(0, count)
    .map(([t]) => vocabulary[t]);
}

/**
 * Where each domain's tools came from and what became of each source: kept whole, cut (why and
 * where), or placed tool by tool; with the counts the plan's stats give. A variant counts in its
 * kept tool's domain; an isolated tool in none.
 */
export function describeProvenance(
  units: Units,
  domains: number[][],
  names: string[],
  variants: SetAside[][],
  vectors: SparseVector[],
  vocabulary: string[],
  maxSize: number,
): Provenance {
  const domainOf = new Int32Array(units.unitOf.length).fill(-1);
  domains.forEach((d, di) => d.forEach((i) => (domainOf[i] = di)));
  variants.forEach((list, di) => list.forEach((v) => (domainOf[v.tool] = di)));
  const sourceOfTool = (i: number) => units.sourceOf[units.unitOf[i]];
  const inDomain = domains.map((d, di) => [...d, ...variants[di].map((v) => v.tool)]);
  const sourceName = (s: number) => units.sources[s].name;

  const perDomain = inDomain.map((tools) => {
    const counts = countBy(tools.map(sourceOfTool).filter((s) => s >= 0)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const bySource = counts.map(([s]) => tools.filter((i) => sourceOfTool(i) === s));
    return {
      sources: counts.map(([s, n]) => ({ source: sourceName(s), tools: n })),
      shared: counts.length >= 2 ? sharedTerms(bySource, vectors, vocabulary) : [],
    };
  });

  const domainsOf = (members: number[]) =>
    countBy(members.map((i) => domainOf[i]).filter((d) => d >= 0))
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([d, n]) => ({ domain: names[d], tools: n }));
  let counted = 0;
  let whole = 0;
  let cut = 0;
  const sources: PlannedSource[] = units.sources.map((src) => {
    const where = domainsOf(src.members);
    const placed = src.members.every((i) => domainOf[i] >= 0);
    if (src.treatment !== 'loose' && src.members.length <= maxSize) {
      counted++;
      if (placed && where.length === 1) whole++;
    }
    const out: PlannedSource = { name: src.name, tools: src.members.length, kind: src.kind, treatment: src.treatment, domains: where };
    if (src.treatment === 'cut' && src.parts) {
      cut++;
      out.cut = {
        reason: `${src.members.length} tools, more than the ${maxSize} a domain may hold; cut by ${(src.cutBy ?? []).join(', then ')}`,
        parts: src.parts.map((p) => {
          const [top] = domainsOf(p.members);
          return top === undefined ? { tools: p.members.length, where: p.where } : { domain: top.domain, tools: p.members.length, where: p.where };
        }),
      };
    }
    return out;
  });
  return { domains: perDomain, sources, stats: { sources: counted, sourcesKeptWhole: whole, sourcesCut: cut } };
}
