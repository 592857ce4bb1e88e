import { DirectedGraph } from 'graphology';
import type { Domain } from '../env/domain.js';
import { tokenize } from '../env/sql-tokens.js';
import { aliases, tableReferences, type ParamSource } from './param-sources.js';

/** The tables a tool's SQL reads or writes: the entities it touches. */
export function tablesOf(domain: Domain, tool: string): Set<string> {
  const compiled = domain.tools.get(tool)!;
  const tables = new Map(domain.spec.tables.map((t) => [t.name, t]));
  const out = new Set<string>();
  const statements = [...compiled.steps.map((s) => s.stmt.sql), ...(compiled.output ? [compiled.output.stmt.sql] : [])];
  for (const sql of statements) for (const table of aliases(tokenize(sql), tables).values()) out.add(table);
  return out;
}

/**
 * The tables a tool reads, and those that references it reads point at (a user's order ids point
 * at orders): every table whose keys its results can hold. A reference counts when the tool's SQL
 * names its column or reads whole rows (`*`).
 */
export function reachable(domain: Domain, tool: string, refs = tableReferences(domain)): Set<string> {
  const out = tablesOf(domain, tool);
  const compiled = domain.tools.get(tool)!;
  const words = new Set([...compiled.steps.map((s) => s.stmt.sql), ...(compiled.output ? [compiled.output.stmt.sql] : [])].flatMap((sql) => tokenize(sql).map((t) => t.text)));
  for (const t of [...out]) for (const [column, table] of refs.get(t) ?? []) if (words.has(column) || words.has('*')) out.add(table);
  return out;
}

/**
 * The domain's tool dependency graph: A -> B when an entity A reads or returns (or a key one of
 * them points at) can feed a parameter by which B looks up a row. Edge attribute `params` lists those parameters.
 * A domain that lists its `dependencies` (reviewed edges) gets exactly those edges.
 */
export function dependencyGraph(domain: Domain, sources: Map<string, Map<string, ParamSource>>): DirectedGraph {
  const graph = derivedGraph(domain, sources);
  const reviewed = domain.spec.dependencies;
  if (!reviewed) return graph;
  const kept = new DirectedGraph({ allowSelfLoops: false });
  graph.forEachNode((node, attrs) => kept.addNode(node, attrs));
  for (const { from, to } of reviewed) {
    // Files are checked by zod; an in-memory spec whose tools were dropped just loses those edges.
    if (from === to || !kept.hasNode(from) || !kept.hasNode(to) || kept.hasEdge(from, to)) continue;
    kept.addDirectedEdge(from, to, { params: graph.hasEdge(from, to) ? graph.getEdgeAttribute(from, to, 'params') : [] });
  }
  return kept;
}

function derivedGraph(domain: Domain, sources: Map<string, Map<string, ParamSource>>): DirectedGraph {
  const graph = new DirectedGraph({ allowSelfLoops: false });
  for (const [name, tool] of domain.tools) graph.addNode(name, { kind: tool.spec.kind });
  const refs = tableReferences(domain);
  for (const a of domain.tools.keys()) {
    // What A can return keys of: the tables it reads, and the tables they point at (a user's order ids).
    const reads = reachable(domain, a, refs);
    for (const [b, params] of sources) {
      if (a === b) continue;
      const fed = [...params].filter(([, s]) => s.role === 'lookup' && reads.has(s.table)).map(([p]) => p);
      if (fed.length > 0) graph.addDirectedEdge(a, b, { params: fed.sort() });
    }
  }
  return graph;
}
