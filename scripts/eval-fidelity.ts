/**
 * Fidelity of offline synthesis on the shared corpora (issue 17): per tool collection, the share
 * of tools verified, outputs that validate against the source's response schema, field coverage,
 * placeholder share of seed text, seed texts that misfit their column, control-parameter columns and seconds per 1,000 tools; then the
 * synthesized tau2 retail domain against tau2's real data layout. Definitions: src/synth/fidelity.ts.
 * Offline and deterministic (seed 1); each set is ingested and partitioned on its own.
 * Usage: npm run eval:fidelity [-- <corpora folder> [<tau2-retail data folder>]]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { compareLayout, domainFidelity, fidelityTotals, type FidelityCounts } from '../src/synth/fidelity.js';
import { defaultWorkers, synthesizeAll, type PlannedJob } from '../src/synth/parallel.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { markdownTable } from '../src/util/table.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const corpora = resolve(process.argv[2] ?? join(repoRoot, '../shared/corpora'));
const tau2Data = resolve(process.argv[3] ?? join(repoRoot, '../shared/data/tau2-retail'));
for (const path of [corpora, tau2Data]) {
  if (!existsSync(path)) {
    process.stderr.write(`eval-fidelity: ${path} does not exist; pass the corpora folder and the tau2-retail data folder as arguments.\n`);
    process.exit(1);
  }
}

const SETS: Array<[string, string]> = [
  ['OpenAPI (openapi/)', 'openapi'],
  ['OpenAPI (openapi-extra/)', 'openapi-extra'],
  ['BFCL multi-turn classes', 'bfcl_multi_turn_classes.json'],
  ['tau2-bench tools', 'tau2_bench_tools.json'],
];

const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '-');

async function measure(jobs: PlannedJob[]): Promise<{ counts: FidelityCounts; seconds: number }> {
  const started = performance.now();
  const outcomes = await synthesizeAll(jobs, 1, defaultWorkers(), () => undefined);
  const seconds = (performance.now() - started) / 1000;
  return { counts: fidelityTotals(outcomes.map((o, i) => domainFidelity(o, jobs[i].tools))), seconds };
}

function row(label: string, c: FidelityCounts, seconds: number): Array<string | number> {
  return [
    label,
    c.tools,
    pct(c.verified, c.tools),
    `${pct(c.valid, c.withSchema)} (${c.valid}/${c.withSchema})`,
    c.schemaFaults,
    c.coverageTools > 0 ? (c.coverageSum / c.coverageTools).toFixed(2) : '-',
    `${pct(c.placeholders, c.texts)} (${c.placeholders}/${c.texts})`,
    `${pct(c.misfits, c.misfitTexts)} (${c.misfits}/${c.misfitTexts})`,
    c.controlColumns.length,
    c.tools > 0 ? ((1000 * seconds) / c.tools).toFixed(2) : '-',
  ];
}

const rows: Array<Array<string | number>> = [];
const all: FidelityCounts[] = [];
let allSeconds = 0;
const details: string[] = [];
for (const [label, path] of SETS) {
  const { tools } = ingest([join(corpora, path)]);
  const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
  const { counts, seconds } = await measure(plannedJobs(plan.domains, tools));
  rows.push(row(label, counts, seconds));
  all.push(counts);
  allSeconds += seconds;
  if (counts.badSchemas > 0) details.push(`- ${label}: ${counts.badSchemas} response schemas do not compile and are left out`);
  if (counts.invalid.length > 0) details.push(`- ${label}, invalid outputs, e.g.: ${counts.invalid.slice(0, 3).join('; ')}`);
  if (counts.schemaFaults > 0) details.push(`- ${label}, ${counts.schemaFaults} invalid outputs are the schema's fault (its \`additionalProperties: false\` beside \`allOf\`/\`anyOf\`/\`oneOf\` refuses the members' properties: no output can meet it; the same schema made satisfiable accepts them), e.g.: ${counts.faults.slice(0, 3).join('; ')}`);
  if (counts.misfits > 0) details.push(`- ${label}, seed texts that misfit their column, e.g.: ${counts.misfitExamples.filter((_, i) => i % 7 === 0).slice(0, 6).join('; ')}`);
  if (counts.controlColumns.length > 0) details.push(`- ${label}, control columns, e.g.: ${counts.controlColumns.slice(0, 6).join(', ')}`);
}
rows.push(row('all', fidelityTotals(all), allSeconds));

const table = markdownTable(['tool collection', 'tools', 'tools verified', 'outputs valid', "invalid: schema's fault", 'field coverage', 'placeholder share', 'kind misfits', 'control columns', 's per 1,000 tools'], rows);

// tau2 retail: the domain synthesized from its tools alone, against tau2's own data layout.
const retail = ingest([join(corpora, 'tau2_bench_tools.json')]).tools.filter((t) => t.group === 'retail');
const [job] = plannedJobs([{ name: 'retail', terms: [], community: 0, tools: retail.map((t) => t.name), variants: [] }], retail);
const [outcome] = await synthesizeAll([job], 1, 1, () => undefined);
const db = JSON.parse(readFileSync(join(tau2Data, 'db.json'), 'utf8')) as Parameters<typeof compareLayout>[1];
const layout = outcome.spec ? compareLayout(outcome.spec, db) : [];
const layoutTable = markdownTable(
  ['tau2 entity', 'synthesized table', 'real fields present', 'missing'],
  layout.map((m) => [m.entity, m.table ?? '(none)', `${m.present.length}/${m.fields.length}: ${m.present.join(', ')}`, m.fields.filter((f) => !m.present.includes(f)).join(', ')]),
);
const tables = outcome.spec?.tables.map((t) => `${t.name}(${t.columns.map((c) => c.name).join(', ')})`).join('; ') ?? 'none';

process.stdout.write(
  `## Fidelity of offline synthesis (${corpora})\n\n${table}\n\n${details.join('\n')}\n\n` +
    `## tau2 retail synthesized from its ${retail.length} tools, against tau2's db.json\n\n${layoutTable}\n\nSynthesized tables: ${tables}\n`,
);
