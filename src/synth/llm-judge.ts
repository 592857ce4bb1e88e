import { DomainSpec } from '../spec/domain.js';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { parseJsonObject, zodProblems } from './llm-reply.js';
import { verifySpec, type ToolVerdict } from './verify.js';

/** A model's spec reply judged: the spec when it parses, every verdict, and the problems to send back. */
export interface JudgedSpec {
  spec?: DomainSpec;
  verdicts: ToolVerdict[];
  /** Empty when the spec is valid and every tool verifies. */
  problems: string[];
  verified: number;
}

/** Most problems sent back in one repair request: enough to act on, short enough to read. */
const MAX_PROBLEMS = 20;

/**
 * The tools' interface comes from the corpus, not from the model: names, descriptions,
 * parameters and source are set from the planned tools, whatever the reply says.
 */
function withFixedInterface(reply: Record<string, unknown>, planned: PlannedDomain, tools: ToolSpec[]): Record<string, unknown> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const fixed = Array.isArray(reply.tools)
    ? reply.tools.map((t: unknown) => {
        const tool = typeof t === 'object' && t !== null ? (t as Record<string, unknown>) : {};
        const spec = typeof tool.name === 'string' ? byName.get(tool.name) : undefined;
        return spec ? { ...tool, description: spec.description, parameters: spec.parameters, ...(spec.source ? { source: spec.source } : {}) } : t;
      })
    : reply.tools;
  const { dependencies: _ignored, $schema: _editorOnly, ...rest } = reply;
  return { ...rest, name: planned.name, tools: fixed };
}

function toolSetProblems(spec: DomainSpec, tools: ToolSpec[]): string[] {
  const wanted = new Set(tools.map((t) => t.name));
  const given = spec.tools.map((t) => t.name);
  const missing = [...wanted].filter((n) => !given.includes(n));
  const extra = given.filter((n) => !wanted.has(n));
  return [
    ...(missing.length > 0 ? [`tools missing from the spec: ${missing.join(', ')}`] : []),
    ...(extra.length > 0 ? [`tools that are not part of this domain (remove them): ${extra.join(', ')}`] : []),
  ];
}

/** Parse, validate (zod), load and verify one reply; every failure becomes a concrete problem. */
export function judgeSpecReply(text: string, planned: PlannedDomain, tools: ToolSpec[]): JudgedSpec {
  const parsed = parseJsonObject(text);
  if ('problem' in parsed) return { verdicts: [], problems: [parsed.problem], verified: 0 };
  const checked = DomainSpec.safeParse(withFixedInterface(parsed.value, planned, tools));
  if (!checked.success) return { verdicts: [], problems: zodProblems(checked.error), verified: 0 };
  const setProblems = toolSetProblems(checked.data, tools);
  // Tools the domain does not plan are reported, then left out of what is verified and kept.
  const wanted = new Set(tools.map((t) => t.name));
  const spec = { ...checked.data, tools: checked.data.tools.filter((t) => wanted.has(t.name)) };
  const { verdicts, domainError } = verifySpec(spec);
  const failing = verdicts.filter((v) => !v.ok && !domainError);
  const problems = [
    ...setProblems,
    ...(domainError ? [`the tables or seed rows do not load: ${domainError}`] : []),
    ...failing.map((v) => `tool ${v.tool} (${v.kind}) fails verification, ${v.code}: ${v.reason}`),
  ];
  const shown = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS) shown.push(`and ${problems.length - MAX_PROBLEMS} more problems of the same kinds`);
  return { spec, verdicts, problems: shown, verified: verdicts.filter((v) => v.ok).length };
}
