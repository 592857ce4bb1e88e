import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UndirectedGraph } from 'graphology';
import { parseOrExplain } from '../env/load.js';
import { corpusHash } from '../graph/partition.js';
import { readCorpus } from '../graph/run.js';
import { PartitionPlan } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { UserError } from '../util/errors.js';
import { readJsonFile } from '../util/files.js';
import { forceLayout, nearestDistances, sunflower, type Point } from './layout.js';

/** Plans up to this many tools are drawn tool by tool; larger ones as domains, tools on demand. */
export const TOOL_LEVEL_MAX = 5000;
/** Domain-to-domain edges drawn per domain (the strongest); the layout uses them all. */
const EDGES_PER_DOMAIN = 6;

export interface PlanGraph {
  file: string;
  /** Where the tool graph came from, or why there is none (then domains are placed without edges). */
  graphFile: string | null;
  note?: string;
  stats: PartitionPlan['stats'];
  settings: PartitionPlan['settings'];
  singletonRule: string;
  isolated: number;
  domains: Array<{ name: string; terms: string[]; community: number; tools: number; variants: number; radius: number } & Point>;
  /** Domain-level edges: [domain index, domain index, summed tool-edge weight]. */
  edges: Array<[number, number, number]>;
  /** Present for plans of at most TOOL_LEVEL_MAX tools: every tool, by domain index, and the tool edges. */
  tools?: { names: string[]; domain: number[]; x: number[]; y: number[]; edges: Array<[number, number]> };
}

export interface PlanDomain {
  name: string;
  terms: string[];
  community: number;
  tools: Array<{ name: string; description: string | null; source: string | null; method: string | null; path: string | null } & Point>;
  variants: Array<{ tool: string; of: string }>;
  /** Tool edges inside the domain, by index in `tools`. */
  edges: Array<[number, number, number]>;
}

/** The tool graph as `envscale partition -g graph.json` writes it (graphology's serialization). */
interface GraphologyFile {
  nodes: Array<{ key: string; attributes?: { label?: string } }>;
  edges: Array<{ source: string; target: string; attributes?: { weight?: number } }>;
}

function readToolEdges(file: string): Array<[string, string, number]> {
  const data = readJsonFile(file) as Partial<GraphologyFile>;
  if (!Array.isArray(data.nodes) || !Array.isArray(data.edges)) {
    throw new UserError(`${file} is not a tool graph in graphology's JSON format; write one with "envscale partition corpus.json -o plan.json -g graph.json".`);
  }
  const label = new Map(data.nodes.map((n) => [String(n.key), n.attributes?.label ?? String(n.key)]));
  return data.edges.flatMap((e) => {
    const a = label.get(String(e.source));
    const b = label.get(String(e.target));
    return a !== undefined && b !== undefined ? [[a, b, e.attributes?.weight ?? 1] as [string, string, number]] : [];
  });
}

interface Built {
  mtime: number;
  plan: PartitionPlan;
  graph: PlanGraph;
  /** Tool positions by name (every planned tool), and tool edges. */
  at: Map<string, Point>;
  toolEdges: Array<[string, string, number]>;
}

/**
 * The partition page's data: a plan, its tool graph (from `--graph`, or graph.json beside the
 * plan) and its corpus (corpus.json beside it, for descriptions). Domains are laid out with
 * ForceAtlas2 on the domain graph (tool edges summed between domains); each domain's tools sit
 * in a disc around it, never reaching a neighbouring domain's disc.
 */
export class PlanView {
  private built?: Built;
  private corpus?: Map<string, ToolSpec> | null;

  constructor(
    readonly file: string,
    private readonly graphFile?: string,
  ) {}

  private build(): Built {
    if (!existsSync(this.file)) throw new UserError(`No plan at ${this.file}; write one with "envscale partition corpus.json -o ${this.file}".`);
    const mtime = statSync(this.file).mtimeMs;
    if (this.built?.mtime === mtime) return this.built;
    const plan = parseOrExplain(PartitionPlan, readJsonFile(this.file), this.file);
    const sibling = join(dirname(this.file), 'graph.json');
    const graphFile = this.graphFile ?? (existsSync(sibling) ? sibling : null);
    const toolEdges = graphFile ? readToolEdges(graphFile) : [];

    const domainOf = new Map<string, number>();
    plan.domains.forEach((d, i) => d.tools.forEach((t) => domainOf.set(t, i)));
    const sums = new Map<string, number>();
    for (const [a, b, w] of toolEdges) {
      const [da, db] = [domainOf.get(a), domainOf.get(b)];
      if (da === undefined || db === undefined || da === db) continue;
      const key = da < db ? `${da},${db}` : `${db},${da}`;
      sums.set(key, (sums.get(key) ?? 0) + w);
    }
    const domainGraph = new UndirectedGraph();
    plan.domains.forEach((_d, i) => domainGraph.addNode(String(i)));
    const edges = [...sums].map(([key, w]) => [...key.split(',').map(Number), w] as [number, number, number]);
    for (const [a, b, w] of edges) domainGraph.addEdge(String(a), String(b), { weight: w });
    const pos = forceLayout(domainGraph);
    const centres = plan.domains.map((_d, i) => pos.get(String(i))!);
    const nearest = nearestDistances(centres);

    const at = new Map<string, Point>();
    plan.domains.forEach((d, i) => sunflower(centres[i], 0.4 * nearest[i], d.tools.length).forEach((p, j) => at.set(d.tools[j], p)));
    const graph: PlanGraph = {
      file: this.file,
      graphFile,
      ...(graphFile ? {} : { note: `no tool graph beside the plan (graph.json): domains are placed without similarity edges; write one with "envscale partition -g graph.json" or pass --graph` }),
      stats: plan.stats,
      settings: plan.settings,
      singletonRule: plan.singletonRule,
      isolated: plan.isolated.length,
      domains: plan.domains.map((d, i) => ({ name: d.name, terms: d.terms.slice(0, 8), community: d.community, tools: d.tools.length, variants: d.variants.length, radius: 0.4 * nearest[i], ...centres[i] })),
      edges: strongest(edges, plan.domains.length),
    };
    const total = plan.domains.reduce((n, d) => n + d.tools.length, 0);
    if (total <= TOOL_LEVEL_MAX) {
      const names = plan.domains.flatMap((d) => d.tools);
      const index = new Map(names.map((n, i) => [n, i]));
      graph.tools = {
        names,
        domain: names.map((n) => domainOf.get(n)!),
        x: names.map((n) => at.get(n)!.x),
        y: names.map((n) => at.get(n)!.y),
        edges: toolEdges.flatMap(([a, b]) => (index.has(a) && index.has(b) ? [[index.get(a)!, index.get(b)!] as [number, number]] : [])),
      };
    }
    this.built = { mtime, plan, graph, at, toolEdges };
    return this.built;
  }

  graph(): PlanGraph {
    return this.build().graph;
  }

  domain(name: string): PlanDomain {
    const { plan, at, toolEdges } = this.build();
    const d = plan.domains.find((x) => x.name === name);
    if (!d) throw new UserError(`The plan ${this.file} has no domain ${name}.`);
    const index = new Map(d.tools.map((t, i) => [t, i]));
    const corpus = this.corpusTools(plan);
    return {
      name: d.name,
      terms: d.terms,
      community: d.community,
      tools: d.tools.map((t) => {
        const spec = corpus?.get(t);
        return { name: t, description: spec?.description ?? null, source: spec?.source ?? null, method: spec?.method ?? null, path: spec?.path ?? null, ...at.get(t)! };
      }),
      variants: d.variants,
      edges: toolEdges.flatMap(([a, b, w]) => (index.has(a) && index.has(b) ? [[index.get(a)!, index.get(b)!, w] as [number, number, number]] : [])),
    };
  }

  /** The corpus beside the plan, when it is the one the plan was built from (descriptions of tools). */
  private corpusTools(plan: PartitionPlan): Map<string, ToolSpec> | null {
    if (this.corpus !== undefined) return this.corpus;
    const file = join(dirname(this.file), 'corpus.json');
    this.corpus = null;
    if (existsSync(file)) {
      const tools = readCorpus(file).tools;
      if (corpusHash(tools) === plan.corpusHash) this.corpus = new Map(tools.map((t) => [t.name, t]));
    }
    return this.corpus;
  }
}

/** The strongest few edges of every node (an edge kept by either end). */
function strongest(edges: Array<[number, number, number]>, nodes: number): Array<[number, number, number]> {
  const byNode: Array<Array<[number, number, number]>> = Array.from({ length: nodes }, () => []);
  for (const e of edges) byNode[e[0]].push(e), byNode[e[1]].push(e);
  const kept = new Set<[number, number, number]>();
  for (const list of byNode) list.sort((a, b) => b[2] - a[2]).slice(0, EDGES_PER_DOMAIN).forEach((e) => kept.add(e));
  return edges.filter((e) => kept.has(e)).map(([a, b, w]) => [a, b, Math.round(w * 1000) / 1000]);
}
