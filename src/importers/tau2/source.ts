import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../../util/files.js';
import { keysInOrder, parseOrderedJson } from './ordered-json.js';
import { UserError } from '../../util/errors.js';

/**
 * The tau2-bench retail data folder, read and checked before anything is written. tau2's own
 * pydantic models are the reference for what a record may hold; anything else is refused with
 * one sentence naming the file, the record and the fix.
 */

const Address = z.strictObject({
  address1: z.string(),
  address2: z.string(),
  city: z.string(),
  country: z.string(),
  state: z.string(),
  zip: z.string(),
});

const Variant = z.strictObject({
  item_id: z.string(),
  options: z.record(z.string(), z.string()),
  available: z.boolean(),
  price: z.number(),
});

const Product = z.strictObject({
  name: z.string(),
  product_id: z.string(),
  variants: z.record(z.string(), Variant),
});

const PaymentMethod = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('credit_card'), id: z.string(), brand: z.string(), last_four: z.string() }),
  z.strictObject({ source: z.literal('gift_card'), id: z.string(), balance: z.number() }),
  z.strictObject({ source: z.literal('paypal'), id: z.string() }),
]);

const User = z.strictObject({
  user_id: z.string(),
  name: z.strictObject({ first_name: z.string(), last_name: z.string() }),
  address: Address,
  email: z.string(),
  payment_methods: z.record(z.string(), PaymentMethod),
  orders: z.array(z.string()),
});

const Order = z.strictObject({
  order_id: z.string(),
  user_id: z.string(),
  address: Address,
  items: z.array(
    z.strictObject({ name: z.string(), product_id: z.string(), item_id: z.string(), price: z.number(), options: z.record(z.string(), z.string()) }),
  ),
  status: z.string(),
  fulfillments: z.array(z.strictObject({ tracking_id: z.array(z.string()), item_ids: z.array(z.string()) })),
  payment_history: z.array(
    z.strictObject({ transaction_type: z.enum(['payment', 'refund']), amount: z.number(), payment_method_id: z.string() }),
  ),
  // Optional fields of tau2's Order model, absent from the original data until a tool sets them.
  cancel_reason: z.string().nullish(),
  exchange_items: z.array(z.string()).nullish(),
  exchange_new_items: z.array(z.string()).nullish(),
  exchange_payment_method_id: z.string().nullish(),
  exchange_price_difference: z.number().nullish(),
  return_items: z.array(z.string()).nullish(),
  return_payment_method_id: z.string().nullish(),
});

export type Tau2Variant = z.infer<typeof Variant>;
export type Tau2PaymentMethod = z.infer<typeof PaymentMethod>;
export type Tau2Order = z.infer<typeof Order>;
/** Maps keyed by id are Maps: their order is part of the data (see ordered-json.ts). */
export type Tau2Product = Omit<z.infer<typeof Product>, 'variants'> & { variants: Map<string, Tau2Variant> };
export type Tau2User = Omit<z.infer<typeof User>, 'payment_methods'> & { payment_methods: Map<string, Tau2PaymentMethod> };
export interface Tau2Db {
  products: Map<string, Tau2Product>;
  users: Map<string, Tau2User>;
  orders: Map<string, Tau2Order>;
}

const ToolEntry = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/),
    description: z.string(),
    parameters: z.looseObject({ type: z.literal('object'), properties: z.record(z.string(), z.record(z.string(), z.unknown())).optional() }),
  }),
});
export type Tau2Tool = z.infer<typeof ToolEntry>['function'];

const Instructions = z.looseObject({
  domain: z.string().optional(),
  reason_for_call: z.string(),
  known_info: z.string().nullish(),
  unknown_info: z.string().nullish(),
  task_instructions: z.string().nullish(),
});

const TaskAction = z.looseObject({
  action_id: z.string().optional(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  requestor: z.enum(['assistant', 'user']).optional(),
});

const Task = z.looseObject({
  id: z.string().min(1),
  description: z.looseObject({ purpose: z.string().nullish(), notes: z.string().nullish() }).nullish(),
  user_scenario: z.looseObject({ persona: z.string().nullish(), instructions: z.union([z.string(), Instructions]) }),
  initial_state: z.null().optional(),
  evaluation_criteria: z
    .looseObject({
      actions: z.array(TaskAction).nullish(),
      communicate_info: z.array(z.string()).nullish(),
      reward_basis: z.array(z.string()).default(['DB', 'COMMUNICATE']),
    })
    .nullish(),
});
export type Tau2Task = z.infer<typeof Task>;

export interface Tau2Source {
  dir: string;
  toolsFile: string;
  db: Tau2Db;
  tools: Tau2Tool[];
  tasks: Tau2Task[];
  policy: string;
  /** Task id -> the splits (train, test...) that list it, from split_tasks.json when present. */
  splits: Map<string, string[]>;
}

/** "orders["#W1"].items[2].price" from a zod path under a record. */
function where(record: string, path: PropertyKey[]): string {
  return record + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function parseRecord<S extends z.ZodType>(schema: S, value: unknown, file: string, record: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UserError(`${file}: ${where(record, issue.path)}: ${issue.message}; fix that record (tau2's retail format is described in its data_model.py).`);
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A map of records keyed by id, each checked, in the order of the text. */
function parseKeyed<S extends z.ZodType>(schema: S, table: unknown, file: string, name: string, idField: string): Map<string, { parsed: z.infer<S>; raw: Raw }> {
  if (!isObject(table)) throw new UserError(`${file}: "${name}" must be an object keyed by ${idField}; this is not tau2 retail data.`);
  const out = new Map<string, { parsed: z.infer<S>; raw: Raw }>();
  for (const key of keysInOrder(table)) {
    const record = `${name}[${JSON.stringify(key)}]`;
    const parsed = parseRecord(schema, table[key], file, record) as Raw;
    if (parsed[idField] !== key) {
      throw new UserError(`${file}: ${record} has ${idField} ${JSON.stringify(parsed[idField])}; a record's key must equal its ${idField}.`);
    }
    out.set(key, { parsed: parsed as z.infer<S>, raw: table[key] as Raw });
  }
  return out;
}

/** A map inside a checked record, in the order of the text, each entry's key equal to its id. */
function orderedMap<T extends Raw>(parsed: Record<string, T>, raw: unknown, idField: string, file: string, record: string): Map<string, T> {
  return new Map(
    keysInOrder(raw as object).map((key) => {
      const value = parsed[key];
      if (value[idField] !== key) throw new UserError(`${file}: ${record}[${JSON.stringify(key)}] has ${idField} ${JSON.stringify(value[idField])}; its key must equal its ${idField}.`);
      return [key, value];
    }),
  );
}

/** db.json checked record by record, plus the links between records that the tools rely on. */
export function parseDb(data: unknown, file: string): Tau2Db {
  if (!isObject(data)) throw new UserError(`${file} must be a JSON object with products, users and orders.`);
  const extra = Object.keys(data).find((k) => !['products', 'users', 'orders'].includes(k));
  if (extra) throw new UserError(`${file} has a top-level "${extra}"; tau2 retail data has only products, users and orders.`);
  const products = new Map<string, Tau2Product>();
  for (const [pid, { parsed, raw }] of parseKeyed(Product, data.products, file, 'products', 'product_id')) {
    products.set(pid, { ...parsed, variants: orderedMap(parsed.variants, raw.variants, 'item_id', file, `products[${JSON.stringify(pid)}].variants`) });
  }
  const users = new Map<string, Tau2User>();
  for (const [uid, { parsed, raw }] of parseKeyed(User, data.users, file, 'users', 'user_id')) {
    users.set(uid, { ...parsed, payment_methods: orderedMap(parsed.payment_methods, raw.payment_methods, 'id', file, `users[${JSON.stringify(uid)}].payment_methods`) });
  }
  const orders = new Map<string, Tau2Order>();
  for (const [oid, { parsed: o }] of parseKeyed(Order, data.orders, file, 'orders', 'order_id')) {
    const record = `orders[${JSON.stringify(oid)}]`;
    const user = users.get(o.user_id);
    if (!user) throw new UserError(`${file}: ${record} belongs to user ${JSON.stringify(o.user_id)}, who is not in users; add the user or fix user_id.`);
    o.payment_history.forEach((p, i) => {
      if (!user.payment_methods.has(p.payment_method_id)) {
        throw new UserError(`${file}: ${record}.payment_history[${i}] uses ${JSON.stringify(p.payment_method_id)}, which is not one of user ${JSON.stringify(o.user_id)}'s payment methods; fix payment_method_id.`);
      }
    });
    orders.set(oid, o);
  }
  return { products, users, orders };
}

export function parseTools(data: unknown, file: string): Tau2Tool[] {
  if (!Array.isArray(data)) throw new UserError(`${file} must be a JSON array of {"type": "function", "function": {...}} entries.`);
  const seen = new Set<string>();
  return data.map((entry, i) => {
    const name = (entry as { function?: { name?: unknown } })?.function?.name;
    const tool = parseRecord(ToolEntry, entry, file, `[${i}]${typeof name === 'string' ? ` (${name})` : ''}`).function;
    if (seen.has(tool.name)) throw new UserError(`${file}: [${i}] declares ${tool.name} a second time; keep one entry per tool.`);
    seen.add(tool.name);
    return tool;
  });
}

export function parseTasks(data: unknown, file: string): Tau2Task[] {
  if (!Array.isArray(data)) throw new UserError(`${file} must be a JSON array of tau2 tasks.`);
  const seen = new Set<string>();
  return data.map((entry, i) => {
    const id = (entry as { id?: unknown })?.id;
    const task = parseRecord(Task, entry, file, `task ${typeof id === 'string' ? JSON.stringify(id) : `[${i}]`}`);
    if (seen.has(task.id)) throw new UserError(`${file}: task ${JSON.stringify(task.id)} appears twice; task ids must be unique.`);
    seen.add(task.id);
    return task;
  });
}

/** Read db.json keeping the order of its id-keyed maps. */
function readOrderedJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return parseOrderedJson(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON (${(err as Error).message}); fix the file and try again.`);
  }
}

function parseSplits(data: unknown, file: string): Map<string, string[]> {
  const splits = parseRecord(z.record(z.string(), z.array(z.string())), data, file, 'the top level');
  const out = new Map<string, string[]>();
  for (const [split, ids] of Object.entries(splits)) for (const id of ids) out.set(id, [...(out.get(id) ?? []), split]);
  return out;
}

/** How to make tools.json in a tau2-bench checkout: the tool list exactly as tau2 sends it to a model. */
export const TOOLS_JSON_RECIPE =
  'python -c "import json; from tau2.domains.retail.environment import get_environment; print(json.dumps([t.openai_schema for t in get_environment().get_tools()], indent=2))" > tools.json';

/**
 * Read a tau2 retail data folder: db.json, tasks.json, policy.md, split_tasks.json if present, and
 * tools.json (from the folder unless `toolsFile` is given).
 */
export function readTau2Folder(dir: string, toolsFile = join(dir, 'tools.json')): Tau2Source {
  if (!existsSync(dir)) throw new UserError(`${dir} does not exist; point at the data/tau2/domains/retail folder of a tau2-bench checkout.`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is a file; point at the data/tau2/domains/retail folder of a tau2-bench checkout.`);
  for (const name of ['db.json', 'tasks.json', 'policy.md']) {
    if (!existsSync(join(dir, name))) throw new UserError(`${dir} has no ${name}; point at the data/tau2/domains/retail folder of a tau2-bench checkout.`);
  }
  if (!existsSync(toolsFile)) {
    throw new UserError(`${toolsFile} does not exist; generate it in your tau2-bench checkout with: ${TOOLS_JSON_RECIPE} (or pass --tools <file>).`);
  }
  const file = (name: string) => join(dir, name);
  const splitsFile = file('split_tasks.json');
  return {
    dir,
    toolsFile,
    db: parseDb(readOrderedJson(file('db.json')), file('db.json')),
    tools: parseTools(readJsonFile(toolsFile), toolsFile),
    tasks: parseTasks(readJsonFile(file('tasks.json')), file('tasks.json')),
    policy: readFileSync(file('policy.md'), 'utf8'),
    splits: existsSync(splitsFile) ? parseSplits(readJsonFile(splitsFile), splitsFile) : new Map(),
  };
}
