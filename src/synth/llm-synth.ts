import type { PlannedJob } from './parallel.js';
import { converse, type ModelAccess } from './llm-converse.js';
import { judgeSpecReply, type JudgedSpec } from './llm-judge.js';
import { domainPrompt, SYSTEM_PROMPT } from './llm-prompt.js';
import { outcomeStats, synthesizeOffline, type DomainOutcome } from './pipeline.js';
import { refineEdges } from './refine-edges.js';
import { SYNTH_CLOCK } from './rule-based.js';
import { keepVerified } from './verify.js';

export interface ModelSynthOptions extends ModelAccess {
  /** Answers asked for per domain: the first one plus repairs. */
  attempts: number;
  /** Seed of the rule-based fallback. */
  seed: number;
  /** Have the model review the tool dependency graph too. */
  refineEdges: boolean;
}

/** Default answers per domain: one spec and two repairs. */
export const DEFAULT_ATTEMPTS = 3;

/**
 * The model's spec when one verified completely, else its best answer when that verifies more
 * tools than the rule-based spec (failing tools dropped), else the rule-based spec.
 */
function choose(job: PlannedJob, answers: JudgedSpec[], seed: number): DomainOutcome {
  const { planned, tools } = job;
  const last = answers.at(-1)!;
  const tries = `${answers.length} answer${answers.length > 1 ? 's' : ''}`;
  if (last.spec && last.problems.length === 0) {
    return { name: planned.name, planned: tools.length, verdicts: last.verdicts, spec: last.spec, source: 'model', notes: [`model spec verified after ${tries}`] };
  }
  const best = answers.reduce((a, b) => (b.verified > a.verified ? b : a));
  const rules = synthesizeOffline(planned, tools, seed);
  if (best.spec && best.verified > outcomeStats(rules).verified) {
    const note = `model spec kept after ${tries} with ${best.verdicts.length - best.verified} failing tools dropped`;
    return { name: planned.name, planned: tools.length, verdicts: best.verdicts, spec: keepVerified(best.spec, best.verdicts), source: 'model', notes: [note] };
  }
  return { ...rules, notes: [`model spec still failing after ${tries} (${last.problems[0]}); the rule-based spec is used`] };
}

/** One planned domain through the model: spec, repairs, fallback, and optionally the dependency review. */
export async function synthesizeWithModel(job: PlannedJob, options: ModelSynthOptions): Promise<DomainOutcome> {
  const answers = await converse(options, SYSTEM_PROMPT, domainPrompt(job.planned, job.tools, SYNTH_CLOCK), (text) => judgeSpecReply(text, job.planned, job.tools), options.attempts);
  const outcome = choose(job, answers, options.seed);
  if (!options.refineEdges || !outcome.spec) return outcome;
  const refined = await refineEdges(outcome.spec, options, options.attempts);
  return { ...outcome, spec: refined.spec, notes: [...outcome.notes, refined.note] };
}
