import type { ToolSpec } from '../spec/tool.js';

/** A tool set aside as a variant: `of` is the tool kept for their shared name. */
export interface SetAside {
  tool: number;
  of: number;
}

const propertyCount = (t: ToolSpec) => Object.keys(t.parameters.properties ?? {}).length;

/**
 * Keep one variant of each name per group. Collections repeat a function under one name with
 * different definitions (BFCL documents `Flights_4_SearchOnewayFlight` eleven times; tau-bench and
 * tau2-bench share their retail tools); ingest keeps them all, suffixed (`variantOf`). They are so
 * alike that they land together, and a domain of them would offer an agent eleven copies of one
 * tool. The variant with the most parameters stays (the fullest definition; ties by input order);
 * the others are set aside with it. Variants in different groups all stay.
 */
export function setAsideVariants(groups: number[][], tools: ToolSpec[]): { groups: number[][]; setAside: SetAside[] } {
  const kept: number[][] = [];
  const setAside: SetAside[] = [];
  for (const group of groups) {
    const byName = new Map<string, number[]>();
    for (const i of group) {
      const name = tools[i].variantOf ?? tools[i].name;
      const list = byName.get(name);
      if (list) list.push(i);
      else byName.set(name, [i]);
    }
    const keep = new Set<number>();
    for (const same of byName.values()) {
      const best = same.reduce((a, b) => (propertyCount(tools[b]) > propertyCount(tools[a]) || (propertyCount(tools[b]) === propertyCount(tools[a]) && b < a) ? b : a));
      keep.add(best);
      for (const i of same) if (i !== best) setAside.push({ tool: i, of: best });
    }
    kept.push(group.filter((i) => keep.has(i)));
  }
  return { groups: kept, setAside: setAside.sort((a, b) => a.tool - b.tool) };
}

/** Each set-aside variant goes where the variant kept for its name went: listed with that domain, or isolated with it. */
export function placeVariants(domains: number[][], setAside: SetAside[], toolCount: number): { byDomain: SetAside[][]; isolated: number[] } {
  const domainOf = new Int32Array(toolCount).fill(-1);
  domains.forEach((d, di) => d.forEach((i) => (domainOf[i] = di)));
  const byDomain: SetAside[][] = domains.map(() => []);
  const isolated: number[] = [];
  for (const v of setAside) {
    if (domainOf[v.of] >= 0) byDomain[domainOf[v.of]].push(v);
    else isolated.push(v.tool);
  }
  return { byDomain, isolated };
}
