import type { DirectedGraph } from 'graphology';
import type { Domain } from '../env/domain.js';
import type { ToolResult } from '../env/executor.js';
import type { Session } from '../env/session.js';
import { fitValue } from '../env/values.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { Action } from '../spec/task.js';
import { argRole, controlDefault } from './arg-role.js';
import { reachable } from './dependency-graph.js';
import type { Grounder } from './ground.js';
import { toolIntent, type Intent } from './intent.js';
import { isTransferTool } from '../spec/chat.js';
import { meaningful } from './links.js';
import { isKeyColumn, type ParamSource } from './param-sources.js';
import type { Random } from './random.js';
import { Rows } from './rows.js';
import { fieldWords, isAddressPart, sayValue } from './say.js';
import { singular } from '../util/words.js';
import { entityOf } from './intent.js';

/** A row the task is about, and how the user refers to it. */
export interface Thing {
  table: string;
  /** The key column and value the tools use for it. */
  key: { column: string; value: unknown };
  row: Record<string, unknown>;
  /** What the user calls it by (a name, a title), when the agent has to pick it out of several. */
  label?: { column: string; value: string };
  /** The user gives this identifier themself (an email, an order number) instead of the agent finding it. */
  given?: { column: string; value: unknown };
  /** The person the user is. */
  self?: boolean;
}

/** One gold step with its result; `finds` is the row a lookup step was taken for. */
export interface PlannedStep {
  action: Action;
  result: unknown;
  finds?: Thing;
}

export interface Change {
  field: string;
  value: unknown;
  /** The value the target holds before the change, when the change sets one of its columns. */
  old?: unknown;
  /** A token, a key or a password: the user tells it when asked, it is not what they want. */
  credential?: boolean;
}

/** A value the user gives for a step (an email to look them up by, an order number), and the row it is about. */
export interface Said {
  param: string;
  value: string | number;
  about?: Thing;
  credential?: boolean;
}

/** What the user asks of a read-only task, and the answer in its outputs. */
export interface Question {
  field: string;
  answer: string;
  /** The row asked about. */
  of?: Thing;
}

/** A sampled goal: the steps that reach it, and what the instruction writer needs to say it. */
export interface Plan {
  steps: PlannedStep[];
  tool: string;
  intent: Intent;
  /** The row the goal acts on (or asks about). */
  target?: Thing;
  /** Other rows the goal names (an assignee, the project a task goes into). */
  refs: Array<{ param: string; thing: Thing }>;
  /** What the goal sets (a new status, a title), or the criteria of a read. */
  changes: Change[];
  /** Rows found on the way that the user names so the agent can pick them out. */
  context: Thing[];
  /** Values the steps take from the user rather than from earlier results (what the user knows). */
  said: Said[];
  /** The user, when a person row of the domain stands for them. */
  self?: Thing;
  question?: Question;
  /** The user wants to be told the new row's identifier. */
  tellNew?: { field: string; value: string };
  hash: string;
}

/** Why a walk ends when every goal call it drew had been sampled before. */
export const ALREADY_SAMPLED = 'only goals already sampled';

const MAX_DEPTH = 3;
/** Most values besides the rows it names that one request states. */
const MAX_DETAILS = 6;
const FINDER_TRIES = 6;
/** Parameters by which a tool says who is acting: the row they point at is the user. */
const SELF_PARAM = /^(requested_?by|requester(_id)?|request_by|actor(_id)?|acting_user(_id)?|user(_id)?|userid|customer(_id)?|customerid|client(_id)?|account(_id)?|me|my_id|current_user(_id)?|author(_id)?|sender(_id)?|from_user(_id)?|passenger(_id)?|patient(_id)?|guest(_id)?|consumer(_id)?)$/i;
/** Fields worth asking about, favoured when a read-only task picks its question. */
const INTERESTING = /status|state|date|due|time|deadline|amount|price|total|count|balance|capacity|remaining|priority|level|score|rating|quantity|size|duration|cost|fee|phone|address|city|role|type|plan|tier|owner|title|name/i;
const ID_LIKE = /(^|_)(id|ids|uuid|guid|key|token|hash|url|uri|href|link)$|[a-z](Id|Ids|Url|Uri)$/;

const same = (a: unknown, b: unknown) => a === b || (a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
const scalar = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';

/** A JSON text in a result (a tool that returns a serialized object) read as the value it holds. */
function parsedText(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Whether an object's values are all objects: a map of rows keyed by id (variants by item id). */
const isRowMap = (v: unknown): v is Record<string, Record<string, unknown>> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => x && typeof x === 'object' && !Array.isArray(x));

/** Objects in a result, each with the list (or map of rows) it sits in; undefined when alone. */
function objectsOf(result: unknown, siblings?: unknown[], out: Array<{ obj: Record<string, unknown>; siblings?: unknown[] }> = []) {
  result = parsedText(result);
  if (Array.isArray(result)) for (const v of result) objectsOf(v, result, out);
  else if (isRowMap(result)) for (const v of Object.values(result)) objectsOf(v, Object.values(result), out);
  else if (result && typeof result === 'object') {
    out.push({ obj: result as Record<string, unknown>, siblings });
    for (const v of Object.values(result)) if (v && typeof v === 'object') objectsOf(v, undefined, out);
  }
  return out;
}

/**
 * Where a result shows the row with `column` = `value`: as an object holding the value under that
 * column (or the same name in another spelling: rideId for ride_id); as one of a list of ids
 * under the entity's plural (a user's `orders`); or, when a single row is returned, anywhere in it
 * (a project's owner_id). `siblings` are the other rows (or ids) the agent has to tell it from.
 */
function locate(result: unknown, column: string, value: unknown, entity: string): { obj?: Record<string, unknown>; siblings?: unknown[]; ids?: boolean } | undefined {
  if (same(parsedText(result), value)) return {};
  const wanted = fieldWords(column);
  const objects = objectsOf(result);
  const own = objects.find(({ obj }) => Object.entries(obj).some(([k, v]) => same(v, value) && (k === column || fieldWords(k) === wanted)));
  if (own) return own;
  const noun = entity.split(' ').pop();
  for (const { obj } of objects) {
    for (const [k, v] of Object.entries(obj)) {
      if (Array.isArray(v) && v.some((x) => same(x, value)) && singular(fieldWords(k).split(' ').pop()!) === noun) return { siblings: v, ids: true };
    }
  }
  const holder = objects.find(({ obj, siblings }) => (!siblings || siblings.length === 1) && Object.values(obj).some((v) => same(v, value)));
  return meaningful(value) && holder ? {} : undefined;
}

/** A field that tells one object of a list from the others: preferably a readable name, else any unique short text. */
function distinguishing(obj: Record<string, unknown>, siblings: unknown[], preferred: string | undefined): { column: string; value: string } | undefined {
  const unique = (k: string) => siblings.filter((s) => s && typeof s === 'object' && same((s as Record<string, unknown>)[k], obj[k])).length === 1;
  const texts = Object.entries(obj).filter(([k, v]) => typeof v === 'string' && v.length >= 3 && v.length <= 80 && !ID_LIKE.test(k) && !/^\d{4}-\d{2}-\d{2}/.test(v) && !/^\s*[[{]/.test(v));
  // Names first, then a status or a kind, then other text; parts of an address only when nothing else tells rows apart.
  const rank = (k: string) => (k === preferred ? 0 : /name|title|subject|label|email/.test(k) ? 1 : /status|state|type|kind|category/.test(k) ? 2 : isAddressPart(k) ? 4 : 3);
  const ordered = [...texts].sort(([a], [b]) => rank(a) - rank(b));
  const hit = ordered.find(([k]) => unique(k));
  if (hit) return { column: hit[0], value: hit[1] as string };
  // Options such as {color: "red", size: "M"} tell variants apart.
  const option = Object.entries(obj).find(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) && !ID_LIKE.test(k) && siblings.filter((s) => s && typeof s === 'object' && JSON.stringify((s as Record<string, unknown>)[k]) === JSON.stringify(v)).length === 1);
  return option ? { column: option[0], value: sayValue(option[0], option[1]) } : undefined;
}

interface Need {
  param: string;
  table: string;
  column: string;
  value: unknown;
}

/** Builds one goal and the lookups that lead to it, on a session whose state the caller rewinds. */
export class Planner {
  private readonly rows: Rows;
  private readonly readers: string[];
  /** For each read tool, the tables whose keys its results can hold. */
  private readonly reach: Map<string, Set<string>>;
  private readonly reads = new Map<string, ToolResult>();

  constructor(
    private readonly domain: Domain,
    private readonly sources: Map<string, Map<string, ParamSource>>,
    private readonly graph: DirectedGraph,
    private readonly grounder: Grounder,
    private readonly rng: Random,
  ) {
    this.rows = new Rows(domain);
    this.readers = [...domain.tools.values()].filter((t) => t.spec.kind === 'read').map((t) => t.spec.name).sort();
    this.reach = new Map(this.readers.map((r) => [r, reachable(domain, r)]));
  }

  /**
   * A goal for `tool`, or why none could be built this time. `isNew` tells goal calls not yet
   * sampled: one already sampled is passed over for other arguments before any call is made, since
   * working back to it again mostly rebuilds a task there is.
   */
  plan(session: Session, tool: string, maxSteps: number, tries: number, isNew: (args: Record<string, unknown>) => boolean = () => true): Plan | string {
    const intent = toolIntent(this.domain, tool);
    const write = this.domain.tools.get(tool)!.spec.kind === 'write';
    let repeats = 0;
    for (let t = 0; t < tries; t++) {
      const { args } = this.grounder.ground(session, tool, []);
      // A question names what it is about; filters nobody asked for would be guesses for the agent.
      if (!write) {
        const required = new Set((this.domain.tools.get(tool)!.spec.parameters.required as string[] | undefined) ?? []);
        const keyed = new Set(this.needsOf(tool, args).map((n) => n.param));
        for (const param of Object.keys(args)) if (!required.has(param) && !keyed.has(param)) delete args[param];
      }
      this.correlate(session, tool, intent, args);
      if (!isNew(args)) {
        repeats++;
        continue;
      }
      // Try the goal's call first (rolled back): working back to it only pays when it succeeds.
      const before = session.stateHash();
      const trial = session.rewindAfter(() => {
        const r = session.call(tool, args);
        return { result: r, hash: session.stateHash() };
      });
      if (!trial.result.ok || (write && trial.hash === before)) continue;
      // Nobody dictates a dozen fields in one request.
      if (Object.values(args).length > MAX_DETAILS + this.needsOf(tool, args).length) return `${tool} takes more details than a person would give at once`;
      const walk = new Walk(maxSteps - 1);
      const needs = this.needsOf(tool, args);
      // The user first (who is acting), then the row acted on, then anything else named.
      needs.sort((a, b) => rank(a) - rank(b));
      const things = new Map<string, Thing>();
      let failed: string | undefined;
      for (const need of needs) {
        const thing = this.resolve(session, walk, need.table, need.column, need.value, tool, 0);
        if (!thing) {
          failed = `no way for the user or the agent to know ${need.param} of ${tool}`;
          break;
        }
        if (SELF_PARAM.test(need.param) && this.rows.isPeople(thing.table)) thing.self = true;
        things.set(need.param, thing);
      }
      if (failed) {
        if (t === tries - 1) return failed;
        continue;
      }
      if (walk.steps.length + 1 > maxSteps) return `the goal needs more than ${maxSteps} steps`;
      // The lookups only read, so the goal's call from the same state gives what the trial gave.
      walk.steps.push({ action: { tool, args }, result: trial.result.value });
      return this.finish(walk, tool, intent, args, things, trial.result.value, trial.hash);
    }
    return repeats === tries ? ALREADY_SAMPLED : `no successful call of ${tool} in ${tries} tries`;

    function rank(n: Need): number {
      if (SELF_PARAM.test(n.param)) return 0;
      return n.table === intent.table ? 1 : 2;
    }
  }

  /** A read's result; reads depend only on the state and their arguments, and walks share one state. */
  private read(session: Session, tool: string, args: Record<string, unknown>): ToolResult {
    const key = `${session.stateHash()}|${tool}|${JSON.stringify(args)}`;
    let result = this.reads.get(key);
    if (!result) {
      result = session.call(tool, args);
      if (this.reads.size > 5000) this.reads.clear();
      this.reads.set(key, result);
    }
    return result;
  }

  /**
   * Other rows a goal names are mostly ones linked to the row it acts on (the task's assignee
   * asks to close it, not a random member): take them from the target's references.
   */
  private correlate(session: Session, tool: string, intent: Intent, args: Record<string, unknown>): void {
    const needs = this.needsOf(tool, args);
    // The row acted on, or for a new row the first existing one it names (the project a task goes in).
    const target = needs.find((n) => n.table === intent.table) ?? needs.find((n) => !SELF_PARAM.test(n.param));
    if (!target) return;
    const row = this.rows.find(target.table, target.column, target.value, session.reader);
    if (!row) return;
    const props = (this.domain.tools.get(tool)!.spec.parameters.properties ?? {}) as Record<string, JsonSchema>;
    const refs = this.rows.references(target.table);
    for (const need of needs) {
      if (need === target || Array.isArray(args[need.param])) continue;
      const linked = refs.filter(([, t, c]) => t === need.table && c === need.column).map(([col]) => row[col]).filter(scalar);
      if (linked.length > 0 && this.rng.chance(0.75)) args[need.param] = fitValue(props[need.param] ?? {}, this.rng.pick(linked));
    }
  }

  /** Arguments that name existing rows by key: what the user or the agent must come to know. */
  private needsOf(tool: string, args: Record<string, unknown>): Need[] {
    const sources = this.sources.get(tool);
    const needs: Need[] = [];
    for (const [param, value] of Object.entries(args)) {
      const src = sources?.get(param);
      if (!src || src.role !== 'lookup') continue;
      const table = this.rows.table(src.table)!;
      const keyPart = table.primaryKey.includes(src.column) && /id$/i.test(src.column);
      if (!isKeyColumn(table, src.column) && !keyPart && !this.rows.isNatural(src.table, src.column)) continue;
      for (const v of Array.isArray(value) ? value : [value]) if (scalar(v)) needs.push({ param, table: src.table, column: src.column, value: v });
    }
    return needs;
  }

  /**
   * How the row with `column` = `value` comes to be known: already found by an earlier step, said
   * by the user (an email, an order number), or found by a read tool whose own arguments are
   * resolved the same way (a few levels deep). Steps are added to the walk in the order they run.
   */
  private resolve(session: Session, walk: Walk, table: string, column: string, value: unknown, consumer: string, depth: number): Thing | undefined {
    const known = walk.things.get(`${table}|${String(value)}`) ?? walk.found(table, column, value);
    if (known) return known;
    const row = this.rows.find(table, column, value, session.reader);
    if (!row) return undefined;
    const keyColumn = this.rows.key(table) ?? column;
    const thing: Thing = { table, key: { column: keyColumn, value: row[keyColumn] ?? value }, row, label: this.rows.label(table, row) };
    if (this.rows.isNatural(table, column)) {
      thing.given = { column, value };
      return walk.remember(thing, value);
    }
    const document = this.rows.isDocument(table);
    // A person often has the number of an order or a booking at hand; sometimes they do not.
    if (document && depth === 0 && this.rng.chance(0.35)) {
      thing.given = { column, value };
      return walk.remember(thing, value);
    }
    if (depth < MAX_DEPTH && walk.steps.length < walk.budget) {
      const found = this.findWith(session, walk, thing, column, value, consumer, depth);
      if (found) return found;
    }
    if (document || !thing.label) {
      thing.given = { column, value };
      return walk.remember(thing, value);
    }
    return undefined;
  }

  /** Try read tools that return the row, from what is known so far or what the row points at. */
  private findWith(session: Session, walk: Walk, thing: Thing, column: string, value: unknown, consumer: string, depth: number): Thing | undefined {
    const candidates = this.readers.filter((f) => f !== consumer && (this.graph.hasEdge(f, consumer) || !this.graph.hasNode(consumer)) && this.reach.get(f)!.has(thing.table));
    // A read that needs the very value it is to find finds nothing.
    const options = candidates.flatMap((f) => this.finderArgs(f, thing, walk).filter((args) => !Object.values(args).some((v) => same(v, value) || (Array.isArray(v) && v.some((x) => same(x, value))))).map((args) => ({ f, args })));
    // Calls that build on what the walk has come first, then lookups by what a person knows
    // (an email), then other lookups, and listing everything last; in a seeded order within each.
    const score = (f: string, args: Record<string, unknown>) => {
      if (walk.reuses(args)) return 0;
      const params = Object.keys(args);
      if (params.length === 0) return 3;
      const src = this.sources.get(f);
      return params.every((p) => src?.get(p) && this.rows.isNatural(src.get(p)!.table, src.get(p)!.column)) ? 1 : 2;
    };
    const scored = options.map((o) => ({ ...o, score: score(o.f, o.args), r: this.rng.float() }));
    scored.sort((a, b) => a.score - b.score || a.r - b.r);
    for (const { f, args } of scored.slice(0, FINDER_TRIES)) {
      const result = this.read(session, f, args);
      if (!result.ok) continue;
      const hit = locate(result.value, column, value, entityOf(thing.table));
      if (!hit) continue;
      let label = thing.label;
      if (hit.siblings && hit.siblings.length > 1) {
        // A list of ids tells nothing apart: the user describes the row by what it holds (their pending order).
        const others = hit.ids ? hit.siblings.map((id) => this.rows.find(thing.table, column, id, session.reader)).filter((r): r is Record<string, unknown> => !!r) : hit.siblings;
        label = distinguishing(hit.ids ? thing.row : hit.obj!, others, thing.label?.column);
        if (!label) continue;
      }
      const mark = walk.mark();
      const ok = this.needsOf(f, args).every((n) => this.resolve(session, walk, n.table, n.column, n.value, f, depth + 1));
      if (!ok) {
        walk.reset(mark);
        continue;
      }
      const found = walk.remember({ ...thing, label }, value);
      walk.steps.push({ action: { tool: f, args }, result: result.value, finds: found });
      walk.learn(args, result.value);
      return found;
    }
    return undefined;
  }

  /** Argument sets for a read tool meant to return `thing`: required ones filled, optional ones only when they build on the walk or narrow the list. */
  private finderArgs(tool: string, thing: Thing, walk: Walk): Array<Record<string, unknown>> {
    const spec = this.domain.tools.get(tool)!.spec;
    const props = (spec.parameters.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((spec.parameters.required as string[] | undefined) ?? []);
    const sources = this.sources.get(tool);
    const refs = this.rows.references(thing.table);
    const fromRow = (param: string): unknown => {
      const s = sources?.get(param);
      if (!s) return param in thing.row && scalar(thing.row[param]) ? thing.row[param] : undefined;
      if (s.role !== 'lookup') return undefined;
      if (s.table === thing.table) return thing.row[s.column];
      if (s.via?.table === thing.table) return thing.row[s.via.column];
      const ref = refs.find(([, t, c]) => t === s.table && c === s.column);
      return ref ? thing.row[ref[0]] : undefined;
    };
    const base: Record<string, unknown> = {};
    for (const param of required) {
      // A page size or format the read insists on is the agent's choice, not a fact of the row.
      const v = fromRow(param) ?? (argRole(param, props[param]) === 'control' ? controlDefault(param, props[param]) : undefined);
      if (v === undefined || v === null) return [];
      base[param] = fitValue(props[param] ?? {}, v);
    }
    const optional = Object.keys(props).filter((p) => !required.has(p)).sort();
    const linked = { ...base };
    for (const p of optional) {
      const v = fromRow(p);
      if (scalar(v) && walk.has(v)) linked[p] = fitValue(props[p], v);
    }
    const out = [linked];
    if (Object.keys(linked).length === Object.keys(base).length) {
      for (const p of optional) {
        const v = fromRow(p);
        const src = sources?.get(p);
        if (v === undefined || v === null || !src || !isKeyColumn(this.rows.table(src.table)!, src.column)) continue;
        out.push({ ...base, [p]: fitValue(props[p], v) });
        if (out.length >= 3) break;
      }
    }
    return out;
  }

  private finish(walk: Walk, tool: string, intent: Intent, args: Record<string, unknown>, things: Map<string, Thing>, result: unknown, hash: string): Plan {
    const sources = this.sources.get(tool);
    let target: Thing | undefined;
    const refs: Plan['refs'] = [];
    for (const [param, thing] of things) {
      if (!target && thing.table === intent.table && intent.kind !== 'create') target = thing;
      // The user as the one acting goes unsaid; as the one assigned or invited, they say "me".
      else if (!(thing.self && SELF_PARAM.test(param))) refs.push({ param, thing });
    }
    const changes: Change[] = [];
    // Paging, sorting and formats are how the agent calls, not what the user wants.
    const role = (t: string, param: string) => {
      const spec = this.domain.tools.get(t)!.spec;
      return argRole(param, (spec.parameters.properties as Record<string, JsonSchema> | undefined)?.[param], spec.kind === 'read');
    };
    const control = (t: string, param: string) => role(t, param) === 'control';
    for (const [param, value] of Object.entries(args)) {
      if (things.has(param) || control(tool, param)) continue;
      const src = sources?.get(param);
      const old = target && src && src.table === target.table ? target.row[src.column] : undefined;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) changes.push({ field: k, value: v, old: target?.row[k] });
      } else changes.push({ field: param, value, old, ...(role(tool, param) === 'credential' ? { credential: true } : {}) });
    }
    const self = [...walk.things.values()].find((t) => t.self) ?? [...walk.things.values()].find((t) => this.rows.isPeople(t.table) && t.given && t.table !== intent.table);
    if (self) self.self = true;
    const context = [...new Set(walk.things.values())].filter((t) => t !== target && !t.self && !refs.some((r) => r.thing === t) && (t.label || t.given));
    // What the user gives: every argument no earlier step used or returned, but the goal's own changes.
    const said: Said[] = [];
    const seen = new Walk();
    for (const step of walk.steps) {
      const goal = step === walk.steps[walk.steps.length - 1];
      for (const [param, value] of Object.entries(step.action.args)) {
        if ((goal && !things.has(param)) || !scalar(value) || control(step.action.tool, param) || seen.has(value) || said.some((x) => same(x.value, value))) continue;
        said.push({ param, value, about: goal ? things.get(param) : step.finds, ...(role(step.action.tool, param) === 'credential' ? { credential: true } : {}) });
      }
      seen.learn(step.action.args, step.result);
    }
    const plan: Plan = { steps: walk.steps, tool, intent, target, refs, changes, context, said, self, hash };
    if (intent.kind === 'read') plan.question = this.question(plan, result);
    else if (intent.kind === 'create' && intent.table && this.rng.chance(0.5)) {
      const key = this.rows.key(intent.table);
      const created = key ? objectsOf(result).find(({ obj }) => key in obj) : undefined;
      const id = key && created ? created.obj[key] : undefined;
      if (meaningful(id) && !walk.has(id)) plan.tellNew = { field: key!, value: String(id) };
    }
    return plan;
  }

  /** The question of a read-only goal: a field of the row asked about, or how many rows there are. */
  private question(plan: Plan, result: unknown): Question | undefined {
    const given = new Set(plan.steps.flatMap((s) => Object.values(s.action.args)).filter(scalar).map(String));
    const fieldOf = (obj: Record<string, unknown>, skip?: string): [string, string] | undefined => {
      const fields = Object.entries(obj)
        .filter(([k, v]) => k !== skip && /^[a-z]/.test(k) && !ID_LIKE.test(k) && argRole(k) === 'content' && ((typeof v === 'string' && v.length >= 1 && v.length <= 60 && !given.has(v)) || (typeof v === 'number' && !given.has(String(v)))))
        .sort(([a], [b]) => a.localeCompare(b));
      if (fields.length === 0) return undefined;
      const [k, v] = this.rng.weighted(fields, ([key]) => (INTERESTING.test(key) ? 4 : 1));
      return [k, String(v)];
    };
    if (scalar(result)) {
      // An id (what a lookup by email returns) is for the agent to use, not for the user to ask about.
      const table = plan.intent.table;
      const key = table ? this.rows.key(table) : undefined;
      const isId = !!table && !!key && this.rows.find(table, key, result) !== undefined;
      return /^\s*[[{]/.test(String(result)) || isId ? undefined : { field: plan.intent.entity, answer: String(result) };
    }
    // A row the user holds the number of (their case 1) can be asked about by its name too: they
    // then refer to it by the number, and its name is the answer, not something they know.
    const byNumber = (obj: Record<string, unknown>): Question | undefined => {
      const target = plan.target;
      if (!target?.given || !target.label || !Object.values(obj).some((v) => same(v, target.given!.value) || same(v, target.key.value))) return undefined;
      const hit = fieldOf(obj);
      if (!hit) return undefined;
      plan.target = { ...target, label: undefined };
      return { field: hit[0], answer: hit[1], of: plan.target };
    };
    const list = Array.isArray(result) ? result.filter((r) => r && typeof r === 'object') as Array<Record<string, unknown>> : undefined;
    if (!list) {
      if (!result || typeof result !== 'object') return undefined;
      const hit = fieldOf(result as Record<string, unknown>, plan.target?.label?.column);
      return hit ? { field: hit[0], answer: hit[1], of: plan.target } : byNumber(result as Record<string, unknown>);
    }
    if (list.length === 0) return undefined;
    const table = plan.intent.table;
    const picks = list.map((obj) => ({ obj, label: list.length === 1 ? (table ? this.rows.label(table, obj) : undefined) : distinguishing(obj, list, undefined) })).filter((p) => p.label || list.length === 1);
    if (picks.length === 0) return undefined;
    const { obj, label } = this.rng.pick(picks);
    const hit = fieldOf(obj, label?.column);
    if (!hit) return list.length === 1 ? byNumber(obj) : undefined;
    const key = table ? this.rows.key(table) : undefined;
    const of: Thing = { table: table ?? '', key: { column: key ?? '', value: key ? obj[key] : undefined }, row: obj, label };
    return { field: hit[0], answer: hit[1], of };
  }
}

/** The steps of a goal under construction, with what they made known. */
class Walk {
  /** Lookups a walk may take before its goal. */
  constructor(readonly budget = Infinity) {}
  steps: PlannedStep[] = [];
  /** Scalars the steps used or returned, as text (how `same` compares them), in the order learnt. */
  private readonly order: string[] = [];
  private readonly known = new Set<string>();
  /** Rows known so far, by table and key or looked-up value. */
  things = new Map<string, Thing>();

  /** Whether a value equals (as `same` has it) one the walk already has. */
  has(v: unknown): boolean {
    return v !== null && typeof v !== 'object' && this.known.has(String(v));
  }

  private keep(v: unknown): void {
    const text = String(v);
    if (this.known.has(text)) return;
    this.known.add(text);
    this.order.push(text);
  }

  found(table: string, column: string, value: unknown): Thing | undefined {
    for (const t of this.things.values()) if (t.table === table && same(t.row[column], value)) return t;
    return undefined;
  }

  /** Keep a row as known; a row already known under its key (found through its email) gains what this one adds. */
  remember(thing: Thing, value: unknown): Thing {
    const existing = this.things.get(`${thing.table}|${String(thing.key.value)}`);
    const kept = existing ? Object.assign(existing, { label: existing.label ?? thing.label, given: existing.given ?? thing.given, self: existing.self || thing.self }) : thing;
    this.things.set(`${thing.table}|${String(thing.key.value)}`, kept);
    this.things.set(`${thing.table}|${String(value)}`, kept);
    if (thing.given) this.keep(value);
    return kept;
  }

  learn(args: Record<string, unknown>, result: unknown): void {
    const add = (v: unknown) => {
      if (scalar(v)) this.keep(v);
      else if (Array.isArray(v)) v.forEach(add);
      else if (v && typeof v === 'object') Object.values(v).forEach(add);
    };
    add(args);
    add(result);
  }

  /** Whether arguments reuse a meaningful value the walk already has. */
  reuses(args: Record<string, unknown>): boolean {
    return Object.values(args).some((v) => meaningful(v) && this.has(v));
  }

  mark(): { steps: number; values: number; things: Map<string, Thing> } {
    return { steps: this.steps.length, values: this.order.length, things: new Map(this.things) };
  }

  reset(m: ReturnType<Walk['mark']>): void {
    this.steps.length = m.steps;
    for (const text of this.order.splice(m.values)) this.known.delete(text);
    this.things = m.things;
  }
}
