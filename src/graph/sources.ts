import { documentOf } from '../corpus/types.js';
import type { ToolSpec } from '../spec/tool.js';
import { groupBy } from '../util/group-by.js';
import type { Adjacency } from './communities.js';

/** Tools that came from one place: one API, MCP server, class or tool list. */
export interface SourceGroup {
  /** The origin the tools share: a record, a document, a file or a folder (as ingest wrote it in `source`). */
  name: string;
  /** Tool indexes, ascending. */
  members: number[];
  /**
   * `listed`: the tools were listed together (one OpenAPI document, one tools/list, one class file,
   * one record with several functions). `gathered`: documents of one tool each, gathered by their
   * file (JSON Lines) or folder; such a group is a source only when the graph agrees (`cohesion`).
   */
  kind: 'listed' | 'gathered';
}

/** A JSON Lines document (`file:12`) lies in its file; other documents are their file. */
const fileOf = (doc: string) => doc.replace(/:\d+$/, '');

function folderOf(file: string): string | undefined {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? undefined : file.slice(0, slash + 1);
}

/**
 * The source groups of a pool of tools, read from where ingest says each tool came from (`source`:
 * file, line for JSON Lines, JSON pointer; or a corpus list's own `owner/repo@commit:path#locator`).
 * A tool belongs to the most specific origin it shares with other tools:
 * 1. its record, when the record lists several tools (a BFCL entry; a corpus list whose source
 *    names a server);
 * 2. its document (an OpenAPI spec, an MCP tools/list file, a tau2 `tools.py`): `listed`, unless
 *    the document also holds records of several tools, whose other tools are then `gathered`; a
 *    document whose tools name two or more collections in `group` (a file of many servers' tools)
 *    is a list per collection (`servers.json#figma`), and a collection of one tool there is no group;
 * 3. its JSON Lines file, when each line holds one tool (`gathered`);
 * 4. its folder, when each file holds one tool (tau-bench's one file per tool; `gathered`).
 * In 3 and 4, tools that name different collections in `group` are gathered per collection, so
 * that a file of one-tool servers is no source.
 * A tool that shares none of these is a source of its own and is not listed. Groups come in the
 * order of their first tool.
 */
export function sourceGroups(tools: ToolSpec[]): SourceGroup[] {
  const all = tools.map((_, i) => i);
  const groups: SourceGroup[] = [];
  const grouped = new Uint8Array(tools.length);
  const take = (name: string, members: number[], kind: SourceGroup['kind']) => {
    groups.push({ name, members, kind });
    for (const i of members) grouped[i] = 1;
  };
  const records = groupBy(all, (i) => tools[i].source);
  const severalInRecord = new Set<string>();
  for (const [name, members] of records) {
    if (members.length < 2) continue;
    take(name, members, 'listed');
    severalInRecord.add(documentOf(name));
  }
  const groupsIn = new Map<string, Set<string>>();
  for (const t of tools) if (t.group !== undefined) groupsIn.set(documentOf(t.source), (groupsIn.get(documentOf(t.source)) ?? new Set()).add(t.group));
  // A document listing several servers' (or APIs') tools, each named by its `group`: each is a list of its own.
  const listOf = (t: ToolSpec) => {
    const doc = documentOf(t.source);
    return t.group !== undefined && groupsIn.get(doc)!.size >= 2 ? `${doc}#${t.group}` : doc;
  };
  const byDocument = groupBy(all.filter((i) => !grouped[i]), (i) => listOf(tools[i]));
  for (const [name, members] of byDocument) if (members.length >= 2) take(name, members, severalInRecord.has(name) ? 'gathered' : 'listed');
  // A server of one tool in a document of several servers is a source of its own: never gathered with its neighbours.
  const alone = all.filter((i) => !grouped[i] && listOf(tools[i]) === documentOf(tools[i].source));
  // Nor are tools that name different collections (a JSON Lines file of one-tool servers): gathered per collection.
  const gather = (members: number[], place: (i: number) => string | undefined) => {
    const named = new Map<string | undefined, Set<string>>();
    for (const i of members) if (tools[i].group !== undefined) named.set(place(i), (named.get(place(i)) ?? new Set()).add(tools[i].group!));
    const key = (i: number) => (place(i) !== undefined && tools[i].group !== undefined && named.get(place(i))!.size >= 2 ? `${place(i)}#${tools[i].group}` : place(i));
    for (const [name, group] of groupBy(members, key)) if (name !== undefined && group.length >= 2) take(name, group, 'gathered');
  };
  gather(alone, (i) => fileOf(documentOf(tools[i].source)));
  gather(alone.filter((i) => !grouped[i]), (i) => folderOf(fileOf(documentOf(tools[i].source))));
  return groups.sort((a, b) => a.members[0] - b.members[0]);
}

/**
 * How much more of a group's edge weight stays inside it than chance would keep there, on a
 * scale from 0 (as chance: the tools' neighbours are anywhere in the pool) to 1 (all inside):
 * (inside / volume - volume / total) / (1 - volume / total); 1 for the whole pool. Edges between variants of one name
 * (`sameName`: copies of a tool in another collection) say nothing about the group and are left out.
 */
export function cohesion(members: number[], adj: Adjacency, totalVolume: number, sameName: (i: number, j: number) => boolean): number {
  const inside = new Set(members);
  let volume = 0;
  let within = 0;
  for (const i of members) {
    for (const { j, weight } of adj[i]) {
      if (sameName(i, j)) continue;
      volume += weight;
      if (inside.has(j)) within += weight;
    }
  }
  if (volume === 0) return 0;
  // A group that is the whole pool has nothing to be compared with: it is the collection given.
  if (volume >= totalVolume) return 1;
  const chance = volume / totalVolume;
  return (within / volume - chance) / (1 - chance);
}

/**
 * Cohesion a group must have to be a source when the way it was recorded does not say so: a
 * `gathered` group, or any group larger than a domain may be (a whole benchmark category listed as
 * one file is a collection, not an API). Measured with the shared corpora (variants left out):
 * tau-bench's one-file-per-tool folders 0.36 pooled with tau2-bench, 0.55 alone; every OpenAPI
 * spec and tau2 domain larger than 40 tools 0.83 or more; BFCL's category files, gathered or
 * listed, 0.24 at most (most below 0.03); a pool dealt into ten JSON Lines files (bench:partition) about 0.
 */
export const MIN_COHESION = 0.3;
