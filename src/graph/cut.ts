import type { ToolSpec } from '../spec/tool.js';
import { groupBy } from '../util/group-by.js';
import { cosine, joinSimilar, joined } from './centroid.js';
import { splitIdentifier } from './tokens.js';
import type { SparseVector } from './vectors.js';

/** One part of a source cut because it is larger than a domain may be. */
export interface SourcePart {
  /** Tool indexes, ascending. */
  members: number[];
  /** The sections of the source it holds, each as the steps that cut it out (`tag Orders`, `path /orders/returns`). */
  where: string[];
}

/**
 * Sections pack together only at this centroid cosine or above; those below minSize join a part
 * regardless. Areas of one API share its vocabulary: on the shared OpenAPI specs 0 and 0.05 packed
 * the same parts, 0.1 left 3 to 12-tool areas (Slack's oauth, bigoven's reviews) as domains of their
 * own. The floor keeps unrelated clusters of a large unstructured file (cut by similarity) apart.
 */
export const PACK_SIMILARITY = 0.05;

export interface CutSettings {
  maxSize: number;
  minSize: number;
  /** The tools' domains by similarity alone: the partition run on these tools only, every one loose. */
  bySimilarity: (members: number[]) => number[][];
}

/** One way to divide tools: a section label for each tool (`tag Orders`, `path /orders`, `entity card_id`), or undefined when it does not apply. */
type Criterion = (members: number[], tools: ToolSpec[]) => ((i: number) => string) | undefined;

/** OpenAPI tags: the first tag names the area an API files the operation under. */
const byTag: Criterion = (_members, tools) => (i) => (tools[i].tags?.[0] === undefined ? 'untagged' : `tag ${tools[i].tags![0]}`);

const literalSegments = (path: string) => path.split('/').filter((s) => s !== '' && !s.includes('{'));

/** OpenAPI paths: the first literal segment after the prefix all the tools share (`/rest/api/2` + `/issue`). */
const byPath: Criterion = (members, tools) => {
  const withPath = members.filter((i) => tools[i].path !== undefined).map((i) => literalSegments(tools[i].path!));
  if (withPath.length === 0) return undefined;
  let common = 0;
  while (withPath.every((s) => s.length > common && s[common] === withPath[0][common])) common++;
  return (i) => (tools[i].path === undefined ? 'no path' : `path /${literalSegments(tools[i].path!).slice(0, common + 1).join('/')}`);
};

const IDENTIFIER = /(^|[a-z0-9_])(id|ids|Id|Ids|ID|IDs)$/;

/** Words that end schema names without naming anything (`UserResponse`, `OrderDto`). */
const GENERIC_NAME_WORDS = new Set(['response', 'result', 'results', 'object', 'model', 'dto', 'schema', 'data', 'body', 'output', 'resource', 'entity', 'info', 'details']);

/** Wrapper fields a response puts its items in (`{data: [...], next: ...}`): the entity is inside. */
const WRAPPER_FIELDS = 3;

/**
 * The entity a tool's response is named after: the `title` of its output contract (ingest keeps a
 * referenced schema's name there), looking through arrays, all/any/oneOf and small wrappers that hold
 * one list (`{data: [...], paging}`). `ErrorResponse`-like names say nothing and are left out.
 */
export function responseEntity(schema: unknown, depth = 0): string | undefined {
  if (typeof schema !== 'object' || schema === null || depth > 4) return undefined;
  const s = schema as Record<string, unknown>;
  if (typeof s.title === 'string' && s.title.trim() !== '') {
    const words = splitIdentifier(s.title);
    while (words.length > 0 && GENERIC_NAME_WORDS.has(words.at(-1)!)) words.pop();
    return words.length === 0 || words.includes('error') ? undefined : words.join('_');
  }
  if (s.items !== undefined) return responseEntity(s.items, depth + 1);
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(s[k])) for (const alt of s[k] as unknown[]) {
      const e = responseEntity(alt, depth + 1);
      if (e) return e;
    }
  }
  const props = typeof s.properties === 'object' && s.properties !== null ? Object.values(s.properties as Record<string, unknown>) : [];
  const lists = props.filter((p) => typeof p === 'object' && p !== null && ((p as Record<string, unknown>).type === 'array' || 'items' in p));
  return props.length <= WRAPPER_FIELDS && lists.length === 1 ? responseEntity(lists[0], depth + 1) : undefined;
}

/**
 * Shared entities: the identifier a tool takes, or the entity its response is named after
 * (`playlist (response)`), that the fewest of these tools have (`card_id` rather than `user_id`),
 * as the entity it works on; tools with neither form their own section. The response entity was
 * measured on the 16 tagged specs above 40 operations of both shared OpenAPI folders, with tags
 * and paths removed (as an MCP server wrapping the API lists them): the share of operations cut
 * into the part that holds most of their tag rose from 0.81 to 0.88 (12 specs better, 2 worse),
 * with as many parts or fewer. Response field names as similarity terms did less (0.84 at weight
 * 0.5, mixed by spec; see features.ts). Only for an API over entities, where most tools have one:
 * a file of unrelated functions that happen to share `user_id` is cut by similarity instead (on the shared corpora,
 * cutting BFCL's classes pooled in one file by entities lowered its ARI from 0.53 to 0.41).
 */
const byEntity: Criterion = (members, tools) => {
  const returned = (i: number) => {
    const e = responseEntity(tools[i].outputSchema);
    return e === undefined ? [] : [`${e} (response)`];
  };
  const ids = new Map(
    members.map((i) => [i, [...Object.keys(tools[i].parameters.properties ?? {}).filter((p) => IDENTIFIER.test(p)).map((p) => splitIdentifier(p).join('_')), ...returned(i)]]),
  );
  if ([...ids.values()].filter((l) => l.length > 0).length * 2 < members.length) return undefined;
  const df = new Map<string, number>();
  for (const list of ids.values()) for (const id of new Set(list)) df.set(id, (df.get(id) ?? 0) + 1);
  return (i) => {
    const list = ids.get(i)!;
    return list.length === 0 ? 'no identifier' : `entity ${[...list].sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : 1))[0]}`;
  };
};

/** The sections a criterion divides the tools into (one when it does not divide them). */
function sectionsBy(criterion: Criterion, members: number[], tools: ToolSpec[]): Map<string, number[]> {
  const label = criterion(members, tools);
  return label ? groupBy(members, label) : new Map([['', members]]);
}

const CRITERIA: Array<[string, Criterion]> = [['tags', byTag], ['path prefixes', byPath], ['entities', byEntity]];

/** Whether the source's own structure (tags, path prefixes, entities) divides it at all. */
export function hasStructure(members: number[], tools: ToolSpec[]): boolean {
  return CRITERIA.some(([, criterion]) => sectionsBy(criterion, members, tools).size >= 2);
}

/** Sections of at most maxSize tools: the first criterion that divides the tools, recursively; then the similarity graph. Adds the criteria used to `used`. */
function divide(members: number[], where: string, tools: ToolSpec[], s: CutSettings, used: Set<string>): SourcePart[] {
  if (members.length <= s.maxSize) return [{ members, where: where === '' ? [] : [where] }];
  for (const [name, criterion] of CRITERIA) {
    const split = sectionsBy(criterion, members, tools);
    if (split.size < 2) continue;
    used.add(name);
    // A deeper path prefix replaces the one it extends (`path /api/2/issue`, not `path /api > path /api/2/issue`).
    const steps = where === '' ? [] : where.split(' > ');
    const within = (label: string) => [...(label.startsWith('path /') && steps.at(-1)?.startsWith('path /') ? steps.slice(0, -1) : steps), label].join(' > ');
    return [...split].flatMap(([label, sub]) => divide(sub, within(label), tools, s, used));
  }
  used.add('similarity');
  return s.bySimilarity(members).map((part) => ({
    members: part,
    where: [where === '' ? 'similar tools' : `${where} > similar tools`],
  }));
}

/**
 * Pack sections into as few parts as fit: the most similar pair of parts (centroid cosine, at least
 * PACK_SIMILARITY) that fits in maxSize merges first. Parts cut by similarity are packed too: the
 * source's own partition cuts it into its natural areas, not into as few domains as fit (a 45-tool
 * MCP server of fixtures/mcp-pool came out as 6 domains of 5 to 10 tools, packed 2). Parts still below minSize (a lone helper, a
 * tag of one operation) then join the most similar part with room, however similar.
 */
function pack(sections: SourcePart[], vectors: SparseVector[], s: CutSettings): SourcePart[] {
  const packed = joinSimilar(sections.map((p) => p.members), vectors, PACK_SIMILARITY, s.maxSize).map((g) => ({
    members: g.members,
    where: g.inputs.flatMap((k) => sections[k].where),
    centroid: g.centroid,
  }));
  let live = packed.map((_, i) => i);
  for (const small of live.filter((i) => packed[i].members.length < s.minSize)) {
    // It may have grown since by taking in another small part.
    if (packed[small].members.length >= s.minSize) continue;
    let best = -1;
    let bestSim = -1;
    for (const other of live) {
      if (other === small || packed[other].members.length + packed[small].members.length > s.maxSize) continue;
      const sim = cosine(packed[small].centroid, packed[other].centroid);
      if (sim > bestSim) [best, bestSim] = [other, sim];
    }
    if (best < 0) continue;
    packed[best].members.push(...packed[small].members);
    packed[best].where.push(...packed[small].where);
    packed[best].centroid = joined(packed[best].centroid, packed[small].centroid);
    live = live.filter((i) => i !== small);
  }
  return live
    .map((i) => ({ members: packed[i].members.sort((x, y) => x - y), where: [...new Set(packed[i].where)].sort() }))
    .sort((x, y) => x.members[0] - y.members[0]);
}

/**
 * Cut a source larger than a domain may be along its own structure: OpenAPI tags, then path
 * prefixes, then the entities its identifiers name, each applied again inside a section still too
 * large; a section none of them divides is cut by the similarity graph (Louvain on its subgraph).
 * The sections are then packed into as few parts of at most maxSize tools as their similarity
 * allows, so a 60-operation API becomes two domains of related areas, not ten.
 */
export function cutSource(members: number[], tools: ToolSpec[], vectors: SparseVector[], s: CutSettings): { parts: SourcePart[]; by: string[] } {
  const used = new Set<string>();
  const parts = pack(divide(members, '', tools, s, used), vectors, s);
  return { parts, by: [...used] };
}
