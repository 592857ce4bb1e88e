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
 *   unless a response schema of the domain's tools has a field of that name;
 * - kind misfits: of the seed text values (keys and references aside), the share whose shape does
 *   not fit what its column's name says it holds (`valueMisfit`): a date field without a date, an
 *   email without `@`, a URL without a scheme, a code that is not a short code, a month that is no
 *   month, a token, id or enum-like type with spaces in it, or a title-like phrase (`Candid
 *   swath`) in any field that is not a name, title, text, place, person or company field.
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

/** Month names and their three-letter forms, for `valueMisfit`. */
const MONTHS = /^(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)$/i;
/** Two or more words of letters, the first capitalised, nothing else: `Candid swath`. */
const TITLE_LIKE = /^[A-Z][a-z'-]+( [A-Za-z][a-z'-]*)+$/;
/** Column names whose values are natural text or names (of things, people, places, companies): a title-like phrase fits them. */
const PROSE = /(name|title|subject|label|heading|headline|caption|alias|description|desc|summary|text|comments?|notes?|message|body|content|bio|about|overview|details|reason|remarks?|instructions?|question|answer|review|feedback|reply|excerpt|snippet|memo|address|street|line_?\d?|city|town|locality|county|country|state|province|region|area|company|organi[sz]ation|employer|merchant|vendor|brand|publisher|product|item|author|owner|creator|_by|person|customer|contact|user|recipient|sender|assignee|member|employee|guest|passenger|driver|manager|reviewer|payee|payer|staff|artist|album|song|track|book|genre|cuisine|colou?r|department|job|occupation|position|location|place|venue|destination|origin|team|group|event|display|nickname|suggestion|query|term|keywords?|phrase|prompt|input|output)$/;

/**
 * Whether a seed text value misfits its column: the kind the column's name asks for, and the value
 * does not have its shape (undefined when it fits). Judged on the snake-case name alone, so the
 * figure does not depend on how values are made.
 */
export function valueMisfit(column: string, value: string): string | undefined {
  const name = snakeName(column);
  const words = value.trim().split(/\s+/).length;
  if (/(_at|(^|_)(date|datetime|timestamp)|_on)$/.test(name)) return /\d{4}-\d{2}-\d{2}|^\d{1,2}[:/.-]\d{1,2}|^\d{9,13}$/.test(value) ? undefined : 'date';
  if (/(^|_)e_?mail(_address)?$/.test(name)) return value.includes('@') ? undefined : 'email';
  if (/(^|_)(url|uri|href|link|website|homepage)$/.test(name)) return /^([a-z][a-z0-9+.-]*:|\/|www\.)/i.test(value) ? undefined : 'url';
  if (/(country|currency|language|lang|locale)_?(code|iso)$|(^|_)(iso|alpha)_?\d?_?code$/.test(name)) return /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,3})?$/.test(value) ? undefined : 'code';
  if (/(^|_)month$/.test(name)) return /^(0?[1-9]|1[0-2])$|^\d{4}-\d{2}(-\d{2})?$/.test(value) || MONTHS.test(value) ? undefined : 'month';
  if (/(^|_)year$/.test(name)) return /^\d{2}(\d{2})?$/.test(value) ? undefined : 'year';
  if (/(token|secret|signature|nonce|hash|checksum|etag|cursor|api_?key|(^|_)(id|ids|uuid|guid|uid|key))$/.test(name)) return words > 1 ? 'token or id' : undefined;
  if (/(^|_)(type|kind|mode|visibility|privacy|level|tier|gender|unit|method|platform|precision)$/.test(name)) return words > 1 ? 'enum' : undefined;
  if (/(^|_)(status|state)$/.test(name)) return words > 2 ? 'enum' : undefined;
  if (!PROSE.test(name) && TITLE_LIKE.test(value)) return 'phrase';
  return undefined;
}

/** Seed text values that misfit their column (`valueMisfit`), how many were looked at, and a few examples. */
export function misfitCount(spec: DomainSpec): { misfits: number; texts: number; examples: string[] } {
  let misfits = 0;
  let texts = 0;
  const examples: string[] = [];
  for (const table of spec.tables) {
    const keys = new Set([...table.primaryKey, ...table.columns.filter((c) => c.references).map((c) => c.name)]);
    const textColumns = table.columns.filter((c) => c.type === 'text' && !keys.has(c.name));
    for (const row of spec.seed[table.name] ?? []) {
      for (const col of textColumns) {
        const v = row[col.name];
        if (typeof v !== 'string' || v === '') continue;
        texts++;
        const kind = valueMisfit(col.name, v);
        if (!kind) continue;
        misfits++;
        if (examples.length < 3) examples.push(`${spec.name}.${table.name}.${col.name} = ${JSON.stringify(v.slice(0, 40))} (${kind})`);
      }
    }
  }
  return { misfits, texts, examples };
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
  /** Seed text values whose shape misfits their column (`valueMisfit`), of `misfitTexts`. */
  misfits: number;
  misfitTexts: number;
  /** Examples of those. */
  misfitExamples: string[];
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
  const counts: FidelityCounts = { tools: tools.length, verified: outcome.verdicts.filter((v) => v.ok).length, withSchema: 0, badSchemas: 0, valid: 0, coverageSum: 0, coverageTools: 0, placeholders: 0, texts: 0, misfits: 0, misfitTexts: 0, misfitExamples: [], controlColumns: [], invalid: [], schemaFaults: 0, faults: [] };
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
    const { misfits, texts, examples } = misfitCount(outcome.spec);
    Object.assign(counts, { misfits, misfitTexts: texts, misfitExamples: examples });
    counts.controlColumns = controlColumns(outcome.spec, tools);
  }
  return counts;
}

/** Sum the figures of several domains. */
export function fidelityTotals(all: FidelityCounts[]): FidelityCounts {
  const total: FidelityCounts = { tools: 0, verified: 0, withSchema: 0, badSchemas: 0, valid: 0, coverageSum: 0, coverageTools: 0, placeholders: 0, texts: 0, misfits: 0, misfitTexts: 0, misfitExamples: [], controlColumns: [], invalid: [], schemaFaults: 0, faults: [] };
  for (const c of all) {
    for (const key of ['tools', 'verified', 'withSchema', 'badSchemas', 'valid', 'coverageSum', 'coverageTools', 'placeholders', 'texts', 'misfits', 'misfitTexts', 'schemaFaults'] as const) total[key] += c[key];
    total.misfitExamples.push(...c.misfitExamples);
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
