import type Database from 'better-sqlite3';
import type { Domain } from '../../env/domain.js';
import { fromColumnValue } from '../../env/values.js';
import { TAU2_DOMAIN } from './names.js';
import { PyFloat, pyDumps, type PyJson } from './pyjson.js';

/**
 * A state of the tau2-retail domain in tau2's db.json layout: products, users and orders keyed by
 * id, every list and map in its original order, floats as floats. The optional order fields appear
 * once a tool has set them (the original file omits them while they are null).
 */

type Row = Record<string, unknown>;
type Obj = { [key: string]: PyJson };

const OPTIONAL_ORDER_FIELDS = [
  'cancel_reason',
  'exchange_items',
  'exchange_new_items',
  'exchange_payment_method_id',
  'exchange_price_difference',
  'return_items',
  'return_payment_method_id',
] as const;
const JSON_FIELDS = new Set(['exchange_items', 'exchange_new_items', 'return_items']);

/** The records to read: the given ids, or every record when absent. */
type Ids = readonly string[] | undefined;

/** Rows of a table in their original order, limited to those whose `key` is one of `ids`. */
function rows(db: Database.Database, table: string, key: string, order: string, ids: Ids): Row[] {
  const where = ids ? ` WHERE ${key} IN (SELECT value FROM json_each(?))` : '';
  return db.prepare(`SELECT * FROM ${table}${where} ORDER BY ${order}`).all(...(ids ? [JSON.stringify(ids)] : [])) as Row[];
}

/** Child rows grouped by their parent's id, in their original order. */
function rowsByParent(db: Database.Database, table: string, parent: string, ids: Ids): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const row of rows(db, table, parent, `${parent}, position`, ids)) {
    const key = row[parent] as string;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(row);
  }
  return out;
}

const float = (v: unknown) => new PyFloat(v as number);
const parse = (v: unknown) => JSON.parse(v as string) as PyJson;
const address = (r: Row): Obj => ({ address1: r.address1 as string, address2: r.address2 as string, city: r.city as string, country: r.country as string, state: r.state as string, zip: r.zip as string });

function paymentMethod(m: Row): Obj {
  const base: Obj = { source: m.source as string, id: m.id as string };
  if (m.source === 'credit_card') return { ...base, brand: m.brand as string, last_four: m.last_four as string };
  if (m.source === 'gift_card') return { ...base, balance: float(m.balance) };
  return base;
}

function readProducts(db: Database.Database): Map<string, PyJson> {
  const variants = rowsByParent(db, 'variants', 'product_id', undefined);
  const products = new Map<string, PyJson>();
  for (const p of rows(db, 'products', 'product_id', 'position', undefined)) {
    const vs = new Map<string, PyJson>();
    for (const v of variants.get(p.product_id as string) ?? []) {
      vs.set(v.item_id as string, { item_id: v.item_id as string, options: parse(v.options), available: v.available === 1, price: float(v.price) });
    }
    products.set(p.product_id as string, { name: p.name as string, product_id: p.product_id as string, variants: vs });
  }
  return products;
}

function readUsers(db: Database.Database, ids: Ids): Map<string, PyJson> {
  const methods = rowsByParent(db, 'payment_methods', 'user_id', ids);
  const userOrders = rowsByParent(db, 'user_orders', 'user_id', ids);
  const users = new Map<string, PyJson>();
  for (const u of rows(db, 'users', 'user_id', 'position', ids)) {
    const id = u.user_id as string;
    users.set(id, {
      user_id: id,
      name: { first_name: u.first_name as string, last_name: u.last_name as string },
      address: address(u),
      email: u.email as string,
      payment_methods: new Map((methods.get(id) ?? []).map((m) => [m.id as string, paymentMethod(m)])),
      orders: (userOrders.get(id) ?? []).map((o) => o.order_id as string),
    });
  }
  return users;
}

function readOrders(db: Database.Database, ids: Ids): Map<string, PyJson> {
  const items = rowsByParent(db, 'order_items', 'order_id', ids);
  const fulfillments = rowsByParent(db, 'fulfillments', 'order_id', ids);
  const payments = rowsByParent(db, 'payments', 'order_id', ids);
  const orders = new Map<string, PyJson>();
  for (const o of rows(db, 'orders', 'order_id', 'position', ids)) {
    const id = o.order_id as string;
    const order: Obj = {
      order_id: id,
      user_id: o.user_id as string,
      address: address(o),
      items: (items.get(id) ?? []).map((i) => ({ name: i.name as string, product_id: i.product_id as string, item_id: i.item_id as string, price: float(i.price), options: parse(i.options) })),
      status: o.status as string,
      fulfillments: (fulfillments.get(id) ?? []).map((f) => ({ tracking_id: parse(f.tracking_id), item_ids: parse(f.item_ids) })),
      payment_history: (payments.get(id) ?? []).map((p) => ({ transaction_type: p.transaction_type as string, amount: float(p.amount), payment_method_id: p.payment_method_id as string })),
    };
    for (const field of OPTIONAL_ORDER_FIELDS) {
      const v = o[field];
      if (v === null || v === undefined) continue;
      order[field] = JSON_FIELDS.has(field) ? parse(v) : field === 'exchange_price_difference' ? float(v) : (v as string);
    }
    orders.set(id, order);
  }
  return orders;
}

/** Read the state on a connection into db.json's layout. */
export function exportRetailState(db: Database.Database): Obj {
  return { products: readProducts(db), users: readUsers(db, undefined), orders: readOrders(db, undefined) };
}

/**
 * Some users and orders of a state, in db.json's layout: to compare two states by the records one
 * changed without reading the other 8,000 rows.
 */
export function exportRetailRecords(db: Database.Database, ids: { users: readonly string[]; orders: readonly string[] }): Obj {
  return { users: readUsers(db, ids.users), orders: readOrders(db, ids.orders) };
}

/** The state as db.json text, formatted as tau2 writes it (json.dumps with indent=4). */
export function retailStateText(db: Database.Database): string {
  return pyDumps(exportRetailState(db), 4);
}

/**
 * A domain's state in the layout of its original data: db.json for tau2-retail, and for a domain
 * written natively, rows per table as in its seed.json (ordered by primary key).
 */
export function stateInOriginalLayout(domain: Domain, db: Database.Database): Obj {
  if (domain.name === TAU2_DOMAIN) return exportRetailState(db);
  const out: Obj = {};
  for (const table of domain.spec.tables) {
    const types = new Map(table.columns.map((c) => [c.name, c.type]));
    const rows = db.prepare(`SELECT * FROM "${table.name}" ORDER BY ${table.primaryKey.map((k) => `"${k}"`).join(', ')}`).all() as Row[];
    out[table.name] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fromColumnValue(types.get(k), v) as PyJson])));
  }
  return out;
}
