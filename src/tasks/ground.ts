import type Database from 'better-sqlite3';
import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import type { JsonSchema } from '../spec/json-schema.js';
import { fitValue } from '../env/values.js';
import { isKeyColumn, type ParamSource } from './param-sources.js';
import { argRole, controlDefault } from './arg-role.js';
import { inventText } from './invented.js';
import { isCodeField, isTitleField, titleLike } from './value-kind.js';
import type { Random } from './random.js';

/** A value an earlier call returned, with the key it came under. */
export interface Produced {
  key: string;
  value: string | number;
  /** Index of the action that returned it. */
  action: number;
}

/** Every scalar in a tool result, with its key (array items take their array's key). */
export function producedValues(result: unknown, action: number, key = ''): Produced[] {
  if (typeof result === 'string' || typeof result === 'number') return [{ key, value: result, action }];
  if (Array.isArray(result)) return result.flatMap((v) => producedValues(v, action, key));
  if (result && typeof result === 'object') return Object.entries(result).flatMap(([k, v]) => producedValues(v, action, k));
  return [];
}

export interface GroundedArgs {
  args: Record<string, unknown>;
  /** Parameters whose value came from an earlier call's result (the agent finds them; the user need not know them). */
  fromEarlier: Set<string>;
}

/** Columns a person would recognise a row by, in order of preference. */
const READABLE = ['name', 'full_name', 'title', 'email', 'username'];

/** Picks argument values grounded in the live state of a session and in earlier results. */
export class Grounder {
  private readonly distinct = new Map<string, Database.Statement>();
  /** Distinct values per column, valid while the state hash they were read at holds. */
  private readonly values = new Map<string, { hash: string; list: unknown[]; set: Set<unknown> }>();
  private fresh = 0;

  constructor(
    private readonly domain: Domain,
    private readonly sources: Map<string, Map<string, ParamSource>>,
    private readonly rng: Random,
  ) {}

  ground(session: Session, tool: string, produced: Produced[]): GroundedArgs {
    const schema = this.domain.tools.get(tool)!.spec.parameters;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const sources = this.sources.get(tool) ?? new Map<string, ParamSource>();
    const args: Record<string, unknown> = {};
    const fromEarlier = new Set<string>();
    const read = this.domain.tools.get(tool)!.spec.kind === 'read';
    for (const [param, prop] of Object.entries(schema.properties ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const source = sources.get(param);
      const optional = !required.has(param);
      const role = argRole(param, prop, read);
      // Paging, sorting and formats are the agent's to choose: left out when they can be, else their default.
      if (role === 'control') {
        if (!optional) args[param] = this.controlValue(session, param, prop, source);
        continue;
      }
      if (role === 'credential' && optional) continue;
      // Optional parameters: sometimes, and only when they filter or point at something real.
      if (optional && (!source || source.role !== 'lookup' || !this.rng.chance(0.3))) continue;
      if (source?.role === 'lookup') {
        const known = this.existing(session, source).set;
        const earlier = produced.filter((p) => known.has(p.value));
        if (earlier.length > 0 && this.rng.chance(0.85)) {
          args[param] = this.rng.pick(earlier).value;
          fromEarlier.add(param);
          continue;
        }
      }
      const value = this.valueFor(session, param, prop, source);
      if (value !== undefined) args[param] = value;
    }
    return { args, fromEarlier };
  }

  /** A readable attribute of the row an identifier argument points at, if its table has one. */
  label(session: Session, tool: string, param: string, value: unknown): { column: string; value: string } | undefined {
    const source = this.sources.get(tool)?.get(param);
    if (!source || source.role !== 'lookup') return undefined;
    const table = this.domain.spec.tables.find((t) => t.name === source.table)!;
    const column = READABLE.find((c) => c !== source.column && table.columns.some((x) => x.name === c));
    if (!column || !isKeyColumn(table, source.column)) return undefined;
    const found = session.reader.prepare(`SELECT "${column}" FROM "${table.name}" WHERE "${source.column}" = ?`).pluck().get(value);
    return typeof found === 'string' ? { column, value: found } : undefined;
  }

  private existing(session: Session, source: ParamSource): { list: unknown[]; set: Set<unknown> } {
    const key = `${source.table}.${source.column}`;
    const hash = session.stateHash();
    const cached = this.values.get(key);
    if (cached?.hash === hash) return cached;
    let stmt = this.distinct.get(key);
    if (!stmt || stmt.database !== session.reader) {
      stmt = session.reader.prepare(`SELECT DISTINCT "${source.column}" FROM "${source.table}" WHERE "${source.column}" IS NOT NULL ORDER BY 1 LIMIT 1000`).pluck();
      this.distinct.set(key, stmt);
    }
    const list = stmt.all();
    const entry = { hash, list, set: new Set(list) };
    this.values.set(key, entry);
    return entry;
  }

  /** A required control argument: what the agent would pass (controlDefault), else any value the schema allows. */
  private controlValue(session: Session, param: string, prop: JsonSchema, source: ParamSource | undefined): unknown {
    return controlDefault(param, prop) ?? this.valueFor(session, param, prop, source);
  }

  private valueFor(session: Session, param: string, prop: JsonSchema, source: ParamSource | undefined): unknown {
    if (Array.isArray(prop.enum) && prop.enum.length > 0) return this.rng.pick(prop.enum);
    // An object of changes is made from its own schema, not from one column's values.
    if (source && prop.type !== 'object') {
      const table = this.domain.spec.tables.find((t) => t.name === source.table)!;
      if (source.role === 'value' && isKeyColumn(table, source.column)) return this.freshKey(session, param, prop, source);
      const all = this.existing(session, source).list;
      // A code, a type or a token is picked among values shaped like one, when the rows hold any.
      const fitting = isCodeField(param) || argRole(param, prop) !== 'content' ? all.filter((v) => !titleLike(v)) : all;
      const values = fitting.length > 0 ? fitting : all;
      // A new title is made up; a type, a code or a status is one the domain already uses.
      // A credential stored with a row is a fresh one of the right shape, not whatever the seed holds.
      const reuse = source.role === 'lookup' || (argRole(param, prop) !== 'credential' && (!isTitleField(param) || this.rng.chance(0.5)));
      if (values.length > 0 && reuse) return fitValue(prop, this.rng.pick(values));
    }
    return this.generate(param, prop);
  }

  /** A key for a new row that no row holds yet: a number past the largest in use, or a text not taken. */
  private freshKey(session: Session, param: string, prop: JsonSchema, source: ParamSource): unknown {
    if (prop.type === 'integer' || prop.type === 'number') {
      const top = Number(session.reader.prepare(`SELECT max("${source.column}") FROM "${source.table}"`).pluck().get() ?? 0);
      const next = (Number.isFinite(top) ? Math.floor(top) : 0) + this.rng.int(1, 50);
      if (typeof prop.maximum !== 'number' || next <= prop.maximum) return next;
    }
    const taken = this.existing(session, source).set;
    let value = this.generate(param, prop, true);
    for (let i = 0; i < 5 && taken.has(value); i++) value = this.generate(param, prop, true);
    return value;
  }

  /** A value from the schema alone. Dates fall after the domain clock: tasks ask for things to come. */
  private generate(param: string, prop: JsonSchema, unique = false): unknown {
    const n = ++this.fresh;
    const clock = new Date(this.domain.spec.clock);
    const day = (offset: number) => new Date(clock.getTime() + offset * 86_400_000);
    switch (prop.type) {
      case 'integer':
      case 'number': {
        const min = typeof prop.minimum === 'number' ? prop.minimum : 1;
        const max = typeof prop.maximum === 'number' ? prop.maximum : Math.max(min + 9, 10);
        return prop.type === 'integer' ? this.rng.int(Math.ceil(min), Math.floor(max)) : Math.round((min + this.rng.float() * (max - min)) * 100) / 100;
      }
      case 'boolean':
        return this.rng.chance(0.5);
      case 'array': {
        const items = (prop.items as JsonSchema | undefined) ?? { type: 'string' };
        const count = Math.max(typeof prop.minItems === 'number' ? prop.minItems : 1, 1);
        return Array.from({ length: count }, () => this.generate(param, items));
      }
      case 'object': {
        const props = (prop.properties as Record<string, JsonSchema> | undefined) ?? {};
        const names = Object.keys(props);
        const required = Array.isArray(prop.required) ? (prop.required as string[]).filter((k) => k in props) : [];
        // An object of optional fields (the changes of an update) gets one of them: `{}` would ask for nothing.
        const chosen = required.length > 0 || names.length === 0 ? required : [this.rng.pick(names)];
        return Object.fromEntries(chosen.map((k) => [k, Array.isArray(props[k].enum) && props[k].enum.length > 0 ? this.rng.pick(props[k].enum) : this.generate(k, props[k])]));
      }
      default: {
        if (prop.format === 'date' || /(^|_)date$/.test(param)) return day(this.rng.int(3, 60)).toISOString().slice(0, 10);
        if (prop.format === 'date-time') return day(this.rng.int(3, 60)).toISOString().replace('.000Z', 'Z');
        const text = inventText(prop.format === 'email' ? 'email' : param, this.rng, n, unique);
        return typeof prop.maxLength === 'number' ? text.slice(0, prop.maxLength) : text;
      }
    }
  }
}
