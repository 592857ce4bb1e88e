import type { DomainSpec, Table } from '../spec/domain.js';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { Random } from '../tasks/random.js';
import { buildModel, type DomainModel } from './model.js';
import { writePolicy } from './policy.js';
import { seedRows, SEQUENCE_START } from './seed.js';
import { toolSteps } from './steps.js';

/** The simulated "now" of every synthesized domain; seed dates lie before it. */
export const SYNTH_CLOCK = '2025-06-02T09:00:00Z';

/** A per-domain seed, so `--only` gives each domain the same rows as a full run. */
export function domainSeed(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function tablesOf(model: DomainModel): Table[] {
  return model.tables.map((t) => ({
    name: t.name,
    description: t.ledger ? 'Every send, booking, payment and other act, as it happened.' : `${t.entity.replace(/_/g, ' ')} records.`,
    primaryKey: [t.pk],
    columns: [{ name: t.pk, type: t.pkType }, ...[...t.columns.values()].map((c) => ({ name: c.name, type: c.type, ...(c.references ? { references: c.references } : {}) }))],
  }));
}

/**
 * The offline synthesizer: a DomainSpec from the planned domain's tool definitions alone,
 * deterministic for (tools, seed). Not yet verified: see verify.ts.
 */
export function synthesizeRuleBased(planned: PlannedDomain, tools: ToolSpec[], seed: number): DomainSpec {
  // Passes 1-3: output contracts (contract.ts), entities (entities.ts), columns (model.ts).
  const model = buildModel(tools, planned.terms[0] ?? planned.name);
  // Passes 5-6: steps (steps.ts), outputs shaped like the sources' responses (shape.ts).
  const specTools = model.tools.map((p) => toolSteps(p, model, { rng: new Random(domainSeed(p.tool.name, seed)), clock: SYNTH_CLOCK }));
  // Pass 4: values (values.ts, pools.ts) in seed rows (seed.ts).
  const rng = new Random(domainSeed(planned.name, seed));
  const sequences: Record<string, number> = {};
  for (const t of model.tables) sequences[t.prefix.toLowerCase()] = SEQUENCE_START;
  const terms = planned.terms.slice(0, 5).join(', ');
  const description = `Simulated ${terms || planned.name} environment: ${model.tables.filter((t) => !t.ledger).map((t) => t.name).join(', ')}, served by ${tools.length} tools.`;
  return {
    name: planned.name,
    description,
    clock: SYNTH_CLOCK,
    sequences,
    tables: tablesOf(model),
    tools: specTools,
    policy: writePolicy(`${planned.name} policy`, description, model),
    seed: seedRows(model, rng, SYNTH_CLOCK),
  };
}
