import { diffStates, type StateDiff } from '../env/diff.js';
import { Domain } from '../env/domain.js';
import type { ToolResult } from '../env/executor.js';
import type { Session } from '../env/session.js';
import type { DomainSpec } from '../spec/domain.js';
import type { FailureCode, ToolVerdict } from '../spec/verification.js';
import { paramSources, type ParamSource } from '../tasks/param-sources.js';
import { messageOf } from '../util/errors.js';
import { readWarnings, writeWarnings } from './effects.js';
import { ArgGrounder } from './ground-args.js';

/**
 * Verification by execution: every tool is called on fresh sessions of the domain with arguments
 * grounded in its seed rows, and with bad arguments. A tool passes when it loads, some valid call
 * succeeds, reads leave the state hash alone, some valid write changes it, bad arguments give a
 * tool error rather than an internal one, and results have the declared shape. A working tool
 * whose effect belies its name (a create that adds no row...) gets a warning: see effects.ts.
 */

export interface VerifyResult {
  verdicts: ToolVerdict[];
  /** Set when the schema or seed rows themselves cannot be loaded: then every tool fails. */
  domainError?: string;
}

/** Valid argument sets tried per tool, one per row of its main table (seed reads keep 50); then varied ones, when none of those succeeded. */
const CANDIDATES = 51;
const VARIED = 100;

/** Further calls a read gets when its first successful ones found nothing. */
const EMPTY_READS = 8;

/** An output that shows no data: nothing, an empty list, or a wrapper whose lists are all empty. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const lists = Object.values(value).filter(Array.isArray);
  return lists.length > 0 && lists.every((l) => l.length === 0);
}

function shapeProblem(shape: string | undefined, kind: string, value: unknown): string | undefined {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  switch (shape) {
    case 'rows':
      return Array.isArray(value) && value.every(isObject) ? undefined : 'declares rows but did not return a list of objects';
    case 'row':
      return value === null || isObject(value) ? undefined : 'declares a row but did not return an object';
    case 'value':
      return value === null || typeof value !== 'object' ? undefined : 'declares a value but returned a structure';
    case undefined:
      return value === (kind === 'write' ? 'OK' : null) ? undefined : 'has no output but returned something';
    default:
      return undefined;
  }
}

/** Load the spec, dropping tools the engine refuses (each with the engine's sentence). */
function compile(spec: DomainSpec): { domain?: Domain; refused: ToolVerdict[]; domainError?: string } {
  try {
    return { domain: new Domain(spec), refused: [] };
  } catch (whole) {
    try {
      new Domain({ ...spec, tools: [] }).close();
    } catch {
      // The tables or seed rows are broken: no tool can work.
      return { refused: [], domainError: messageOf(whole) };
    }
    const refused: ToolVerdict[] = [];
    const kept = spec.tools.filter((tool) => {
      try {
        new Domain({ ...spec, tools: [tool] }).close();
        return true;
      } catch (err) {
        refused.push({ tool: tool.name, kind: tool.kind, ok: false, code: 'refused at load', reason: messageOf(err), warnings: [] });
        return false;
      }
    });
    return { domain: kept.length > 0 ? new Domain({ ...spec, tools: kept }) : undefined, refused };
  }
}

/**
 * One call from the seed state. Every call of a verification shares one forked session and is
 * rolled back after (a savepoint), so checking a domain forks its image once, not once per call.
 * A call that changes the state also says how (rows added, removed, changed), against the seed.
 */
function call(session: Session, tool: string, args: Record<string, unknown>): { result: ToolResult; changed: boolean; diff?: StateDiff } {
  return session.rewindAfter(() => {
    const before = session.stateHash();
    const result = session.call(tool, args);
    const changed = session.stateHash() !== before;
    const { domain } = session;
    const diff = changed && result.ok ? diffStates(domain.spec.tables, { db: domain.base, sums: domain.image.sums }, { db: session.reader, sums: session.tableSums }) : undefined;
    return { result, changed, diff };
  });
}

function verifyTool(session: Session, grounder: ArgGrounder, sources: Map<string, ParamSource> | undefined, name: string): ToolVerdict {
  const compiled = session.domain.tools.get(name)!;
  const kind = compiled.spec.kind;
  const shape = compiled.output?.shape;
  const verdict: ToolVerdict = { tool: name, kind, ok: false, warnings: [] };
  const fail = (code: FailureCode, reason: string) => Object.assign(verdict, { code, reason });
  let firstError: string | undefined;
  let succeeded = false;
  const candidates = function* () {
    yield* grounder.valid(name, CANDIDATES);
    yield* grounder.varied(name, VARIED);
  };
  let effect: StateDiff | undefined;
  let emptyReads = 0;
  for (const args of candidates()) {
    const { result, changed, diff } = call(session, name, args);
    if (!result.ok) {
      if (result.internal) return fail('internal error', `${JSON.stringify(args)} -> ${result.error}`);
      firstError ??= `${JSON.stringify(args)} -> ${result.error}`;
      continue;
    }
    const problem = shapeProblem(shape, kind, result.value);
    if (problem) return fail('output shape', `${name} ${problem}: ${result.text.slice(0, 200)}`);
    if (compiled.validateOutput && !compiled.validateOutput(result.value)) {
      const err = compiled.validateOutput.errors?.[0];
      return fail('output schema', `${JSON.stringify(args)} -> an output that its outputSchema refuses (${err?.instancePath || '/'} ${err?.message ?? ''}): ${result.text.slice(0, 160)}`);
    }
    if (kind === 'read' && changed) return fail('read changed state', `${name} is a read but changed the state hash.`);
    succeeded = true;
    // A read that found nothing works, but shows little: a few more calls look for one that finds something.
    if (kind === 'read' && isEmpty(result.value) && emptyReads++ < EMPTY_READS) {
      verdict.example ??= args;
      continue;
    }
    if (kind === 'read' || changed) {
      verdict.example = args;
      effect = diff;
      break;
    }
  }
  if (!succeeded) return fail('no valid call succeeded', firstError ?? 'no arguments could be built');
  if (!verdict.example) return fail('write changes nothing', `${name} succeeded on every valid input but never changed the state.`);
  for (const [what, bad] of [['wrong type', grounder.wrongType(name)], ['unknown id', grounder.unknownKey(name)]] as const) {
    if (!bad) continue;
    const args = { ...verdict.example, [bad.param]: bad.value };
    const { result } = call(session, name, args);
    if (!result.ok && result.internal) return fail('crash on invalid input', `${what} ${JSON.stringify(args)} -> ${result.error}`);
    if (result.ok) verdict.warnings.push(what === 'wrong type' ? { code: 'accepts wrong type', message: `accepts a wrong type for ${bad.param}` } : { code: 'accepts unknown id', message: `accepts an unknown id for ${bad.param}` });
  }
  verdict.warnings.push(...(kind === 'read' ? readWarnings(compiled.spec, session.domain.spec.tables) : writeWarnings(compiled.spec, effect ?? [], sources)));
  verdict.ok = true;
  return verdict;
}

/** Verify every tool of a spec; verdicts come in the spec's tool order. `onTool` hears each tool as its calls begin. */
export function verifySpec(spec: DomainSpec, onTool?: (name: string) => void): VerifyResult {
  const { domain, refused, domainError } = compile(spec);
  if (domainError) return { domainError, verdicts: spec.tools.map((t) => ({ tool: t.name, kind: t.kind, ok: false, code: 'refused at load', reason: domainError, warnings: [] })) };
  const byName = new Map(refused.map((v) => [v.tool, v]));
  if (domain) {
    const session = domain.openSession();
    try {
      const sources = paramSources(domain);
      const grounder = new ArgGrounder(domain, sources);
      for (const name of domain.tools.keys()) {
        onTool?.(name);
        byName.set(name, verifyTool(session, grounder, sources.get(name), name));
      }
    } finally {
      session.close();
      domain.close();
    }
  }
  return { verdicts: spec.tools.map((t) => byName.get(t.name)!) };
}

/** The spec without the tools that failed; undefined when none is left. */
export function keepVerified(spec: DomainSpec, verdicts: ToolVerdict[]): DomainSpec | undefined {
  const ok = new Set(verdicts.filter((v) => v.ok).map((v) => v.tool));
  const tools = spec.tools.filter((t) => ok.has(t.name));
  return tools.length > 0 ? { ...spec, tools } : undefined;
}
