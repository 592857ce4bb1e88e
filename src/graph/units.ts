import type { ToolSpec } from '../spec/tool.js';
import type { Adjacency } from './communities.js';
import { cutSource, hasStructure, type CutSettings, type SourcePart } from './cut.js';
import { cohesion, MIN_COHESION, sourceGroups, type SourceGroup } from './sources.js';
import type { SparseVector } from './vectors.js';

/** A source group as the partition treated it. */
export interface Source extends SourceGroup {
  /** `whole`: one unit; `cut`: larger than a domain may be, cut into `parts`; `loose`: a gathered or large group without cohesion, its tools placed one by one. */
  treatment: 'whole' | 'cut' | 'loose';
  /** A cut source's parts, and the criteria that cut it, in the order first used (`tags`, `path prefixes`, `entities`, `similarity`). */
  parts?: SourcePart[];
  cutBy?: string[];
}

/**
 * What the partition may not cut: each source kept whole (or each part of a cut source) is one
 * unit, every other tool a unit of its own (a loose tool).
 */
export interface Units {
  /** The unit of each tool. */
  unitOf: Int32Array;
  /** Tools of each unit, ascending; units are ordered by their first tool. */
  members: number[][];
  /** The source (index into `sources`) each unit belongs to, or -1 for a loose tool. */
  sourceOf: Int32Array;
  sources: Source[];
}

/** Units of the tools: source groups (sources.ts), the large ones cut (cut.ts); gathered and large ones only with cohesion (MIN_COHESION). */
export function buildUnits(tools: ToolSpec[], adj: Adjacency, vectors: SparseVector[], s: CutSettings): Units {
  const base = tools.map((t) => t.variantOf ?? t.name);
  const sameName = (i: number, j: number) => base[i] === base[j];
  let totalVolume = 0;
  adj.forEach((list, i) => list.forEach(({ j, weight }) => (totalVolume += sameName(i, j) ? 0 : weight)));
  const lists: Array<{ members: number[]; source: number }> = [];
  const sources: Source[] = [];
  for (const group of sourceGroups(tools)) {
    const source = sources.length;
    // A source that is the whole pool with no structure to cut along is cut by similarity alone: the partition without sources.
    const unstructuredPool = group.members.length === tools.length && group.members.length > s.maxSize && !hasStructure(group.members, tools);
    if (unstructuredPool || group.kind === 'gathered' || group.members.length > s.maxSize) {
      if (unstructuredPool || cohesion(group.members, adj, totalVolume, sameName) < MIN_COHESION) {
        sources.push({ ...group, treatment: 'loose' });
        continue;
      }
    }
    if (group.members.length <= s.maxSize) {
      sources.push({ ...group, treatment: 'whole' });
      lists.push({ members: group.members, source });
    } else {
      const { parts, by } = cutSource(group.members, tools, vectors, s);
      sources.push({ ...group, treatment: 'cut', parts, cutBy: by });
      for (const part of parts) lists.push({ members: part.members, source });
    }
  }
  const unitOf = new Int32Array(tools.length).fill(-1);
  for (const { members } of lists) for (const i of members) unitOf[i] = 0;
  tools.forEach((_, i) => {
    if (unitOf[i] < 0) lists.push({ members: [i], source: -1 });
  });
  lists.sort((a, b) => a.members[0] - b.members[0]);
  const sourceOf = Int32Array.from(lists, (l) => l.source);
  lists.forEach((l, u) => l.members.forEach((i) => (unitOf[i] = u)));
  return { unitOf, members: lists.map((l) => l.members), sourceOf, sources };
}

/** Every tool a unit of its own: the partition without sources. */
export function looseUnits(count: number): Units {
  return {
    unitOf: Int32Array.from({ length: count }, (_, i) => i),
    members: Array.from({ length: count }, (_, i) => [i]),
    sourceOf: new Int32Array(count).fill(-1),
    sources: [],
  };
}

/**
 * Families: a whole source (all the parts of a cut one) or a loose tool, ordered by first tool.
 * Louvain places families, so that the parts of one source stay one community, which the oversize
 * split then cuts again along the parts (units).
 */
export function families(units: Units): { of: Int32Array; members: number[][] } {
  const lists: number[][] = [];
  const bySource = new Map<number, number[]>();
  units.members.forEach((m, u) => {
    const s = units.sourceOf[u];
    if (s < 0) return void lists.push([...m]);
    const list = bySource.get(s);
    if (list) list.push(...m);
    else {
      const fresh = [...m];
      bySource.set(s, fresh);
      lists.push(fresh);
    }
  });
  const members = lists.map((l) => l.sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  const of = new Int32Array(units.unitOf.length);
  members.forEach((m, f) => m.forEach((i) => (of[i] = f)));
  return { of, members };
}
