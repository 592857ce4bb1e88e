import type { ColumnType } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { ToolSpec } from '../spec/tool.js';
import { classifyTool, type Classification } from './classify.js';
import { flatSchema, readContract, schemaType, type Contract } from './contract.js';
import { controlOf } from './control.js';
import { idEntity, toolEntities } from './entities.js';
import { Random } from '../tasks/random.js';
import { fromPattern } from './pools.js';
import { bindable, identifier, plural, singular, snake } from './words.js';

/**
 * Pass 3, columns: the data model of a domain from what its tools take and return. One table per
 * entity; the fields of its records in the tools' output contracts become its columns first
 * (nested objects and lists as JSON columns), then the parameters that filter or set it join them
 * (an `email` parameter reads the customers' email column), `<x>_id` fields and parameters become
 * foreign keys, control parameters never become columns, and action verbs without an entity to
 * make are recorded in a ledger. Pure data; steps.ts turns it into SQL.
 */

export interface ColumnDraft {
  name: string;
  type: ColumnType;
  /** Table whose primary key this column points at. */
  references?: string;
  /** Allowed values, when a parameter's schema lists them. */
  enum?: unknown[];
  /** A parameter schema that fills the column (for plausible seed values). */
  schema?: JsonSchema;
  /** The column types of every parameter that fills it: seed values must suit them all. */
  sources?: Set<ColumnType>;
  /** Whether a response field defines it (its schema is then the data's shape, not a parameter's). */
  field?: boolean;
}

/** Ids as `head` + the row number zero-padded to `width` + `tail`. */
export interface IdStyle {
  head: string;
  width: number;
  tail: string;
}

export interface TableDraft {
  name: string;
  entity: string;
  pk: string;
  pkType: 'text' | 'integer';
  /** Text ids made of digits only, when a key parameter's pattern would refuse `ORD-1`. */
  digitIds?: boolean;
  /** Text ids in the API's own style (`se-0001`, a uuid): fixed text around a zero-padded number. */
  idStyle?: IdStyle;
  /** Prefix of generated text ids (`ORD-12`) and the name of their seq() sequence. */
  prefix: string;
  columns: Map<string, ColumnDraft>;
  ledger?: boolean;
  /** The schema of the entity's id field in the output contracts, when one has it. */
  pkSchema?: JsonSchema;
}

/** How the tool uses one of its parameters. */
export type ParamRole =
  | { param: string; role: 'key'; column: string }
  | { param: string; role: 'ref'; column: string; table: string }
  | { param: string; role: 'field'; column: string }
  /** An update's object of changes (`updates: {title, status}`): each key sets the column of its name. */
  | { param: string; role: 'changes'; fields: Array<{ key: string; column: string }> }
  | { param: string; role: 'search' | 'limit' | 'offset' | 'page' | 'ignored' };

export interface ToolPlan {
  tool: ToolSpec;
  cls: Classification;
  table: string;
  params: ParamRole[];
  required: Set<string>;
  /** The column a state verb (cancel, approve...) sets. */
  statusColumn?: string;
  /** What the source says the tool returns. */
  contract?: Contract;
  /** Each field of the contract's record and the column of the tool's table that holds it (the id field: the primary key). */
  fields: Array<{ field: string; column: string }>;
}

export interface DomainModel {
  tables: TableDraft[];
  tools: ToolPlan[];
  ledger: string;
}

/** Names of an update's object parameter that holds the changes, one key per column. */
const CHANGES = new Set(['updates', 'update', 'changes', 'fields_to_update', 'patch', 'attributes', 'modifications', 'new_values']);
/** Keys that JSON paths and column names can both carry as they are. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SEARCH = new Set(['q', 'query', 'keyword', 'keywords', 'search', 'search_term', 'search_query', 'term', 'search_text', 'text_query']);
/** Names that identify a row when a tool has no id parameter. */
export const NATURAL_KEY = /(^|_)(name|username|email|code|number|title|slug|handle|sku|isbn|symbol|ticker)$/;

/** Whether a JSON Schema pattern accepts a value (an unparsable pattern accepts everything). */
export function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

const typeOf = (schema: JsonSchema | undefined): ColumnType => {
  switch (schemaType(schema)) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'real';
    case 'boolean':
      return 'boolean';
    case 'array':
    case 'object':
      return 'json';
    default:
      return 'text';
  }
};

/** Two tools disagree on a column's type: integers fit in reals, anything else is kept as text. */
function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if ((a === 'integer' && b === 'real') || (a === 'real' && b === 'integer')) return 'real';
  return 'text';
}

function paramRole(param: string, schema: JsonSchema, entity: string, read: boolean, tableFor: (entity: string) => TableDraft): ParamRole {
  const name = snake(param);
  if (!bindable(param)) return { param, role: 'ignored' };
  const control = controlOf(name, schema, read);
  if (control) return { param, role: control };
  if (SEARCH.has(name) && typeOf(schema) === 'text') return { param, role: 'search' };
  if (name === 'id' && typeOf(schema) !== 'boolean' && typeOf(schema) !== 'json') return { param, role: 'key', column: identifier(`${entity}_id`) };
  const target = idEntity(param, schema);
  // `user_id` names a complete_user's key as much as a user's.
  if (target !== undefined && (target === entity || entity.endsWith(`_${target}`))) return { param, role: 'key', column: identifier(`${entity}_id`) };
  if (target) return { param, role: 'ref', column: identifier(param), table: tableFor(target).name };
  return { param, role: 'field', column: identifier(param) };
}

function newTable(entity: string): TableDraft {
  const id = identifier(entity);
  const prefix = id.replace(/_/g, '').slice(0, 3).toUpperCase().padEnd(3, 'X');
  return { name: identifier(plural(id)), entity: id, pk: identifier(`${id}_id`), pkType: 'text', prefix, columns: new Map() };
}

/**
 * The structure a parameter's values must have. Top-level numbers and strings can share a column
 * (seed values are chosen to suit both); anything nested must match exactly.
 */
function signature(schema: JsonSchema | undefined, top = true): string {
  const t = Array.isArray(schema?.type) ? (schema.type as string[]).find((x) => x !== 'null') : schema?.type;
  if (t === 'array') return `[${signature(schema?.items as JsonSchema | undefined, false)}]`;
  if (t === 'object') {
    const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    return `{${Object.keys(props).sort().map((k) => `${k}:${signature(props[k], false)}`).join(',')}}`;
  }
  if (top && (t === undefined || t === 'integer' || t === 'number' || t === 'string')) return 'scalar';
  return String(t ?? 'string');
}

/** Values allowed by both lists (undefined: no list); an empty result means no value suits both. */
function intersect(a: unknown[] | undefined, b: unknown[] | undefined): unknown[] | undefined {
  if (!a || !b) return a ?? b;
  return a.filter((x) => b.some((y) => JSON.stringify(x) === JSON.stringify(y)));
}

/**
 * Add a column, or merge it into the column of that name when the values of both fit one column;
 * otherwise the new one gets a numbered name (`topic_2`). Returns the name used.
 */
function addColumn(table: TableDraft, draft: ColumnDraft): string {
  if (draft.name === table.pk) return draft.name;
  for (let n = 1; ; n++) {
    const name = n === 1 ? draft.name : identifier(`${draft.name.slice(0, 58)}_${n}`);
    const prev = table.columns.get(name);
    if (!prev) {
      table.columns.set(name, { ...draft, name, sources: new Set([draft.type]) });
      return name;
    }
    const both = intersect(prev.enum, draft.enum);
    // A parameter joins the response field of its name whatever its exact shape, as long as both
    // are scalars, or both lists, or both objects (a list of custom fields cannot fill an object of them).
    const joins = prev.field && !draft.field && (prev.type === 'json' ? draft.type === 'json' && schemaType(prev.schema) === schemaType(draft.schema) : draft.type !== 'json');
    const fits = joins || !prev.schema || !draft.schema || (signature(prev.schema) === signature(draft.schema) && (both === undefined || both.length > 0));
    if (!fits || (prev.references && draft.references && prev.references !== draft.references)) continue;
    prev.references ??= draft.references;
    if (joins) {
      prev.sources!.add(draft.type);
      return name;
    }
    prev.type = widen(prev.type, draft.type);
    prev.sources!.add(draft.type);
    prev.enum = both;
    // The schema that says more about the values (a pattern, a format, an enum) describes the column.
    if (!prev.schema || (draft.schema && constraints(draft.schema) > constraints(prev.schema))) prev.schema = draft.schema;
    return name;
  }
}

/** Numbers an id style must hold: seed rows and the first creates. */
const STYLE_PROBES = [1, 20, 1001, 9999];

/**
 * The style of an entity's text ids from what its schemas say: a uuid format, a pattern (a sample
 * of it), or an example id. The last run of letters and digits becomes the number's place, as
 * long as every probe number put there still fits the pattern.
 */
function idStyleOf(given: JsonSchema[]): IdStyle | undefined {
  const schemas = given.map((s) => flatSchema(s) ?? s);
  if (schemas.some((s) => s.format === 'uuid')) return { head: '00000000-0000-4000-8000-', width: 12, tail: '' };
  const pattern = schemas.map((s) => s.pattern).find((p): p is string => typeof p === 'string');
  const example = schemas.map((s) => s.example ?? (Array.isArray(s.examples) ? s.examples[0] : undefined)).find((e): e is string => typeof e === 'string' && (!pattern || safeTest(pattern, e)));
  const sample = example ?? (pattern ? fromPattern(pattern, new Random(1)) : undefined);
  if (!sample || sample.length > 60) return undefined;
  const runs = [...sample.matchAll(/[A-Za-z0-9]+/g)].reverse();
  for (const run of runs) {
    // The run's first letters may be a fixed prefix (`U` of Slack's `U0123ABCD`): keep up to three.
    for (let keep = 0; keep <= Math.min(3, run[0].length - 1); keep++) {
      const width = Math.max(run[0].length - keep, 4);
      const style = { head: sample.slice(0, run.index + keep), width, tail: sample.slice(run.index + run[0].length) };
      if (STYLE_PROBES.every((n) => !pattern || safeTest(pattern, styledId(style, n)))) return style;
    }
  }
  return undefined;
}

/** The id of row number n in a style. */
export const styledId = (style: IdStyle, n: number): string => `${style.head}${String(n).padStart(style.width, '0')}${style.tail}`;

/** How much a schema says about its values. */
const constraints = (schema: JsonSchema) => {
  const flat = flatSchema(schema) ?? schema;
  return ['pattern', 'format', 'enum', 'example', 'minimum', 'maxLength'].filter((k) => k in flat).length;
};

/** Whether a record field is the entity's own id: `id`, `_id`, or `<entity>_id` / `<entity>Id`. */
const isIdField = (field: string, table: TableDraft) => snake(field) === 'id' || identifier(field) === table.pk;

/** Most fields of one record made columns: wider records keep their first ones. */
const MAX_FIELDS = 300;

/** The fields of a tool's record become columns of its table (the id field: the key). */
function addContractFields(plan: ToolPlan, table: TableDraft): void {
  const record = plan.contract?.record;
  if (!record) return;
  for (const [field, schema] of Object.entries((record.properties ?? {}) as Record<string, JsonSchema>).slice(0, MAX_FIELDS)) {
    if (isIdField(field, table) && ['string', 'integer', 'number', undefined].includes(schemaType(schema))) {
      table.pkSchema ??= schema;
      plan.fields.push({ field, column: table.pk });
      continue;
    }
    const column = addColumn(table, { name: identifier(field), type: typeOf(schema), enum: Array.isArray(schema?.enum) ? schema.enum : undefined, schema, field: true });
    plan.fields.push({ field, column });
  }
}

/** Response fields named `<x>_id` point at the table of x when the domain has one. */
function linkFieldReferences(tables: Map<string, TableDraft>): void {
  const byEntity = new Map([...tables.values()].map((t) => [t.entity, t]));
  for (const table of tables.values()) {
    for (const col of table.columns.values()) {
      if (!col.field || col.references || !(col.type === 'text' || col.type === 'integer')) continue;
      const target = idEntity(col.name, col.schema ?? {});
      const parent = target === undefined ? undefined : byEntity.get(identifier(target));
      if (parent && parent !== table && !parent.ledger) col.references = parent.name;
    }
  }
}

/**
 * A table named after an action (`send_invoice` -> invoices) that nothing reads, writes or refers
 * to would stay empty of meaning: such actions record to the ledger only.
 */
function dropActionOnlyTables(tables: Map<string, TableDraft>, plans: ToolPlan[]): void {
  const referenced = new Set([
    ...[...tables.values()].flatMap((t) => [...t.columns.values()].map((c) => c.references)),
    ...plans.flatMap((p) => p.params.map((r) => (r.role === 'ref' ? r.table : undefined))),
  ]);
  for (const table of [...tables.values()]) {
    const used = plans.some((p) => p.table === table.name && (p.cls.op !== 'action' || p.params.some((r) => r.role === 'key')));
    if (used || referenced.has(table.name) || !plans.some((p) => p.table === table.name)) continue;
    tables.delete(table.name);
  }
}

/** Columns named like a table read as that table to SQL scanners (task sampling's): rename them. */
function renameTableNamedColumns(tables: TableDraft[], plans: ToolPlan[]): void {
  const names = new Set(tables.map((t) => t.name));
  for (const table of tables) {
    for (const col of [...table.columns.values()]) {
      if (!names.has(col.name)) continue;
      const renamed = addColumn(table, { ...col, name: identifier(`${col.name}_name`) });
      table.columns.delete(col.name);
      for (const plan of plans) {
        if (plan.table !== table.name) continue;
        plan.params = plan.params.map((r) =>
          r.role === 'changes'
            ? { ...r, fields: r.fields.map((f) => (f.column === col.name ? { ...f, column: renamed } : f)) }
            : 'column' in r && r.column === col.name && r.role !== 'key'
              ? { ...r, column: renamed }
              : r,
        );
        if (plan.statusColumn === col.name) plan.statusColumn = renamed;
        plan.fields = plan.fields.map((f) => (f.column === col.name ? { ...f, column: renamed } : f));
      }
    }
  }
}

/**
 * What a tool does, from its name and method; an action (send, book...) whose output contract
 * names an entity makes a row of it (a booking, a message) instead of only a ledger entry.
 */
function classifyWithContract(tool: ToolSpec, contract: Contract | undefined): Classification {
  const cls = classifyTool(tool);
  return cls.op === 'action' && contract?.record && contract.entity ? { ...cls, op: 'create' } : cls;
}

export function buildModel(tools: ToolSpec[], fallbackEntity: string): DomainModel {
  const contracts = tools.map(readContract);
  const entities = toolEntities(tools, contracts, singular(identifier(fallbackEntity, 'item')));
  const tables = new Map<string, TableDraft>();
  const tableOf = (entity: string) => {
    const draft = newTable(entity);
    const existing = tables.get(draft.name);
    if (existing) return existing;
    tables.set(draft.name, draft);
    return draft;
  };
  const plans: ToolPlan[] = tools.map((tool, i) => {
    const contract = contracts[i];
    const cls = classifyWithContract(tool, contract);
    const props = tool.parameters.properties ?? {};
    const required = new Set(((tool.parameters.required as string[] | undefined) ?? []).filter((r) => r in props));
    return { tool, cls, table: tableOf(entities[i]).name, params: [], required, contract, fields: [] };
  });
  // Response fields first: they are the entity as the API shows it; parameters join them.
  for (const plan of plans) if (plan.cls.op !== 'action') addContractFields(plan, tables.get(plan.table)!);
  /** The schemas of every parameter naming a table's key: they decide the type and shape of ids. */
  const keySchemas = new Map<string, JsonSchema[]>();
  for (const plan of plans) {
    const { tool, cls } = plan;
    const table = tables.get(plan.table)!;
    const props = tool.parameters.properties ?? {};
    const params = Object.entries(props).map(([p, s]) => paramRole(p, s, table.entity, cls.kind === 'read', tableOf));
    for (const [i, role] of params.entries()) {
      const schema = props[role.param];
      if (role.role === 'key' || role.role === 'ref') {
        const target = role.role === 'key' ? table.name : role.table;
        keySchemas.set(target, [...(keySchemas.get(target) ?? []), schema]);
      }
      // Action parameters go to the ledger's details; they add no column to the entity.
      if (cls.op === 'action') continue;
      const keys = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).filter(([k]) => PLAIN_KEY.test(k) && identifier(k) !== table.pk);
      if (cls.op === 'update' && role.role === 'field' && CHANGES.has(snake(role.param)) && keys.length > 0) {
        const fields = keys.map(([key, s]) => ({ key, column: addColumn(table, { name: identifier(key), type: typeOf(s), enum: Array.isArray(s.enum) ? s.enum : undefined, schema: s }) }));
        params[i] = { param: role.param, role: 'changes', fields };
        continue;
      }
      if (role.role === 'ref') params[i] = { ...role, column: addColumn(table, { name: role.column, type: 'text', references: role.table, schema }) };
      if (role.role === 'field') params[i] = { ...role, column: addColumn(table, { name: role.column, type: typeOf(schema), enum: Array.isArray(schema.enum) ? schema.enum : undefined, schema }) };
    }
    plan.params = params;
    if (cls.status) plan.statusColumn = addColumn(table, { name: 'status', type: 'text' });
  }
  linkFieldReferences(tables);
  // Response fields that point at a table say how its ids look, as much as its own id field.
  for (const table of tables.values()) {
    for (const col of table.columns.values()) if (col.references && col.field && col.schema) keySchemas.set(col.references, [...(keySchemas.get(col.references) ?? []), col.schema]);
  }
  for (const table of tables.values()) {
    addColumn(table, { name: 'name', type: 'text' });
    const schemas = [...(table.pkSchema ? [table.pkSchema] : []), ...(keySchemas.get(table.name) ?? [])];
    // Integer ids also suit string parameters ("6"); prefixed ids suit no integer (or number) parameter.
    if (schemas.some((s) => typeOf(s) === 'integer' || schemaType(s) === 'number')) table.pkType = 'integer';
    else {
      table.idStyle = idStyleOf(schemas);
      if (!table.idStyle && schemas.some((s) => typeof s.pattern === 'string' && !safeTest(s.pattern, `${table.prefix}-1`))) table.digitIds = true;
    }
    if (plans.some((p) => p.table === table.name && p.cls.kind === 'write')) {
      addColumn(table, { name: 'created_at', type: 'text' });
      addColumn(table, { name: 'updated_at', type: 'text' });
    }
  }
  dropActionOnlyTables(tables, plans);
  renameTableNamedColumns([...tables.values()], plans);
  // Reference columns take the type of the key they point at.
  for (const table of tables.values()) {
    for (const col of table.columns.values()) if (col.references) col.type = tables.get(col.references)!.pkType;
  }
  let ledger = 'action_log';
  while (tables.has(ledger)) ledger = `${ledger}_entries`;
  if (plans.some((p) => p.cls.op === 'action')) {
    const log: TableDraft = { name: ledger, entity: 'entry', pk: 'entry_id', pkType: 'text', prefix: 'LOG', columns: new Map(), ledger: true };
    for (const [name, type] of [['action', 'text'], ['target_id', 'text'], ['details', 'json'], ['created_at', 'text']] as const) log.columns.set(name, { name, type });
    tables.set(ledger, log);
    for (const plan of plans) if (!tables.has(plan.table)) plan.table = ledger;
  }
  return { tables: [...tables.values()], tools: plans, ledger };
}
