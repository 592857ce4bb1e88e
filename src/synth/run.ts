import { dirname, join, relative } from 'node:path';
import { readDomainSpec, resolveDomainDir, parseOrExplain } from '../env/load.js';
import { readCorpus } from '../graph/run.js';
import { corpusHash } from '../graph/partition.js';
import { terminalProgress } from '../graph/progress.js';
import { PartitionPlan, type PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { UserError } from '../util/errors.js';
import { readJsonFile } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { outcomeStats, synthesizeOffline, type DomainOutcome } from './pipeline.js';
import { verifySpec, type ToolVerdict } from './verify.js';
import { writeDomainFolder } from './write.js';

export interface SynthesizeCommandOptions {
  out: string;
  corpus?: string;
  only?: string[];
  seed: number;
}

/** The plan's domains with their tool definitions, from the corpus the plan was built from. */
export function plannedDomains(planPath: string, corpusPath: string | undefined, only?: string[]): Array<{ planned: PlannedDomain; tools: ToolSpec[] }> {
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
  const byName = new Map(corpus.tools.map((t) => [t.name, t]));
  return domains.map((planned) => ({ planned, tools: planned.tools.map((n) => byName.get(n)!) }));
}

function summary(outcomes: DomainOutcome[], written: Map<string, string>): string {
  const rows = outcomes.map((o) => {
    const s = outcomeStats(o);
    return [o.name, o.planned, s.verified, s.dropped, s.tables, s.rows, written.get(o.name) ?? 'not written (no working tool)'];
  });
  const total = outcomes.reduce((acc, o) => ({ planned: acc.planned + o.planned, verified: acc.verified + outcomeStats(o).verified }), { planned: 0, verified: 0 });
  const share = total.planned > 0 ? ((100 * total.verified) / total.planned).toFixed(1) : '0';
  return `${markdownTable(['domain', 'tools', 'verified', 'dropped', 'tables', 'seed rows', 'folder'], rows)}\n\n${total.verified} of ${total.planned} tools verified (${share}%) in ${written.size} of ${outcomes.length} domains written.`;
}

/** `envscale synthesize`: plan.json -> one verified domain folder per planned domain. */
export function runSynthesize(planPath: string, opts: SynthesizeCommandOptions): DomainOutcome[] {
  const domains = plannedDomains(planPath, opts.corpus, opts.only);
  const progress = terminalProgress();
  const outcomes: DomainOutcome[] = [];
  const written = new Map<string, string>();
  domains.forEach(({ planned, tools }, i) => {
    const outcome = synthesizeOffline(planned, tools, opts.seed);
    if (outcome.spec) written.set(planned.name, relative(process.cwd(), writeDomainFolder(opts.out, outcome.spec, outcome.verdicts)) || '.');
    outcomes.push(outcome);
    progress.update('synthesize', i + 1, domains.length);
  });
  progress.stop();
  console.log(summary(outcomes, written));
  return outcomes;
}

export function verdictTable(verdicts: ToolVerdict[]): string {
  return markdownTable(
    ['tool', 'kind', 'verdict', 'reason or warnings'],
    verdicts.map((v) => [v.tool, v.kind, v.ok ? 'ok' : `FAIL: ${v.code}`, (v.ok ? v.warnings.join('; ') : v.reason ?? '').replace(/\|/g, '\\|').slice(0, 300)]),
  );
}

/** `envscale verify`: execute every tool of each domain folder and print the verdicts. */
export function runVerify(refs: string[]): boolean {
  let allOk = true;
  for (const ref of refs) {
    const dir = resolveDomainDir(ref);
    const spec = readDomainSpec(dir);
    const { verdicts, domainError } = verifySpec(spec);
    const ok = verdicts.filter((v) => v.ok).length;
    console.log(`## ${spec.name} (${relative(process.cwd(), dir) || '.'}): ${ok} of ${verdicts.length} tools verified\n`);
    if (domainError) console.log(`The domain itself does not load: ${domainError}\n`);
    console.log(`${verdictTable(verdicts)}\n`);
    if (ok < verdicts.length) allOk = false;
  }
  return allOk;
}
