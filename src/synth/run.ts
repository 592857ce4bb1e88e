import { dirname, join, relative } from 'node:path';
import { readDomainSpec, resolveDomainDir, parseOrExplain } from '../env/load.js';
import { readCorpus } from '../graph/run.js';
import { corpusHash } from '../graph/partition.js';
import { terminalProgress } from '../util/progress.js';
import { PartitionPlan } from '../spec/plan.js';
import { messageOf, UserError } from '../util/errors.js';
import { readJsonFile } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { ResponseCache } from '../llm/cache.js';
import { ChatModel, DEFAULT_ENDPOINT } from '../llm/chat-model.js';
import { DEFAULT_ATTEMPTS, synthesizeWithModel } from './llm-synth.js';
import { defaultWorkers, synthesizeAll, type PlannedJob } from './parallel.js';
import { plannedJobs } from './planned-tools.js';
import { failedOutcome, outcomeStats, type DomainOutcome } from './pipeline.js';
import { verifyBounded } from './verify-bounded.js';
import type { ToolVerdict } from '../spec/verification.js';
import { writeDomainFolder } from './write.js';

export interface SynthesizeCommandOptions {
  out: string;
  corpus?: string;
  only?: string[];
  seed: number;
  /** Worker threads for offline synthesis (default: one per core). */
  workers?: number;
  llm?: boolean;
  model?: string;
  baseUrl?: string;
  /** Where model responses are cached (default .envscale/cache/llm). */
  cache?: string;
  /** Answers per domain asked of the model: the first plus repairs. */
  attempts?: number;
  refineEdges?: boolean;
}

/** The plan's domains with their tool definitions, from the corpus the plan was built from. */
export function plannedDomains(planPath: string, corpusPath: string | undefined, only?: string[]): PlannedJob[] {
  const plan = parseOrExplain(PartitionPlan, readJsonFile(planPath), planPath);
  const corpusFile = corpusPath ?? join(dirname(planPath), 'corpus.json');
  const corpus = readCorpus(corpusFile);
  if (corpusHash(corpus.tools) !== plan.corpusHash) {
    throw new UserError(`${corpusFile} is not the corpus ${planPath} was partitioned from; pass the right one with --corpus.`);
  }
  let domains = plan.domains;
  if (only && only.length > 0) {
    const unknown = only.filter((n) => !domains.some((d) => d.name === n));
    if (unknown.length > 0) throw new UserError(`${planPath} has no domain named ${unknown.join(', ')}; its domains include ${domains.slice(0, 5).map((d) => d.name).join(', ')}.`);
    domains = domains.filter((d) => only.includes(d.name));
  }
  return plannedJobs(domains, corpus.tools);
}

function summary(outcomes: DomainOutcome[], written: Map<string, string>): string {
  const rows = outcomes.map((o) => {
    const s = outcomeStats(o);
    return [o.name, o.source, o.planned, s.verified, s.dropped, s.tables, s.rows, written.get(o.name) ?? (o.domainError ? 'not written (see below)' : 'not written (no working tool)')];
  });
  const notes = outcomes.flatMap((o) => o.notes.map((n) => `- ${o.name}: ${n}`));
  const total = outcomes.reduce((acc, o) => ({ planned: acc.planned + o.planned, verified: acc.verified + outcomeStats(o).verified }), { planned: 0, verified: 0 });
  const share = total.planned > 0 ? ((100 * total.verified) / total.planned).toFixed(1) : '0';
  const table = markdownTable(['domain', 'spec by', 'tools', 'verified', 'dropped', 'tables', 'seed rows', 'folder'], rows);
  return `${table}${notes.length > 0 ? `\n\n${notes.join('\n')}` : ''}\n\n${total.verified} of ${total.planned} tools verified (${share}%) in ${written.size} of ${outcomes.length} domains written.`;
}

/** The model access of `--llm`, or one sentence saying what is missing. */
function modelOptions(opts: SynthesizeCommandOptions) {
  if (!opts.model) throw new UserError('--llm needs --model <name>, the model that writes the domain specs.');
  const model = new ChatModel('synthesizer', opts.model, { ...DEFAULT_ENDPOINT, baseURL: opts.baseUrl }, '--base-url');
  return { model, cache: new ResponseCache(opts.cache), attempts: opts.attempts ?? DEFAULT_ATTEMPTS, seed: opts.seed, refineEdges: opts.refineEdges === true };
}

/**
 * `envscale synthesize`: plan.json -> one verified domain folder per planned domain. Offline the
 * domains are spread over worker threads; with `--llm` they go to the model one by one.
 */
export async function runSynthesize(planPath: string, opts: SynthesizeCommandOptions): Promise<DomainOutcome[]> {
  if (opts.refineEdges && !opts.llm) throw new UserError('--refine-edges asks a model to review dependencies; use it with --llm --model <name>.');
  const jobs = plannedDomains(planPath, opts.corpus, opts.only);
  const model = opts.llm ? modelOptions(opts) : undefined;
  const progress = terminalProgress();
  const written = new Map<string, string>();
  let done = 0;
  const finish = (outcome: DomainOutcome) => {
    if (outcome.spec) written.set(outcome.name, relative(process.cwd(), writeDomainFolder(opts.out, outcome.spec, outcome.verdicts)) || '.');
    progress.update('synthesize', ++done, jobs.length);
  };
  let outcomes: DomainOutcome[];
  try {
    if (model) {
      outcomes = [];
      for (const job of jobs) {
        try {
          outcomes.push(await synthesizeWithModel(job, model));
        } catch (err) {
          // The model's endpoint failing is the run's problem; anything else is this domain's.
          if (err instanceof UserError) throw err;
          outcomes.push(failedOutcome(job.planned, job.tools, messageOf(err)));
        }
        finish(outcomes.at(-1)!);
      }
    } else {
      outcomes = await synthesizeAll(jobs, opts.seed, opts.workers ?? defaultWorkers(), finish);
    }
  } finally {
    progress.stop();
  }
  console.log(summary(outcomes, written));
  return outcomes;
}

export function verdictTable(verdicts: ToolVerdict[]): string {
  return markdownTable(
    ['tool', 'kind', 'verdict', 'reason or warnings'],
    verdicts.map((v) => [v.tool, v.kind, v.ok ? 'ok' : `FAIL: ${v.code}`, (v.ok ? v.warnings.map((w) => `${w.code}: ${w.message}`).join('; ') : v.reason ?? '').replace(/\|/g, '\\|').slice(0, 300)]),
  );
}

/**
 * `envscale verify`: execute every tool of each domain folder and print the verdicts. The tools run
 * in a watched process, so a tool whose SQL never ends fails as timed out instead of hanging.
 */
export async function runVerify(refs: string[], toolTimeoutMs?: number): Promise<boolean> {
  let allOk = true;
  for (const ref of refs) {
    const dir = resolveDomainDir(ref);
    const spec = readDomainSpec(dir);
    const { verdicts, domainError } = await verifyBounded(spec, toolTimeoutMs);
    const ok = verdicts.filter((v) => v.ok).length;
    console.log(`## ${spec.name} (${relative(process.cwd(), dir) || '.'}): ${ok} of ${verdicts.length} tools verified\n`);
    if (domainError) console.log(`The domain itself does not load: ${domainError}\n`);
    console.log(`${verdictTable(verdicts)}\n`);
    if (ok < verdicts.length) allOk = false;
  }
  return allOk;
}
