import type { ToolSpec } from '../spec/tool.js';
import { groupBy } from '../util/group-by.js';

/** A tool set aside as a variant: `of` is the tool kept for their shared name. */
export interface SetAside {
  tool: number;
  of: number;
}

const propertyCount = (t: ToolSpec) => Object.keys(t.parameters.properties ?? {}).length;

/** The fullest definition (most parameters; ties by input order). */
const fullest = (tools: ToolSpec[]) => (a: number, b: number) =>
  propertyCount(tools[b]) > propertyCount(tools[a]) || (propertyCount(tools[b]) === propertyCount(tools[a]) && b < a) ? b : a;

/**
 * Keep one variant of each name per group. Collections repeat a function under one name with
 * different definitions (BFCL documents `Flights_4_SearchOnewayFlight` eleven times; tau-bench and
 * tau2-bench share their retail tools); ingest keeps them all, suffixed (`variantOf`). They are so
 * alike that they land together, and a domain of them would offer an agent eleven copies of one
 * tool. The variant with the most parameters stays (the fullest definition; ties by input order);
 * the others are set aside with it. Variants in different groups all stay.
 *
 * With units (`unitOf`; `loose(i)` for a tool of no source), a tool of a source is set aside only
 * for a variant of its own source, and a loose tool rather for a source's one: a set-aside tool is
 * listed where its kept variant goes, and a source's tools must go where the source goes. Variants
 * of two sources that end in one domain are set aside there (setAsideInDomains).
 */
export function setAsideVariants(groups: number[][], tools: ToolSpec[], units?: { unitOf: ArrayLike<number>; loose: (i: number) => boolean }): { groups: number[][]; setAside: SetAside[] } {
  const kept: number[][] = [];
  const setAside: SetAside[] = [];
  const best = fullest(tools);
  for (const group of groups) {
    const byName = groupBy(group, (i) => tools[i].variantOf ?? tools[i].name);
    const keep = new Set<number>();
    for (const same of byName.values()) {
      const bySource = groupBy(same, (i) => (units && !units.loose(i) ? units.unitOf[i] : undefined));
      const looseOnes = same.filter((i) => !units || units.loose(i));
      const keptOfSources = [...bySource.values()].map((list) => {
        const k = list.reduce(best);
        for (const i of list) if (i !== k) setAside.push({ tool: i, of: k });
        return k;
      });
      const forLoose = (keptOfSources.length > 0 ? keptOfSources : looseOnes).reduce(best);
      for (const k of keptOfSources) keep.add(k);
      if (keptOfSources.length === 0) keep.add(forLoose);
      for (const i of looseOnes) if (i !== forLoose) setAside.push({ tool: i, of: forLoose });
    }
    kept.push(group.filter((i) => keep.has(i)));
  }
  return { groups: kept, setAside: setAside.sort((a, b) => a.tool - b.tool) };
}

/** The same per final domain: tools of a name that still meet in one domain (from two sources) keep the fullest. */
export function setAsideInDomains(domains: number[][], tools: ToolSpec[]): { domains: number[][]; setAside: SetAside[] } {
  const r = setAsideVariants(domains, tools);
  return { domains: r.groups, setAside: r.setAside };
}

/**
 * Each set-aside variant goes where the variant finally kept for its name went (following a kept
 * tool that was set aside later in turn): listed with that domain, or isolated with it.
 */
export function placeVariants(domains: number[][], setAside: SetAside[], toolCount: number): { byDomain: SetAside[][]; isolated: number[] } {
  const domainOf = new Int32Array(toolCount).fill(-1);
  domains.forEach((d, di) => d.forEach((i) => (domainOf[i] = di)));
  const keptFor = new Map(setAside.map((v) => [v.tool, v.of]));
  const final = (i: number): number => (keptFor.has(i) ? final(keptFor.get(i)!) : i);
  const byDomain: SetAside[][] = domains.map(() => []);
  const isolated: number[] = [];
  for (const { tool } of [...setAside].sort((a, b) => a.tool - b.tool)) {
    const of = final(tool);
    if (domainOf[of] >= 0) byDomain[domainOf[of]].push({ tool, of });
    else isolated.push(tool);
  }
  return { byDomain, isolated };
}
