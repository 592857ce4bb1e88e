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

function rowsByParent(db: Database.Database, sql: string, parent: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const row of db.prepare(sql).all() as Row[]) {
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

/** Read the state on a connection into db.json's layout. */
export function exportRetailState(db: Database.Database): Obj {
  const variants = rowsByParent(db, 'SELECT * FROM variants ORDER BY product_id, position', 'product_id');
  const methods = rowsByParent(db, 'SELECT * FROM payment_methods ORDER BY user_id, position', 'user_id');
  const userOrders = rowsByParent(db, 'SELECT * FROM user_orders ORDER BY user_id, position', 'user_id');
  const items = rowsByParent(db, 'SELECT * FROM order_items ORDER BY order_id, position', 'order_id');
  const fulfillments = rowsByParent(db, 'SELECT * FROM fulfillments ORDER BY order_id, position', 'order_id');
  const payments = rowsByParent(db, 'SELECT * FROM payments ORDER BY order_id, position', 'order_id');

  const products = new Map<string, PyJson>();
  for (const p of db.prepare('SELECT * FROM products ORDER BY position').all() as Row[]) {
    const vs = new Map<string, PyJson>();
    for (const v of variants.get(p.product_id as string) ?? []) {
      vs.set(v.item_id as string, { item_id: v.item_id as string, options: parse(v.options), available: v.available === 1, price: float(v.price) });
    }
    products.set(p.product_id as string, { name: p.name as string, product_id: p.product_id as string, variants: vs });
  }

  const users = new Map<string, PyJson>();
  for (const u of db.prepare('SELECT * FROM users ORDER BY position').all() as Row[]) {
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

  const orders = new Map<string, PyJson>();
  for (const o of db.prepare('SELECT * FROM orders ORDER BY position').all() as Row[]) {
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
  return { products, users, orders };
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
