import type { Domain } from '../env/domain.js';
import type { DomainTool } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { Table } from '../spec/domain.js';
import { resolveReference } from '../env/schema-sql.js';
import { isKeyColumn, type ParamSource } from '../tasks/param-sources.js';
import { Random } from '../tasks/random.js';
import { schemaValue } from './values.js';
import { fitValue } from '../env/values.js';
import { safeTest } from './model.js';

/**
 * Arguments for checking a tool, grounded in a domain's seed rows. Unlike task sampling, which
 * picks each value on its own, all values of one call come from the same row of the tool's main
 * table (directly or through its reference columns), so a filter on several columns finds that row.
 */

type Row = Record<string, unknown>;

/** Tables whose rows valid calls are built around, at most. */
const MAIN_TABLES = 3;

/** The column of `table` that holds values of `source`: the column itself, or a reference to it. */
function covering(table: Table, tables: Table[], source: ParamSource, param: string): string | undefined {
  if (source.table === table.name) return source.column;
  const refs = table.columns.filter((c) => {
    if (!c.references) return false;
    const ref = resolveReference(c.references, tables);
    return ref?.table.name === source.table && ref.column === source.column;
  });
  return (refs.find((c) => c.name === param) ?? refs[0])?.name;
}

/** `col LIKE '%' || :param || '%'` as synthesized searches write it (the column optionally quoted or qualified). */
const LIKE = /"?([A-Za-z_][A-Za-z0-9_]*)"?\s+LIKE\s+'%'\s*\|\|\s*:([A-Za-z_][A-Za-z0-9_]*)/gi;
const FROM = /\bFROM\s+"?([A-Za-z_][A-Za-z0-9_]*)/i;

/**
 * Parameters a tool's SQL matches with LIKE against a column of the statement's table: a search
 * finds rows when its text is taken from that column, as a user searches for something that is
 * there. (paramSources sees only `=` comparisons.)
 */
function likeSources(tool: DomainTool, tables: Table[]): Map<string, ParamSource> {
  const found = new Map<string, ParamSource>();
  const sqls = [...tool.steps.map((s) => ('query' in s ? s.query : 'check' in s ? s.check : s.run)), ...(tool.output ? Object.values(tool.output) : [])];
  for (const sql of sqls) {
    const table = tables.find((t) => t.name === FROM.exec(sql)?.[1]);
    if (!table) continue;
    for (const [, column, param] of sql.matchAll(LIKE)) {
      if (!found.has(param) && table.columns.some((c) => c.name === column)) found.set(param, { table: table.name, column, role: 'lookup' });
    }
  }
  return found;
}

export class ArgGrounder {
  private readonly rows = new Map<string, Row[]>();
  private readonly rng: Random;

  constructor(
    private readonly domain: Domain,
    sources: Map<string, Map<string, ParamSource>>,
    seed = 1,
  ) {
    this.rng = new Random(seed);
    this.sources = new Map([...domain.tools].map(([name, tool]) => [name, new Map([...likeSources(tool.spec, domain.spec.tables), ...(sources.get(name) ?? [])])]));
  }

  /** Where each tool's parameters live: the SQL's comparisons, and the columns its searches match. */
  private readonly sources: Map<string, Map<string, ParamSource>>;

  private tableRows(name: string): Row[] {
    let rows = this.rows.get(name);
    if (!rows) {
      rows = this.domain.base.prepare(`SELECT * FROM "${name}" ORDER BY rowid LIMIT 50`).all() as Row[];
      this.rows.set(name, rows);
    }
    return rows;
  }

  /**
   * The tables that hold the tool's parameters, best first: the most parameters, directly or
   * through references; ties go to the table the tool's output reads, then to the one holding them
   * directly. The first few only: a call built on a later one is rarely what the tool means.
   */
  private mainTables(toolName: string, sources: Map<string, ParamSource>): Table[] {
    const tables = this.domain.spec.tables;
    const output = this.domain.tools.get(toolName)!.output?.stmt.sql ?? '';
    const read = /\bFROM\s+"?([A-Za-z_][A-Za-z0-9_]*)/i.exec(output)?.[1];
    const scored: Array<[Table, number]> = [];
    for (const t of tables) {
      const covered = [...sources].filter(([p, src]) => covering(t, tables, src, p) !== undefined);
      if (covered.length === 0) continue;
      const direct = covered.filter(([, src]) => src.table === t.name).length;
      scored.push([t, covered.length + (t.name === read ? 0.5 : 0) + (direct > 0 ? 0.25 : 0)]);
    }
    return scored.sort((a, b) => b[1] - a[1]).slice(0, MAIN_TABLES).map(([t]) => t);
  }

  /**
   * Argument sets, made as they are asked for: each built around one seed row of the main table
   * (the last row first: it is the one nothing else refers to), up to `max` per table, optional
   * parameters included when they have a column, the last of a table's sets with the required
   * parameters only; then the same around the next table that holds the parameters (a tool that
   * removes a member from a project finds its rows among the memberships, not the projects).
   */
  *valid(toolName: string, max: number): Generator<Record<string, unknown>> {
    const tool = this.domain.tools.get(toolName)!.spec;
    const props = tool.parameters.properties ?? {};
    const required = new Set((tool.parameters.required as string[] | undefined) ?? []);
    const sources = this.sources.get(toolName) ?? new Map<string, ParamSource>();
    const mains = this.mainTables(toolName, sources);
    for (const main of mains.length > 0 ? mains : [undefined]) {
      const rows = main ? this.tableRows(main.name) : [];
      const order = rows.length > 0 ? [rows.length - 1, ...rows.keys()].filter((v, i, a) => a.indexOf(v) === i) : [0];
      for (let k = 0; k < Math.min(max, order.length + 1); k++) {
        const onlyRequired = k === Math.min(max, order.length + 1) - 1 && k > 0;
        const i = order[onlyRequired ? 0 : k] ?? 0;
        const args: Record<string, unknown> = {};
        for (const [param, prop] of Object.entries(props).sort(([a], [b]) => a.localeCompare(b))) {
          const source = sources.get(param);
          // An optional parameter whose default its own type refuses (`default: null`) must be given.
          const badDefault = 'default' in prop && prop.default === null;
          if (!required.has(param) && !badDefault && (onlyRequired || !source)) continue;
          const value = this.value(param, prop, source, main, rows, i);
          if (value !== undefined && value !== null) args[param] = fitValue(prop, value);
          else if (required.has(param)) args[param] = schemaValue(param, prop, this.rng, i, this.domain.spec.clock);
        }
        yield this.reshaped(toolName, args, i);
      }
    }
  }

  /**
   * More argument sets for a tool whose rules the first ones miss (permissions, state
   * transitions, a task that cannot block itself): each parameter from a row of its own drawn at
   * random, optional parameters in or out, enum values varied. Every value is still grounded in
   * the state or drawn from the schema, so every set satisfies the schema.
   */
  varied(toolName: string, count: number): Array<Record<string, unknown>> {
    const tool = this.domain.tools.get(toolName)!.spec;
    const props = tool.parameters.properties ?? {};
    const required = new Set((tool.parameters.required as string[] | undefined) ?? []);
    const sources = this.sources.get(toolName) ?? new Map<string, ParamSource>();
    const out: Array<Record<string, unknown>> = [];
    for (let k = 0; k < count; k++) {
      const args: Record<string, unknown> = {};
      for (const [param, prop] of Object.entries(props).sort(([a], [b]) => a.localeCompare(b))) {
        if (!required.has(param) && this.rng.chance(0.5)) continue;
        const source = sources.get(param);
        const rows = source ? this.tableRows(source.table) : [];
        const i = this.rng.int(0, Math.max(0, rows.length - 1));
        const stored = source && source.role === 'lookup' ? rows[i]?.[source.column] : undefined;
        const value = stored ?? this.value(param, prop, source, undefined, [], source ? i + k : this.rng.int(0, 997));
        if (value !== undefined && value !== null) args[param] = fitValue(prop, Array.isArray(prop.enum) ? prop.enum[this.rng.int(0, prop.enum.length - 1)] : value);
      }
      out.push(this.reshaped(toolName, args, k));
    }
    return out;
  }

  /**
   * A stored value can have another shape than the parameter it fills (a column of names for a
   * parameter of passenger objects): each argument the tool's validator refuses is drawn from the
   * schema instead.
   */
  private reshaped(toolName: string, args: Record<string, unknown>, i: number): Record<string, unknown> {
    const tool = this.domain.tools.get(toolName)!;
    const valid = tool.validate as (data: unknown) => boolean;
    const props = tool.spec.parameters.properties ?? {};
    // The validator names the first refused argument only: redraw until none is, each at most once.
    let fixed = args;
    const redrawn = new Set<string>();
    while (!valid(fixed)) {
      const refused = (tool.validate.errors ?? []).map((e) => e.instancePath.split('/')[1]).filter((p) => p !== undefined && p in fixed && !redrawn.has(p));
      if (refused.length === 0) break;
      fixed = { ...fixed };
      for (const param of refused) {
        redrawn.add(param);
        fixed[param] = schemaValue(param, props[param], this.rng, i, this.domain.spec.clock);
      }
    }
    return fixed;
  }

  private value(param: string, prop: JsonSchema, source: ParamSource | undefined, main: Table | undefined, rows: Row[], i: number): unknown {
    const clock = this.domain.spec.clock;
    if (!source) {
      // A parameter the SQL does not compare directly (a permission check's `requested_by`) but
      // whose pattern some value of the call's row fits is that value (who acts on a row is most
      // often its owner, or the member it is about); else one of the ids the pattern fits.
      const pattern = typeof prop.pattern === 'string' ? prop.pattern : undefined;
      const own = pattern && rows.length > 0 ? Object.values(rows[i % rows.length]).find((v) => typeof v === 'string' && safeTest(pattern, v)) : undefined;
      if (own !== undefined) return own;
      const ids = pattern ? this.idsMatching(pattern) : [];
      return ids.length > 0 ? ids[i % ids.length] : schemaValue(param, prop, this.rng, i, clock);
    }
    const table = this.domain.spec.tables.find((t) => t.name === source.table)!;
    // A new key must not exist yet.
    const column = table.columns.find((c) => c.name === source.column);
    if (source.role === 'value' && isKeyColumn(table, source.column) && !column?.references) {
      return column?.type === 'integer' ? 900_000 + i : schemaValue(param, prop, this.rng, 900 + i, clock);
    }
    const col = main ? covering(main, this.domain.spec.tables, source, param) : undefined;
    if (col && rows.length > 0) {
      // A stored value is taken from another row, so that an update really changes something.
      const row = source.role === 'value' ? rows[(i + 1) % rows.length] : rows[i % rows.length];
      if (row[col] !== null && row[col] !== undefined) return row[col];
    }
    const values = this.tableRows(source.table).map((r) => r[source.column]).filter((v) => v !== null && v !== undefined);
    return values.length > 0 ? values[i % values.length] : schemaValue(param, prop, this.rng, i, clock);
  }

  /** The ids of the first table whose seed ids all fit a pattern (none when no table's do). */
  private idsMatching(pattern: string): unknown[] {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      return [];
    }
    for (const table of this.domain.spec.tables) {
      if (table.primaryKey.length !== 1) continue;
      const ids = this.tableRows(table.name).map((r) => r[table.primaryKey[0]]).filter((v) => v !== null && v !== undefined);
      if (ids.length > 0 && ids.every((v) => re.test(String(v)))) return ids;
    }
    return [];
  }

  /** A value of the right type that names no row, for a parameter that looks a row up by its key. */
  unknownKey(toolName: string): { param: string; value: unknown } | undefined {
    const tool = this.domain.tools.get(toolName)!.spec;
    const props = tool.parameters.properties ?? {};
    for (const [param, source] of this.sources.get(toolName) ?? []) {
      const table = this.domain.spec.tables.find((t) => t.name === source.table)!;
      const prop = props[param];
      if (source.role !== 'lookup' || !isKeyColumn(table, source.column) || !prop || Array.isArray(prop.enum)) continue;
      const integer = prop.type === 'integer' || prop.type === 'number';
      return { param, value: integer ? 987654321 : 'UNKNOWN-404' };
    }
    return undefined;
  }

  /** A parameter given a value of the wrong JSON type. */
  wrongType(toolName: string): { param: string; value: unknown } | undefined {
    const tool = this.domain.tools.get(toolName)!.spec;
    const required = new Set((tool.parameters.required as string[] | undefined) ?? []);
    const entries = Object.entries(tool.parameters.properties ?? {}).sort(([a], [b]) => Number(required.has(b)) - Number(required.has(a)));
    const wrong: Record<string, unknown> = { string: 12345, integer: 'not a number', number: 'not a number', boolean: 'maybe', array: 'not a list', object: 'not an object' };
    for (const [param, prop] of entries) if (typeof prop.type === 'string' && prop.type in wrong) return { param, value: wrong[prop.type] };
    return undefined;
  }
}
