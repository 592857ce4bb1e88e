import { Domain } from '../env/domain.js';
import type { DomainSpec } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { ToolSpec } from '../spec/tool.js';
import { standardSchema } from '../util/openapi-schema.js';
import type { DomainOutcome } from './pipeline.js';
import { satisfiableSchema } from './satisfiable.js';
import { schemaValidator } from './schema-check.js';

/**
 * How much a synthesized world looks like the system it came from, measured against the sources'
 * own declarations (issue 17). Each figure is defined here once, so before and after compare:
 * - outputs valid: of the tools whose source declares a JSON success-response schema, the share
 *   whose output on their verified example call validates against that schema (formats not
 *   enforced, OpenAPI `nullable` honoured); a tool without a verified call counts as invalid;
 * - field coverage: the mean, over the same tools whose schema names properties (at the top
 *   level, or of the list's items), of the share of those names present in that output;
 * - placeholder share: of the seed text values (ids and dates aside), the share that are a
 *   capitalised word and a number (`Hotel 1`) or contain their column's name and end in a number
 *   (`Lumen adults 1`);
 * - control columns: columns named like a pagination, sorting, selection or format parameter,
 *   unless a response schema of the domain's tools has a field of that name.
 * An invalid output that the same schema made satisfiable accepts (satisfiable.ts: the source's
 * `additionalProperties: false` beside `allOf` refuses every member's property) is counted apart
 * as the schema's fault; it still counts as invalid above, so figures compare across sessions.
 */

/** A validator of outputs against a source's response schema, or undefined when the schema does not compile. */
export const outputValidator = schemaValidator;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Property names of an object schema, `allOf` members merged. */
function propertyNames(schema: unknown): string[] {
  if (!isObject(schema)) return [];
  const parts = [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])].filter(isObject);
  return [...new Set(parts.flatMap((p) => (isObject(p.properties) ? Object.keys(p.properties) : [])))];
}

/**
 * The share of the schema's property names present in the output: of the top-level object, or of
 * the list's items (a name counts when any item has it). Undefined when the schema names none.
 */
export function fieldCoverage(schema: JsonSchema, output: unknown): number | undefined {
  const type = Array.isArray(schema.type) ? (schema.type as unknown[]).find((t) => t !== 'null') : schema.type;
  const list = type === 'array' || (type === undefined && schema.items !== undefined && schema.properties === undefined);
  const names = propertyNames(list ? schema.items : schema);
  if (names.length === 0) return undefined;
  const objects = list ? (Array.isArray(output) ? output.filter(isObject) : []) : isObject(output) ? [output] : [];
  const present = names.filter((n) => objects.some((o) => Object.hasOwn(o, n)));
  return present.length / names.length;
}

const PLACEHOLDER = /^[A-Z][A-Za-z]* \d+\.?$/;
const ENDS_IN_NUMBER = /\d+\.?$/;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{1,2}:\d{2}/;
const ID_NAME = /(^|_)(id|ids|uuid)$/;

/** Whether a seed text value is a placeholder: `Hotel 1`, or its column's name ending in a number. */
export function isPlaceholder(column: string, value: string): boolean {
  if (PLACEHOLDER.test(value)) return true;
  return ENDS_IN_NUMBER.test(value) && value.toLowerCase().includes(column.replace(/_/g, ' '));
}

/** Placeholder text values of a spec's seed rows, and how many text values were looked at. */
export function placeholderCount(spec: DomainSpec): { placeholders: number; texts: number } {
  let placeholders = 0;
  let texts = 0;
  for (const table of spec.tables) {
    const keys = new Set([...table.primaryKey, ...table.columns.filter((c) => c.references).map((c) => c.name)]);
    const textColumns = table.columns.filter((c) => c.type === 'text' && !keys.has(c.name) && !ID_NAME.test(c.name));
    for (const row of spec.seed[table.name] ?? []) {
      for (const col of textColumns) {
        const v = row[col.name];
        if (typeof v !== 'string' || DATE_LIKE.test(v)) continue;
        texts++;
        if (isPlaceholder(col.name, v)) placeholders++;
      }
    }
  }
  return { placeholders, texts };
}

/** Parameter names that shape a query or its response rather than describe data (snake case). */
export const CONTROL_NAMES = new Set([
  // pagination
  'limit', 'offset', 'page', 'page_size', 'per_page', 'page_number', 'page_token', 'next_page_token', 'page_after', 'cursor', 'next_cursor', 'skip', 'top', 'max_results', 'max_items', 'results_per_page', 'start_index', 'starting_after', 'ending_before', 'inlinecount', 'count_details',
  // sorting
  'sort', 'sort_by', 'sort_order', 'sort_dir', 'sort_direction', 'order_by', 'orderby', 'order_direction',
  // selection and expansion
  'fields', 'select', 'expand', 'include', 'exclude', 'embed', 'opt_fields', 'projection',
  // response format
  'format', 'response_format', 'output_format', 'alt', 'pretty', 'pretty_print', 'prettyprint', 'callback', 'jsonp',
]);

/** Snake-case form of a field or column name, for comparing names across spellings. */
const snakeName = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');

/** Every property name at any depth of a schema (snake case). */
function allFieldNames(schema: unknown, into: Set<string>, depth = 0): void {
  if (!isObject(schema) || depth > 12) return;
  if (isObject(schema.properties)) for (const [k, v] of Object.entries(schema.properties)) {
    into.add(snakeName(k));
    allFieldNames(v, into, depth + 1);
  }
  for (const key of ['items', 'additionalProperties']) allFieldNames(schema[key], into, depth + 1);
  for (const key of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(schema[key])) for (const s of schema[key] as unknown[]) allFieldNames(s, into, depth + 1);
}

/** Columns named like a control parameter (`table.column`), unless a response of the domain's tools has that field. */
export function controlColumns(spec: DomainSpec, tools: ToolSpec[]): string[] {
  const fields = new Set<string>();
  for (const t of tools) allFieldNames(t.outputSchema, fields);
  return spec.tables.flatMap((t) => t.columns.filter((c) => CONTROL_NAMES.has(c.name) && !fields.has(c.name)).map((c) => `${t.name}.${c.name}`));
}

/** The figures of one domain, summed over domains by `fidelityTotals`. */
export interface FidelityCounts {
  tools: number;
  verified: number;
  /** Tools whose source declares a response schema that compiles. */
  withSchema: number;
  /** Response schemas that do not compile as JSON Schema (left out of both output figures). */
  badSchemas: number;
  valid: number;
  coverageSum: number;
  coverageTools: number;
  placeholders: number;
  texts: number;
  controlColumns: string[];
  /** Examples of invalid outputs: tool and the first validation error. */
  invalid: string[];
  /** Invalid outputs that the source schema made satisfiable accepts: no output could meet it. */
  schemaFaults: number;
  /** Examples of those. */
  faults: string[];
}

/** The output of each verified tool on its example call, by re-running it on a fresh session. */
export function exampleOutputs(outcome: Pick<DomainOutcome, 'spec' | 'verdicts'>): Map<string, unknown> {
  const outputs = new Map<string, unknown>();
  if (!outcome.spec) return outputs;
  const domain = new Domain(outcome.spec);
  const session = domain.openSession();
  try {
    for (const v of outcome.verdicts) {
      if (!v.ok || !v.example || !domain.tools.has(v.tool)) continue;
      const result = session.rewindAfter(() => session.call(v.tool, v.example!));
      if (result.ok) outputs.set(v.tool, result.value);
    }
  } finally {
    session.close();
    domain.close();
  }
  return outputs;
}

/** Fidelity figures of one synthesized domain against the tools it was synthesized from (as served). */
export function domainFidelity(outcome: DomainOutcome, tools: ToolSpec[]): FidelityCounts {
  const counts: FidelityCounts = { tools: tools.length, verified: outcome.verdicts.filter((v) => v.ok).length, withSchema: 0, badSchemas: 0, valid: 0, coverageSum: 0, coverageTools: 0, placeholders: 0, texts: 0, controlColumns: [], invalid: [], schemaFaults: 0, faults: [] };
  const outputs = exampleOutputs(outcome);
  for (const tool of tools) {
    if (!tool.outputSchema) continue;
    const validate = outputValidator(tool.outputSchema);
    if (!validate) {
      counts.badSchemas++;
      continue;
    }
    counts.withSchema++;
    const has = outputs.has(tool.name);
    const output = outputs.get(tool.name);
    if (has && validate(output)) counts.valid++;
    else {
      const err = validate.errors?.[0];
      const problem = `${outcome.name}/${tool.name}: ${has ? `${err?.instancePath || '/'} ${err?.message ?? ''}` : 'no verified call'}`;
      if (has && outputValidator(satisfiableSchema(tool.outputSchema))?.(output)) {
        counts.schemaFaults++;
        if (counts.faults.length < 5) counts.faults.push(problem);
      } else if (counts.invalid.length < 5) counts.invalid.push(problem);
    }
    const coverage = fieldCoverage(standardSchema(tool.outputSchema) as JsonSchema, output);
    if (coverage !== undefined) {
      counts.coverageSum += coverage;
      counts.coverageTools++;
    }
  }
  if (outcome.spec) {
    Object.assign(counts, placeholderCount(outcome.spec));
    counts.controlColumns = controlColumns(outcome.spec, tools);
  }
  return counts;
}

/** Sum the figures of several domains. */
export function fidelityTotals(all: FidelityCounts[]): FidelityCounts {
  const total: FidelityCounts = { tools: 0, verified: 0, withSchema: 0, badSchemas: 0, valid: 0, coverageSum: 0, coverageTools: 0, placeholders: 0, texts: 0, controlColumns: [], invalid: [], schemaFaults: 0, faults: [] };
  for (const c of all) {
    for (const key of ['tools', 'verified', 'withSchema', 'badSchemas', 'valid', 'coverageSum', 'coverageTools', 'placeholders', 'texts', 'schemaFaults'] as const) total[key] += c[key];
    total.controlColumns.push(...c.controlColumns);
    total.invalid.push(...c.invalid);
    total.faults.push(...c.faults);
  }
  return total;
}

/** One entity of a real data layout and what a synthesized domain has of it. */
export interface LayoutMatch {
  entity: string;
  /** The synthesized table that holds it, when one does. */
  table?: string;
  fields: string[];
  present: string[];
}

/**
 * A synthesized domain against a real database's layout (`{entity: {key: record}}`, as tau2's
 * db.json): for each entity, the table of the same name (singular or plural) and which of the real
 * record fields it has as columns. An object-valued field counts when a column holds it whole or
 * holds one of its parts (`address` as `address` or as `city`, `zip`...).
 */
export function compareLayout(spec: DomainSpec, db: Record<string, Record<string, Record<string, unknown>>>): LayoutMatch[] {
  const singular = (n: string) => n.replace(/ies$/, 'y').replace(/s$/, '');
  return Object.entries(db).map(([entity, records]) => {
    const table = spec.tables.find((t) => singular(t.name) === singular(entity));
    const samples = Object.values(records).slice(0, 50);
    const fields = [...new Set(samples.flatMap((r) => Object.keys(r)))];
    const columns = new Set(table?.columns.map((c) => c.name) ?? []);
    const parts = (field: string) => [...new Set(samples.flatMap((r) => (isObject(r[field]) ? Object.keys(r[field] as object) : [])))];
    const present = fields.filter((f) => columns.has(snakeName(f)) || parts(f).some((p) => columns.has(snakeName(p)) || columns.has(snakeName(`${f}_${p}`))));
    return { entity, ...(table ? { table: table.name } : {}), fields, present };
  });
}
