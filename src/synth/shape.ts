import type { Output } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { Random } from '../tasks/random.js';
import { objectSchema, schemaType, type Contract } from './contract.js';
import type { TableDraft, ToolPlan } from './model.js';
import { schemaValue } from './values.js';
import { sqlName as q } from './words.js';

/**
 * Pass 6, output shaping: a tool's output assembled from the domain's rows into the response
 * shape its source declares, as one SQL statement built with SQLite's JSON functions: wrappers,
 * nested objects and field names as the API spells them. Record fields come from columns, so
 * reading a row twice gives the same values and a write shows in every later read; counts count
 * the rows the filters find; what no row can hold (`ok: true`, a wrapper's links) is a constant
 * fixed at synthesis.
 */

/** Where a tool's rows come from: its table and filters, and the page a list shows. */
export interface RowQuery {
  table: TableDraft;
  /** `WHERE ...` (or empty). */
  where: string;
  /** `ORDER BY ...`. */
  order: string;
  /** `LIMIT ... OFFSET ...` of a list. */
  page: string;
  /** SQL of the page size and offset, echoed by wrappers that report them. */
  limit: string;
  offset: string;
  /** Columns bound by an earlier step (`:gone__name`) instead of read from the table: a delete's row. */
  bound?: string;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const jsonLit = (v: unknown) => `json(${lit(JSON.stringify(v))})`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A column as a JSON value of the field's type: booleans stored 0/1 become true/false, JSON
 * columns JSON, and a number where the field is a string (an integer id the API spells as text) text.
 */
function columnValue(ref: string, table: TableDraft, column: string, field: JsonSchema): string {
  const type = column === table.pk ? table.pkType : table.columns.get(column)?.type;
  if (type === 'boolean') return `CASE ${ref} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END`;
  if (type === 'json') return `json(${ref})`;
  if ((type === 'integer' || type === 'real') && schemaType(field) === 'string') return `CAST(${ref} AS TEXT)`;
  return ref;
}

const COUNT = /^(total|count|total_count|total_results|total_items|num_results|result_count|size|total_size|result_size_estimate|found)$/i;
const LIMIT = /^(limit|page_size|per_page|max_results|size_limit)$/i;
const OFFSET = /^(offset|skip|start|start_index)$/i;
const TRUE_FLAG = /^(ok|success|successful)$/i;
const snakeKey = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

interface Shaper {
  plan: ToolPlan;
  rows: RowQuery;
  rng: Random;
  clock: string;
}

/** A field that no row holds: a count of the rows found, the page echoed, a flag, or a constant. */
function metaValue(key: string, schema: JsonSchema, s: Shaper, depth = 0): string {
  const type = schemaType(schema);
  const name = snakeKey(key);
  const { table, where } = s.rows;
  if ((type === 'integer' || type === 'number') && COUNT.test(name)) return `(SELECT count(*) FROM ${q(table.name)}${where})`;
  if ((type === 'integer' || type === 'number') && LIMIT.test(name)) return s.rows.limit;
  if ((type === 'integer' || type === 'number') && OFFSET.test(name)) return s.rows.offset;
  if (type === 'boolean' && (TRUE_FLAG.test(name) || name === 'has_more' || name === 'more')) {
    return TRUE_FLAG.test(name) ? "json('true')" : `CASE WHEN (SELECT count(*) FROM ${q(table.name)}${where}) > ${s.rows.offset} + ${s.rows.limit} THEN json('true') ELSE json('false') END`;
  }
  // A wrapper's object of counts and links (`meta: {total}`): each of its fields the same way.
  const object = type === 'object' && depth < 3 ? objectSchema(schema) : undefined;
  if (object) return `json_object(${Object.entries(object.properties as Record<string, JsonSchema>).map(([k, sub]) => `${lit(k)}, ${metaValue(k, sub, s, depth + 1)}`).join(', ')})`;
  const value = schemaValue(key, schema, s.rng, 0, s.clock);
  return typeof value === 'string' ? lit(value) : jsonLit(value);
}

/** One record as a JSON object, each field from its column (`r.col`, or a bound value). */
function recordValue(record: JsonSchema, s: Shaper, ref: (column: string) => string): string {
  const columns = new Map(s.plan.fields.map((f) => [f.field, f.column]));
  const props = (record.properties ?? {}) as Record<string, JsonSchema>;
  const pairs = Object.entries(props).map(([field, schema]) => {
    const column = columns.get(field);
    return `${lit(field)}, ${column === undefined ? metaValue(field, schema, s) : columnValue(ref(column), s.rows.table, column, schema)}`;
  });
  return `json_object(${pairs.join(', ')})`;
}

/** The response object along the contract's path, the records at its end, every other property a meta value. */
function along(schema: JsonSchema, path: string[], inner: string, s: Shaper): string {
  if (path.length === 0) return inner;
  const object = objectSchema(schema) ?? { properties: {} };
  const props = (object.properties ?? {}) as Record<string, JsonSchema>;
  const pairs = Object.entries(props).map(([key, sub]) => `${lit(key)}, ${key === path[0] ? along(sub, path.slice(1), inner, s) : metaValue(key, sub, s)}`);
  return `json_object(${pairs.join(', ')})`;
}

/**
 * A row as one plain value for a list of them: its id where numbers are listed (its row number
 * when ids are text), its name (or id) where free text is, `true` where flags are (`[true, false]`
 * answers "does the user follow each of these"), else a value of the item schema fixed at synthesis.
 */
function plainValue(table: TableDraft, items: unknown, s: Shaper): string {
  const type = schemaType(items);
  if (type === 'integer' || type === 'number') return table.pkType === 'integer' ? `r.${q(table.pk)}` : 'r."_row"';
  if (type === 'boolean') return "json('true')";
  const free = type === undefined || (type === 'string' && isObject(items) && !['enum', 'const', 'format', 'pattern'].some((k) => k in items));
  if (free) return `CAST(coalesce(r.name, r.${q(table.pk)}) AS TEXT)`;
  const value = schemaValue(s.plan.tool.name, items, s.rng, 0, s.clock);
  return typeof value === 'string' ? lit(value) : jsonLit(value);
}

/** The output statement of a tool whose source declares its response. */
export function shapedOutput(contract: Contract, plan: ToolPlan, rows: RowQuery, rng: Random, clock: string): Output {
  const s: Shaper = { plan, rows, rng, clock };
  const { table, where, order, page, bound } = rows;
  const from = `FROM ${q(table.name)}${where}`;
  const record = contract.record;
  if (record && bound) {
    const removed = recordValue(record, s, (c) => `:${bound}__${c}`);
    return { json: `SELECT ${along(contract.schema, contract.path, contract.list ? `json_array(${removed})` : removed, s)}` };
  }
  if (record && contract.list) {
    const list = `SELECT json_group_array(${recordValue(record, s, (c) => `r.${q(c)}`)}) FROM (SELECT * ${from} ${order} ${page}) AS r`;
    return { json: contract.path.length === 0 ? list : `SELECT ${along(contract.schema, contract.path, `json((${list}))`, s)}` };
  }
  if (record) {
    const one = `SELECT ${recordValue(record, s, (c) => `r.${q(c)}`)} FROM ${q(table.name)} AS r${where} ${order}`;
    return { json: contract.path.length === 0 ? one : `SELECT ${along(contract.schema, contract.path, `json((${one} LIMIT 1))`, s)}` };
  }
  // No record: a list of plain values, an object of counts and flags, or a single value.
  const type = schemaType(contract.schema);
  if (type === 'array' && !bound) return { json: `SELECT json_group_array(${plainValue(table, contract.schema.items, s)}) FROM (SELECT *, rowid AS "_row" ${from} ${order} ${page}) AS r` };
  if (type === 'object' && isObject(contract.schema.properties)) {
    const props = contract.schema.properties as Record<string, JsonSchema>;
    return { json: `SELECT json_object(${Object.entries(props).map(([k, sub]) => `${lit(k)}, ${metaValue(k, sub, s)}`).join(', ')})` };
  }
  return { json: `SELECT ${jsonLit(schemaValue(plan.tool.name, contract.schema, rng, 0, clock))}` };
}
