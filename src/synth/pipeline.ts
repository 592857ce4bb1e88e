import type { DomainSpec } from '../spec/domain.js';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { synthesizeRuleBased } from './rule-based.js';
import type { ToolVerdict } from '../spec/verification.js';
import { keepVerified, verifySpec } from './verify.js';

/** One planned domain synthesized and verified: the spec to write (working tools only) and every verdict. */
export interface DomainOutcome {
  name: string;
  planned: number;
  verdicts: ToolVerdict[];
  /** Undefined when no tool works: such a domain is not written. */
  spec?: DomainSpec;
  domainError?: string;
  /** Who wrote the spec: the rule-based synthesizer or a model. */
  source: 'rules' | 'model';
  /** What happened on the way, for the report (model attempts, fallback, dependency review). */
  notes: string[];
}

/**
 * Offline: the rule-based spec, verified by execution, with failing tools dropped. A tool whose
 * outputs do not always meet the output schema it declares keeps its output but declares none
 * (a warning says so): MCP clients would refuse such results.
 */
export function synthesizeOffline(planned: PlannedDomain, tools: ToolSpec[], seed: number): DomainOutcome {
  let spec = synthesizeRuleBased(planned, tools, seed);
  let { verdicts, domainError } = verifySpec(spec);
  const refused = new Map(verdicts.filter((v) => v.code === 'output schema').map((v) => [v.tool, v.reason ?? '']));
  if (refused.size > 0) {
    spec = { ...spec, tools: spec.tools.map(({ outputSchema, ...t }) => (refused.has(t.name) ? t : { ...t, ...(outputSchema ? { outputSchema } : {}) })) };
    ({ verdicts, domainError } = verifySpec(spec));
    for (const v of verdicts) if (refused.has(v.tool)) v.warnings.push({ code: 'output schema dropped', message: `no outputSchema declared: ${refused.get(v.tool)}` });
  }
  return { name: planned.name, planned: tools.length, verdicts, spec: keepVerified(spec, verdicts), domainError, source: 'rules', notes: [] };
}

/**
 * A domain that could not be synthesized at all (an internal error): reported with its reason,
 * every tool failing, nothing written; the other domains go on.
 */
export function failedOutcome(planned: PlannedDomain, tools: ToolSpec[], reason: string): DomainOutcome {
  const domainError = `internal error: ${reason}`;
  const verdicts: ToolVerdict[] = tools.map((t) => ({ tool: t.name, kind: 'read', ok: false, code: 'internal error', reason: domainError, warnings: [] }));
  return { name: planned.name, planned: tools.length, verdicts, domainError, source: 'rules', notes: [`not synthesized: ${domainError}`] };
}

/** Offline synthesis that never throws: an internal error becomes a failed outcome. */
export function synthesizeIsolated(planned: PlannedDomain, tools: ToolSpec[], seed: number): DomainOutcome {
  try {
    return synthesizeOffline(planned, tools, seed);
  } catch (err) {
    return failedOutcome(planned, tools, err instanceof Error ? err.message : String(err));
  }
}

/** Counts of one outcome for summary tables. */
export function outcomeStats(o: DomainOutcome) {
  const ok = o.verdicts.filter((v) => v.ok);
  const writes = o.verdicts.filter((v) => v.kind === 'write');
  return {
    verified: ok.length,
    dropped: o.verdicts.length - ok.length,
    writes: writes.length,
    writesChanging: writes.filter((v) => v.ok).length,
    tables: o.spec?.tables.length ?? 0,
    rows: o.spec ? Object.values(o.spec.seed).reduce((n, rows) => n + rows.length, 0) : 0,
  };
}
