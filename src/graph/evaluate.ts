import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ingest } from '../corpus/ingest.js';
import { documentOf } from '../corpus/types.js';
import type { PartitionPlan } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { domainOfTool } from './membership.js';
import { adjustedRandIndex, purity } from './metrics.js';
import type { FeatureWeights } from './features.js';
import { DEFAULT_SETTINGS, partitionTools } from './partition.js';
import { seededRng } from './rng.js';
import { groupBy } from '../util/group-by.js';

export interface LabelScores {
  /** ARI of the top-level Louvain communities against the labels. */
  communityAri: number;
  /** ARI of the final domains (isolated tools count as clusters of one). */
  domainAri: number;
  /** Purity of the final domains over every tool: share of tools whose domain's most common label is their own. */
  domainPurity: number;
  /**
   * Purity by source: the same over the tools of labels with 2 or more tools only, labels of one job
   * counted as one (two weather servers in one domain are pure). A lone tool (a label of one tool:
   * a one-tool server, a single function) is left out: where it goes is `loneWithJob`'s question,
   * and counting it here would call every lone tool that joins a domain impure.
   */
  sourcePurity: number;
  /**
   * Share of lone tools placed with their job: in a domain whose other tools' most common job is
   * their own; or, for a lone tool whose job no other tool has, alone (isolated or in a domain of
   * its own). 1 when there are none.
   */
  loneWithJob: number;
  /** How many lone tools `loneWithJob` counts over. */
  loneOf: number;
  /**
   * Share of labels with 2 to maxSize tools whose tools all sit in one domain (a set-aside variant
   * counts in its kept tool's domain; an isolated tool is in none). Labels larger than a domain may
   * be cannot be kept whole and are not counted; 1 when no label qualifies.
   */
  keptWhole: number;
  /** How many labels `keptWhole` counts over. */
  keptWholeOf: number;
}

/** A label's job: the labels a set declares to do the same job share one; any other label is its own. */
export type Jobs = Record<string, string>;

/** Count of each value. */
function counts(values: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

/** Whether a lone tool of `job` sits with its job among the other tools of its domain (`others`: their jobs). */
function withItsJob(job: string, others: string[], partners: number): boolean {
  if (partners === 0) return others.length === 0;
  const inDomain = counts(others);
  return others.length > 0 && (inDomain.get(job) ?? 0) === Math.max(...inDomain.values());
}

/** Score a partition against the tools' `group` labels (and the jobs that join some labels). */
export function scoreAgainstLabels(tools: ToolSpec[], plan: PartitionPlan, communities: number[][], jobs: Jobs = {}): LabelScores {
  const truth = tools.map((t) => t.group ?? '');
  const jobOf = (label: string) => jobs[label] ?? label;
  const byCommunity: string[] = new Array(tools.length);
  communities.forEach((c, ci) => c.forEach((i) => (byCommunity[i] = `c${ci}`)));
  const domainOf = domainOfTool(plan);
  const byDomain = tools.map((t) => domainOf.get(t.name)?.name ?? `isolated:${t.name}`);
  const domainsOf = new Map<string, Set<string>>();
  truth.forEach((label, i) => {
    const set = domainsOf.get(label) ?? new Set<string>();
    set.add(byDomain[i]);
    domainsOf.set(label, set);
  });
  const sizes = counts(truth);
  const counted = [...sizes].filter(([, n]) => n >= 2 && n <= plan.settings.maxSize).map(([label]) => label);
  const whole = counted.filter((label) => domainsOf.get(label)!.size === 1).length;
  const ofSources = tools.map((_, i) => i).filter((i) => sizes.get(truth[i])! >= 2);
  const lone = tools.map((_, i) => i).filter((i) => sizes.get(truth[i]) === 1);
  const members = groupBy(tools.map((_, i) => i), (i) => byDomain[i]);
  const jobSizes = counts(truth.map(jobOf));
  const placed = lone.filter((i) => {
    const job = jobOf(truth[i]);
    const others = members.get(byDomain[i])!.filter((j) => j !== i).map((j) => jobOf(truth[j]));
    return withItsJob(job, others, jobSizes.get(job)! - 1);
  }).length;
  return {
    communityAri: adjustedRandIndex(truth, byCommunity),
    domainAri: adjustedRandIndex(truth, byDomain),
    domainPurity: purity(truth, byDomain),
    sourcePurity: purity(ofSources.map((i) => jobOf(truth[i])), ofSources.map((i) => byDomain[i])),
    loneWithJob: lone.length === 0 ? 1 : placed / lone.length,
    loneOf: lone.length,
    keptWhole: counted.length === 0 ? 1 : whole / counted.length,
    keptWholeOf: counted.length,
  };
}

/**
 * The domain-level ARI the labels themselves reach when no domain may exceed `maxSize` tools: each
 * label larger than `maxSize` cut into full parts of `maxSize` and a rest, which keeps the most
 * pairs of a label together. A labeled set whose labels are larger than a domain cannot score 1 at
 * domain level.
 */
export function reachableDomainAri(tools: ToolSpec[], maxSize: number): number {
  const truth = tools.map((t) => t.group ?? '');
  const seen = new Map<string, number>();
  const chopped = truth.map((label) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    return `${label}\u0000${Math.floor(k / maxSize)}`;
  });
  return adjustedRandIndex(truth, chopped);
}

/**
 * The plain form of the method the partition is measured against: TF-IDF (idf = ln N/df) over the
 * given features, cosine, top-10 neighbours above 0.2, Louvain at resolution 1, nothing before or
 * after (no sources, no merging, no refinement); its ARI on the top-level communities.
 */
export function plainFormAri(tools: ToolSpec[], weights: FeatureWeights): number {
  const plain = partitionTools(tools, {
    ...DEFAULT_SETTINGS,
    threshold: 0.2,
    k: 10,
    resolution: 1,
    weights,
    idfPower: 1,
    keepNearest: false,
    mergeSimilarity: 2,
    refine: false,
    keepVariants: true,
    sources: false,
  });
  return scoreAgainstLabels(tools, plain.plan, plain.communities).communityAri;
}

/** A seeded Fisher-Yates shuffle. */
function shuffled<T>(list: T[], rng: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** At most `per` tools of each label, drawn with a seeded shuffle, so that no source dominates the pairs ARI counts. */
export function balancedSample(tools: ToolSpec[], per: number, seed: number): ToolSpec[] {
  const rng = seededRng(seed);
  return [...groupBy(tools, (t) => t.group ?? '').values()].flatMap((list) => shuffled(list, rng).slice(0, per));
}

/** A labeled set and the level its headline ARI is read at: domains, or communities when a label cannot fit in one domain. */
export interface LabeledSet {
  name: string;
  tools: ToolSpec[];
  headline: 'domains' | 'communities';
  /** Labels that do the same job (see scoreAgainstLabels); every other label is a job of its own. */
  jobs?: Jobs;
}

/**
 * A folder of MCP server lists as a labeled set: label = the server, as ingest names it (`group`),
 * or the file's name for a tools/list result that names no server; the jobs from `jobs.json`
 * beside the folder (`{"label": "job"}`), when there is one.
 */
export function serverListSet(name: string, folder: string): LabeledSet {
  const tools = ingest([folder]).tools.map((t) => (t.group !== undefined ? t : { ...t, group: basename(documentOf(t.source).replace(/:\d+$/, '')).replace(/\.[^.]*$/, '') }));
  const jobsFile = join(folder, '..', 'jobs.json');
  let jobs: Jobs = {};
  try {
    jobs = JSON.parse(readFileSync(jobsFile, 'utf8')) as Jobs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { name, tools, headline: 'domains', jobs };
}

/**
 * Tools of other sources added to a set as lone tools: each its own source and label (a one-tool
 * server), its original label kept as its job, so that where it goes can be judged.
 */
export function withLoneTools(set: LabeledSet, name: string, lone: ToolSpec[]): LabeledSet {
  const jobs: Jobs = { ...set.jobs };
  const padded = lone.map((t, i) => {
    const label = `lone ${i}`;
    jobs[label] = `job ${t.group ?? ''}`;
    return { ...t, source: `lone-${i}`, group: label };
  });
  // Original labels of lone tools are jobs of their own, apart from the set's labels.
  return { ...set, name, tools: [...set.tools, ...padded], jobs };
}

/**
 * The label-free variant of BFCL's classes: BFCL prefixes every multi-turn tool description with
 * its class sentence, and the source names the class file; strip both, so that each tool is its
 * own source and only its text is left to lean on.
 */
export const stripClass = (t: ToolSpec, i: number): ToolSpec => ({ ...t, description: t.description.replace(/^.*Tool description: /s, ''), source: `tool-${i}` });

/** BFCL's three memory classes are one job: an agent's core and archival memory, kept in a key-value store, a vector store or a summary. */
const BFCL_JOBS: Jobs = { MemoryAPI_kv: 'memory', MemoryAPI_vector: 'memory', MemoryAPI_rec_sum: 'memory' };

/**
 * Every labeled set in a corpora folder laid out as ../shared/corpora (label = `group`): BFCL's
 * multi-turn classes, as given and stripped; each folder of OpenAPI specs pooled (label = spec),
 * whole and as a balanced sample of at most maxSize operations per spec; tau-bench and tau2-bench
 * tools (label = domain); tau2's retail tools alone (one label, one expected domain).
 */
export function labeledSets(corpora: string, maxSize: number): LabeledSet[] {
  const multiTurn = ingest([join(corpora, 'bfcl_multi_turn_classes.json')]).tools;
  const openApi = ingest([join(corpora, 'openapi')]).tools;
  const openApiExtra = ingest([join(corpora, 'openapi-extra')]).tools;
  const tau = ingest([join(corpora, 'tau_bench_tools.json'), join(corpora, 'tau2_bench_tools.json')]).tools;
  // One ingest, so that names are unique across the pool: openapi-extra's specs as sources; openapi's operations and BFCL's class tools (stripped) as lone tools.
  const pool = ingest([join(corpora, 'openapi-extra'), join(corpora, 'openapi'), join(corpora, 'bfcl_multi_turn_classes.json')]).tools;
  const inFolder = (folder: string) => (t: ToolSpec) => documentOf(t.source).includes(`/${folder}/`);
  const extraSources: LabeledSet = { name: '', tools: balancedSample(pool.filter(inFolder('openapi-extra')), maxSize, 1), headline: 'domains' };
  const lone = [...pool.filter(inFolder('openapi')), ...pool.filter((t) => t.source.includes('multi_turn')).map(stripClass)];
  const specs = (tools: ToolSpec[]) => new Set(tools.map((t) => t.group)).size;
  return [
    { name: 'BFCL multi-turn classes', tools: multiTurn, headline: 'domains', jobs: BFCL_JOBS },
    { name: 'BFCL multi-turn, class sentence and source stripped', tools: multiTurn.map(stripClass), headline: 'domains', jobs: BFCL_JOBS },
    { name: `OpenAPI, ${specs(openApi)} specs pooled (full)`, tools: openApi, headline: 'communities' },
    { name: `OpenAPI, ${specs(openApi)} specs pooled (balanced, <= ${maxSize} per spec)`, tools: balancedSample(openApi, maxSize, 1), headline: 'domains' },
    { name: `OpenAPI extra, ${specs(openApiExtra)} specs pooled (full)`, tools: openApiExtra, headline: 'communities' },
    { name: `OpenAPI extra, ${specs(openApiExtra)} specs pooled (balanced, <= ${maxSize} per spec)`, tools: balancedSample(openApiExtra, maxSize, 1), headline: 'domains' },
    { name: 'tau + tau2-bench domains', tools: tau, headline: 'domains' },
    { name: 'tau2-bench retail alone', tools: ingest([join(corpora, 'tau2_bench_tools.json')]).tools.filter((t) => t.group === 'retail'), headline: 'domains' },
    withLoneTools(extraSources, `OpenAPI extra balanced + 300 lone tools`, shuffled(lone, seededRng(1)).slice(0, 300)),
    withLoneTools(extraSources, `OpenAPI extra balanced + ${lone.length} lone tools`, lone),
  ];
}
