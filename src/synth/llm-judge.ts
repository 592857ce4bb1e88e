import { DomainSpec } from '../spec/domain.js';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { parseJsonObject, zodProblems } from './llm-reply.js';
import { readContract, servedSchema } from './contract.js';
import { exampleOutputs, outputValidator } from './fidelity.js';
import { satisfiableSchema } from './satisfiable.js';
import type { ToolVerdict } from '../spec/verification.js';
import { keepVerified, verifySpec } from './verify.js';

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
 * parameters, the output schema the source declares (as the rule-based path serves it) and source
 * are set from the planned tools, whatever the reply says.
 */
function withFixedInterface(reply: Record<string, unknown>, planned: PlannedDomain, tools: ToolSpec[]): Record<string, unknown> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const fixed = Array.isArray(reply.tools)
    ? reply.tools.map((t: unknown) => {
        const tool = typeof t === 'object' && t !== null ? (t as Record<string, unknown>) : {};
        const spec = typeof tool.name === 'string' ? byName.get(tool.name) : undefined;
        if (!spec) return t;
        const contract = readContract(spec);
        const { outputSchema: _theirs, ...rest } = tool;
        const served = contract ? servedSchema(contract) : undefined;
        return { ...rest, description: spec.description, parameters: spec.parameters, ...(served ? { outputSchema: served } : {}), ...(spec.source ? { source: spec.source } : {}) };
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

/** A failing verdict as a problem; arguments built from seed rows that the tool refuses say so. */
function failureProblem(v: ToolVerdict): string {
  const refused = v.code === 'no valid call succeeded' && /-> Invalid arguments for /.test(v.reason ?? '');
  const what = refused ? 'its calls are built from the seed rows, and it refuses their values (fix the seed rows or the columns they come from)' : v.code;
  return `tool ${v.tool} (${v.kind}) fails verification, ${what}: ${v.reason}`;
}

/**
 * The verification problem the rule-based path meets too: a working tool whose output on its
 * example call does not validate against the response schema its source declares (lists and
 * other non-object schemas included, which MCP cannot declare as outputSchema).
 */
function contractProblems(spec: DomainSpec, verdicts: ToolVerdict[], tools: ToolSpec[]): Map<string, string> {
  // Only the working tools load together; the others are already problems.
  const outputs = exampleOutputs({ spec: keepVerified(spec, verdicts), verdicts });
  return new Map(tools.flatMap((tool): Array<[string, string]> => {
    if (!tool.outputSchema || !outputs.has(tool.name)) return [];
    // A schema no output can meet (additionalProperties false beside allOf) is judged as served.
    const validate = outputValidator(satisfiableSchema(tool.outputSchema));
    const output = outputs.get(tool.name);
    if (!validate || validate(output)) return [];
    const err = validate.errors?.[0];
    return [[tool.name, `tool ${tool.name} returns an output that does not validate against its outputSchema (${err?.instancePath || '/'} ${err?.message ?? ''}): ${JSON.stringify(output)?.slice(0, 160)}`]];
  }));
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
  // A tool whose output misses its contract works, but counts as verified only once it meets it.
  const offContract = domainError ? new Map<string, string>() : contractProblems(spec, verdicts, tools);
  const problems = [
    ...setProblems,
    ...(domainError ? [`the tables or seed rows do not load: ${domainError}`] : []),
    ...failing.map(failureProblem),
    ...offContract.values(),
  ];
  const shown = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS) shown.push(`and ${problems.length - MAX_PROBLEMS} more problems of the same kinds`);
  return { spec, verdicts, problems: shown, verified: verdicts.filter((v) => v.ok && !offContract.has(v.tool)).length };
}
