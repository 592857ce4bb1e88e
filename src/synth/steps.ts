import type { DomainTool, Output, Step } from '../spec/domain.js';
import type { Random } from '../tasks/random.js';
import type { DomainModel, ParamRole, TableDraft, ToolPlan } from './model.js';
import { NATURAL_KEY, type IdStyle } from './model.js';
import { defaultValue } from './seed.js';
import { servedSchema } from './contract.js';
import { shapedOutput, type RowQuery } from './shape.js';
import { sqlName as q } from './words.js';

/** What steps need besides the model: values fixed at synthesis (defaults, constants) and the clock. */
export interface StepContext {
  rng: Random;
  clock: string;
}

/**
 * A tool's steps and output as SQL over the model, in the plain shapes task sampling reads back
 * (`col = :p`, `INSERT INTO t (cols) VALUES (:a, ...)`, `UPDATE t SET col = :p WHERE key = :k`).
 * Every value is a bound parameter; every missing row is a step that fails with a sentence.
 */

const LIST_LIMIT = 50;
/** Most parameters recorded in a ledger row (json_object takes two arguments per parameter). */
const MAX_DETAILS = 60;

type Located = Extract<ParamRole, { column: string }>;
const hasColumn = (r: ParamRole): r is Located => 'column' in r;
const label = (t: TableDraft) => t.entity.replace(/_/g, ' ');

/** `col = :p` when the argument is required, `(:p IS NULL OR col = :p)` when it may be left out. */
function filter(plan: ToolPlan, table: TableDraft, col: string, param: string): string {
  const test = namesRows(plan, table, col, param) ? `${q(col)} IN (SELECT value FROM json_each(:${param}))` : `${q(col)} = :${param}`;
  return plan.required.has(param) ? test : `(:${param} IS NULL OR ${test})`;
}

/** A list parameter matched against a column of single ids (not one that stores the list itself): it names several rows. */
const namesRows = (plan: ToolPlan, table: TableDraft, col: string, param: string) => isList(plan, param) && table.columns.get(col)?.type !== 'json';

/** An id parameter (key, reference or `*_id` column) that takes a list of plain values (`case_id: [6, 7]`). */
function isList(plan: ToolPlan, param: string): boolean {
  const role = plan.params.find((r) => r.param === param);
  const names = role !== undefined && (role.role === 'key' || role.role === 'ref' || (role.role === 'field' && /(^|_)id$/.test(role.column)));
  if (!names) return false;
  const schema = plan.tool.parameters.properties?.[param];
  const items = schema?.items as { type?: unknown } | undefined;
  return schema?.type === 'array' && (items === undefined || ['string', 'integer', 'number'].includes(String(items.type)));
}

function searchFilter(plan: ToolPlan, param: string): string {
  const like = `name LIKE '%' || :${param} || '%'`;
  return plan.required.has(param) ? like : `(:${param} IS NULL OR ${like})`;
}

/** Every referenced row must exist: a query for required references, a check for optional ones. */
function refLookups(plan: ToolPlan, model: DomainModel): Step[] {
  return plan.params.flatMap((r): Step[] => {
    if (r.role !== 'ref') return [];
    const parent = model.tables.find((t) => t.name === r.table)!;
    const error = `Error: ${label(parent)} {${r.param}} not found.`;
    if (isList(plan, r.param)) {
      const all = `NOT EXISTS (SELECT 1 FROM json_each(:${r.param}) WHERE value NOT IN (SELECT ${q(parent.pk)} FROM ${q(parent.name)}))`;
      return [{ check: plan.required.has(r.param) ? `SELECT ${all}` : `SELECT :${r.param} IS NULL OR ${all}`, error }];
    }
    if (plan.required.has(r.param)) return [{ query: `SELECT 1 FROM ${q(parent.name)} WHERE ${q(parent.pk)} = :${r.param}`, expect: 'row', error }];
    return [{ check: `SELECT :${r.param} IS NULL OR EXISTS (SELECT 1 FROM ${q(parent.name)} WHERE ${q(parent.pk)} = :${r.param})`, error }];
  });
}

/** How a write finds its row: the id, else a natural key (name, email, code...), else required references. */
function locate(plan: ToolPlan): Located[] {
  const located = plan.params.filter(hasColumn);
  const key = located.filter((r) => r.role === 'key');
  if (key.length > 0) return key.slice(0, 1);
  const natural = located.find((r) => r.role === 'field' && plan.required.has(r.param) && NATURAL_KEY.test(r.column));
  if (natural) return [natural];
  return located.filter((r) => r.role === 'ref' && plan.required.has(r.param));
}

const whereOf = (plan: ToolPlan, table: TableDraft, roles: Located[]) => roles.map((r) => filter(plan, table, r.column, r.param));
const where = (conds: string[]) => (conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '');
const keyDescription = (roles: Located[]) => roles.map((r) => `{${r.param}}`).join(', ');

/** Page size and offset of a list: its limit parameter (or a default), its offset or page parameter. */
function paging(plan: ToolPlan): { limit: string; offset: string } {
  const param = (role: string) => plan.params.find((r) => r.role === role)?.param;
  const limitParam = param('limit');
  const limit = limitParam ? `coalesce(:${limitParam}, ${LIST_LIMIT})` : String(LIST_LIMIT);
  const offsetParam = param('offset');
  const pageParam = param('page');
  // Pages count from 1; a page before the first is the first.
  const offset = offsetParam ? `max(coalesce(:${offsetParam}, 0), 0)` : pageParam ? `(max(coalesce(:${pageParam}, 1), 1) - 1) * ${limit}` : '0';
  return { limit, offset };
}

/** The output: shaped like the source's response when it declares one, else the rows themselves. */
function output(plan: ToolPlan, rows: RowQuery, ctx: StepContext, plain: Output): Output {
  return plan.contract ? shapedOutput(plan.contract, plan, rows, ctx.rng, ctx.clock) : plain;
}

function rowQuery(plan: ToolPlan, table: TableDraft, conds: string[], bound?: string): RowQuery {
  const { limit, offset } = paging(plan);
  return { table, where: where(conds), order: `ORDER BY ${q(table.pk)}`, page: `LIMIT ${limit} OFFSET ${offset}`, limit, offset, ...(bound ? { bound } : {}) };
}

function readTool(plan: ToolPlan, table: TableDraft, model: DomainModel, ctx: StepContext): { steps: Step[]; output: Output } {
  const conds = plan.params.flatMap((r) => (hasColumn(r) ? [filter(plan, table, r.column, r.param)] : r.role === 'search' ? [searchFilter(plan, r.param)] : []));
  const steps = refLookups(plan, model);
  const hasSearch = plan.params.some((r) => r.role === 'search');
  const rows = rowQuery(plan, table, conds);
  // The contract says whether a read returns one record or a list; without one, the verb says it.
  const one = plan.contract?.record ? !plan.contract.list : plan.cls.op === 'get' && !hasSearch;
  if (one) {
    const shown = plan.params.filter(hasColumn).filter((r) => plan.required.has(r.param));
    const error = shown.length > 0 ? `Error: no ${label(table)} found for ${shown.map((r) => `${r.param} {${r.param}}`).join(', ')}.` : `Error: there is no ${label(table)}.`;
    steps.push({ query: `SELECT ${q(table.pk)} FROM ${q(table.name)}${where(conds)}`, expect: 'row', error });
    // Getting by a list of ids returns every row it names.
    const select = `SELECT * FROM ${q(table.name)}${where(conds)} ORDER BY ${q(table.pk)}`;
    return { steps, output: output(plan, rows, ctx, shown.some((r) => namesRows(plan, table, r.column, r.param)) ? { rows: select } : { row: select }) };
  }
  return { steps, output: output(plan, rows, ctx, { rows: `SELECT * FROM ${q(table.name)}${where(conds)} ORDER BY ${q(table.pk)} ${rows.page}` }) };
}

function createTool(plan: ToolPlan, table: TableDraft, model: DomainModel, ctx: StepContext): { steps: Step[]; output: Output } {
  const steps = refLookups(plan, model);
  const key = plan.params.find((r) => r.role === 'key');
  const cols: string[] = [table.pk];
  const vals: string[] = [];
  const next = `seq('${table.prefix.toLowerCase()}')`;
  const newKey = table.pkType === 'integer' ? next : table.idStyle ? styledSql(table.idStyle, next) : table.digitIds ? `CAST(${next} AS TEXT)` : `'${table.prefix}-' || ${next}`;
  if (key) {
    // NOT IN rather than `pk = :key`: the key is a new value, not a lookup of an existing row.
    // An optional key left out is given one, as the API would.
    const optional = !plan.required.has(key.param);
    steps.push({ check: `SELECT ${optional ? `:${key.param} IS NULL OR ` : ''}:${key.param} NOT IN (SELECT ${q(table.pk)} FROM ${q(table.name)})`, error: `Error: ${label(table)} {${key.param}} already exists.` });
    vals.push(optional ? `coalesce(:${key.param}, ${newKey})` : `:${key.param}`);
  } else vals.push(newKey);
  for (const r of plan.params) {
    if ((r.role === 'field' || r.role === 'ref') && !cols.includes(r.column)) {
      cols.push(r.column);
      // A response field left out of an optional argument still gets its value, as the API would give it.
      const col = table.columns.get(r.column);
      vals.push(col?.field && !plan.required.has(r.param) ? `coalesce(:${r.param}, ${defaultValue(col, model, ctx.rng, ctx.clock)})` : `:${r.param}`);
    }
  }
  if (key && table.pkType === 'integer' && plan.tool.parameters.properties?.[key.param]?.type !== 'integer') {
    // A text argument in an INTEGER key column is a datatype mismatch, not a tool error: check first.
    steps.push({ check: `SELECT typeof(:${key.param}) = 'integer' OR (:${key.param} GLOB '[0-9]*' AND :${key.param} NOT GLOB '*[^0-9]*')`, error: `Error: ${label(table)} id {${key.param}} must be a whole number.` });
  }
  // A new row's status is the first of its states; a status held as a number or flag is left to its field default.
  if (table.columns.get('status')?.type === 'text' && !cols.includes('status')) {
    cols.push('status');
    vals.push(`'${String(table.columns.get('status')!.enum?.[0] ?? 'active').replace(/'/g, "''")}'`);
  }
  for (const stamp of ['created_at', 'updated_at']) {
    if (table.columns.has(stamp) && !cols.includes(stamp)) {
      cols.push(stamp);
      vals.push('now()');
    }
  }
  // A new row shows every field its API returns: those no argument sets get a value fixed at synthesis.
  for (const col of table.columns.values()) {
    if (!col.field || cols.includes(col.name)) continue;
    cols.push(col.name);
    vals.push(defaultValue(col, model, ctx.rng, ctx.clock));
  }
  steps.push({ run: `INSERT INTO ${q(table.name)} (${cols.map(q).join(', ')}) VALUES (${vals.join(', ')})`, expect: 'any' });
  const created = [`rowid = last_insert_rowid()`];
  return { steps, output: output(plan, rowQuery(plan, table, created), ctx, { row: `SELECT * FROM ${q(table.name)} WHERE rowid = last_insert_rowid()` }) };
}

function updateTool(plan: ToolPlan, table: TableDraft, model: DomainModel, ctx: StepContext): { steps: Step[]; output: Output } {
  const steps = refLookups(plan, model);
  const by = locate(plan);
  const locators = new Set(by.map((r) => r.param));
  const sets: string[] = [];
  const unset = (column: string) => !sets.some((s) => s.startsWith(`${q(column)} =`));
  for (const r of plan.params) {
    if ((r.role === 'field' || r.role === 'ref') && !locators.has(r.param) && unset(r.column)) {
      sets.push(plan.required.has(r.param) ? `${q(r.column)} = :${r.param}` : `${q(r.column)} = coalesce(:${r.param}, ${q(r.column)})`);
    }
    // Each key present in the object of changes sets its column; absent keys leave theirs.
    if (r.role === 'changes') {
      for (const f of r.fields) if (unset(f.column)) sets.push(`${q(f.column)} = coalesce(json_extract(:${r.param}, '$.${f.key}'), ${q(f.column)})`);
    }
  }
  if (plan.statusColumn && unset(plan.statusColumn)) sets.push(`${q(plan.statusColumn)} = '${plan.cls.status}'`);
  if (table.columns.has('updated_at')) sets.push('updated_at = now()');
  const conds = whereOf(plan, table, by);
  const error = by.length > 0 ? `Error: ${label(table)} ${keyDescription(by)} not found.` : `Error: there is no ${label(table)} to update.`;
  steps.push({ run: `UPDATE ${q(table.name)} SET ${sets.join(', ')}${where(conds)}`, expect: 'change', error });
  const plain: Output = by.length > 0 ? { row: `SELECT * FROM ${q(table.name)}${where(conds)} ORDER BY ${q(table.pk)}` } : { rows: `SELECT * FROM ${q(table.name)} ORDER BY ${q(table.pk)} LIMIT ${LIST_LIMIT}` };
  return { steps, output: output(plan, rowQuery(plan, table, conds), ctx, plain) };
}

function deleteTool(plan: ToolPlan, table: TableDraft, model: DomainModel, ctx: StepContext): { steps: Step[]; output: Output } {
  const key = plan.params.filter(hasColumn).filter((r) => r.role === 'key');
  const by = key.length > 0 ? key.slice(0, 1) : plan.params.filter(hasColumn).filter((r) => plan.required.has(r.param));
  const conds = whereOf(plan, table, by);
  const error = by.length > 0 ? `Error: ${label(table)} ${keyDescription(by)} not found.` : `Error: there is no ${label(table)} to remove.`;
  // Rows still referred to cannot go: say so instead of letting the foreign key fail.
  const steps: Step[] = key.length === 0 ? [] : model.tables.flatMap((child) =>
    [...child.columns.values()]
      .filter((c) => c.references === table.name)
      .map((c): Step => ({ check: `SELECT NOT EXISTS (SELECT 1 FROM ${q(child.name)} WHERE ${q(c.name)} = :${key[0].param})`, error: `Error: ${label(table)} {${key[0].param}} is still referred to by ${child.name}; remove those first.` })),
  );
  // A delete that returns the record it removed reads it first.
  const returnsRecord = plan.contract?.record !== undefined && plan.fields.length > 0;
  if (returnsRecord) steps.push({ query: `SELECT * FROM ${q(table.name)}${where(conds)} ORDER BY ${q(table.pk)}`, as: GONE, expect: 'row', error });
  steps.push({ run: `DELETE FROM ${q(table.name)}${where(conds)}`, expect: 'change', error });
  const what = key.length > 0 ? `'Deleted ${label(table)} ' || :${key[0].param}` : `'Deleted the matching ${table.name.replace(/_/g, ' ')}'`;
  return { steps, output: output(plan, rowQuery(plan, table, conds, returnsRecord ? GONE : undefined), ctx, { value: `SELECT ${what}` }) };
}

/** A new id in a table's id style: the sequence's next number, zero-padded between fixed text. */
function styledSql(style: IdStyle, next: string): string {
  const quote = (t: string) => `'${t.replace(/'/g, "''")}'`;
  return [style.head ? quote(style.head) : '', `printf('%0${style.width}d', ${next})`, style.tail ? quote(style.tail) : ''].filter(Boolean).join(' || ');
}

/** The name a delete's removed row is bound under (`:gone__name`). */
const GONE = 'gone';

/** Sending, booking, paying...: the referenced rows must exist, and the act is a ledger row. */
function actionTool(plan: ToolPlan, table: TableDraft, model: DomainModel, ctx: StepContext): { steps: Step[]; output: Output } {
  const steps = refLookups(plan, model);
  const key = plan.params.find((r) => r.role === 'key');
  if (key) steps.unshift({ query: `SELECT 1 FROM ${q(table.name)} WHERE ${q(table.pk)} = :${key.param}`, expect: 'row', error: `Error: ${label(table)} {${key.param}} not found.` });
  const target = key ?? plan.params.find((r) => r.role === 'ref');
  const props = plan.tool.parameters.properties ?? {};
  const recorded = plan.params.filter((r) => r.role !== 'ignored').slice(0, MAX_DETAILS);
  const isJson = (p: string) => ['array', 'object'].includes(String(props[p]?.type));
  const details = recorded.length > 0 ? `json_object(${recorded.map((r) => `'${r.param}', ${isJson(r.param) ? `json(:${r.param})` : `:${r.param}`}`).join(', ')})` : "'{}'";
  const ledger = model.ledger;
  steps.push({
    run: `INSERT INTO ${ledger} (entry_id, action, target_id, details, created_at) VALUES ('LOG-' || seq('log'), '${plan.tool.name}', ${target ? `:${target.param}` : 'NULL'}, ${details}, now())`,
    expect: 'any',
  });
  return { steps, output: output(plan, rowQuery(plan, table, []), ctx, { row: `SELECT * FROM ${ledger} WHERE rowid = last_insert_rowid()` }) };
}

export function toolSteps(plan: ToolPlan, model: DomainModel, ctx: StepContext): DomainTool {
  const table = model.tables.find((t) => t.name === plan.table)!;
  const op = plan.cls.op;
  const body =
    plan.cls.kind === 'read'
      ? readTool(plan, table, model, ctx)
      : op === 'create'
        ? createTool(plan, table, model, ctx)
        : op === 'update'
          ? updateTool(plan, table, model, ctx)
          : op === 'delete'
            ? deleteTool(plan, table, model, ctx)
            : actionTool(plan, table, model, ctx);
  const declared = plan.contract ? servedSchema(plan.contract) : undefined;
  return { name: plan.tool.name, description: plan.tool.description, kind: plan.cls.kind, parameters: plan.tool.parameters, steps: body.steps, output: body.output, ...(declared ? { outputSchema: declared } : {}), source: plan.tool.source };
}
