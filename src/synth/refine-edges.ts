import { z } from 'zod';
import { Domain } from '../env/domain.js';
import type { Dependency, DomainSpec } from '../spec/domain.js';
import { dependencyGraph } from '../tasks/dependency-graph.js';
import { paramSources } from '../tasks/param-sources.js';
import { converse, type ModelAccess } from './llm-converse.js';
import { parseJsonObject, zodProblems } from './llm-reply.js';

/**
 * `--refine-edges`: the task sampler's dependency graph (derived from the tools' SQL) gives the
 * candidate pairs; a model confirms or rejects each, as the reference recipe does after
 * clustering. The kept edges are stored as the domain's `dependencies`, which sampling then walks.
 */

interface Candidate extends Dependency {
  params: string[];
}

const EDGE_SYSTEM = `You review the dependencies between the tools of one simulated environment. A dependency A -> B means that an agent typically calls A first because A's result supplies an argument of B (for example, A finds an order and B cancels it by its order_id). Keep a candidate only when that is a sensible step in a real user's request. Answer with a JSON object {"keep": [numbers of the candidates to keep]} and nothing else.`;

const EdgeReply = z.object({ keep: z.array(z.number().int()) });

function candidates(spec: DomainSpec): Candidate[] {
  const domain = new Domain({ ...spec, dependencies: undefined });
  try {
    const graph = dependencyGraph(domain, paramSources(domain));
    return graph.edges().map((e) => ({ from: graph.source(e), to: graph.target(e), params: graph.getEdgeAttribute(e, 'params') as string[] }));
  } finally {
    domain.close();
  }
}

function edgePrompt(spec: DomainSpec, pairs: Candidate[]): string {
  const tools = spec.tools.map((t) => `- ${t.name} (${t.kind}): ${t.description}`);
  const listed = pairs.map((c, i) => `${i + 1}. ${c.from} -> ${c.to} (${c.to} takes ${c.params.join(', ')}, which ${c.from} can return)`);
  return `Environment ${spec.name}: ${spec.description}\n\nTools:\n${tools.join('\n')}\n\nCandidate dependencies:\n${listed.join('\n')}`;
}

function judgeEdges(text: string, count: number): { keep?: number[]; problems: string[] } {
  const parsed = parseJsonObject(text);
  if ('problem' in parsed) return { problems: [parsed.problem] };
  const reply = EdgeReply.safeParse(parsed.value);
  if (!reply.success) return { problems: zodProblems(reply.error) };
  const outside = reply.data.keep.filter((n) => n < 1 || n > count);
  if (outside.length > 0) return { problems: [`there are candidates 1 to ${count} only, not ${outside.join(', ')}`] };
  return { keep: reply.data.keep, problems: [] };
}

/** The spec with its reviewed `dependencies`, or unchanged (with the reason) when there is nothing to review or no usable answer. */
export async function refineEdges(spec: DomainSpec, access: ModelAccess, attempts: number): Promise<{ spec: DomainSpec; note: string }> {
  const pairs = candidates(spec);
  if (pairs.length === 0) return { spec, note: 'no candidate dependencies to review' };
  const answers = await converse(access, EDGE_SYSTEM, edgePrompt(spec, pairs), (text) => judgeEdges(text, pairs.length), attempts);
  const keep = answers.at(-1)!.keep;
  if (!keep) return { spec, note: `dependency review failed after ${answers.length} answers (${answers.at(-1)!.problems[0]}); the derived graph is used` };
  const kept = pairs.filter((_, i) => keep.includes(i + 1)).map(({ from, to }) => ({ from, to }));
  return { spec: { ...spec, dependencies: kept }, note: `${kept.length} of ${pairs.length} candidate dependencies kept` };
}
