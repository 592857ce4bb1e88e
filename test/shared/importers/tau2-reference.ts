/**
 * A second, independent model of tau2's retail tools for the tests: plain TypeScript over the
 * db.json layout, written from tau2's documented behaviour (tools.py at the data's commit). The
 * domain's SQL steps and this model must agree on every output, every error message and every
 * final state; expected-sample.json (tau2's own outputs) checks both.
 */

// The model works on untyped JSON records, as tau2's data is.
type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface RetailDb {
  products: Record<string, Rec>;
  users: Record<string, Rec>;
  orders: Record<string, Rec>;
}

const OPTIONAL = ['cancel_reason', 'exchange_items', 'exchange_new_items', 'exchange_payment_method_id', 'exchange_price_difference', 'return_items', 'return_payment_method_id'];
const fail = (message: string): never => {
  throw new Error(message);
};
/** Python's round(x, 2) for values that are never exact halves (sums of cents). */
const round2 = (x: number) => Number(x.toFixed(2));
const fold = (s: string) => s.trim().toLowerCase();
const count = (list: string[], x: string) => list.filter((y) => y === x).length;
const sorted = (list: string[]) => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** What tau2 returns for an Order: model_dump(), optional fields null when unset. */
const orderView = (o: Rec) => ({ ...Object.fromEntries(OPTIONAL.map((k) => [k, null])), ...o });

/** Records a fork has copied: tools change copies, never the base they were forked from. */
const owned = new WeakMap<RetailDb, Set<string>>();
function own(db: RetailDb, map: 'users' | 'orders', id: string): Rec | undefined {
  const mine = owned.get(db)!;
  if (db[map][id] && !mine.has(`${map}/${id}`)) {
    db[map][id] = structuredClone(db[map][id]);
    mine.add(`${map}/${id}`);
  }
  return db[map][id];
}
function order(db: RetailDb, id: string): Rec {
  return own(db, 'orders', id) ?? fail('Order not found');
}
function user(db: RetailDb, id: string): Rec {
  return own(db, 'users', id) ?? fail('User not found');
}

/** A copy of `base` that the tools can change, cheaply: records are copied when first used. */
export function forkDb(base: RetailDb): RetailDb {
  const db = { products: base.products, users: { ...base.users }, orders: { ...base.orders } };
  owned.set(db, new Set());
  return db;
}
/** The users and orders `db` changed from the base it was forked from, sorted; records a tool only read do not count. */
export function changedRecords(base: RetailDb, db: RetailDb): { users: string[]; orders: string[] } {
  const changed = (map: 'users' | 'orders') =>
    sorted(Object.keys(db[map]).filter((id) => db[map][id] !== base[map][id] && JSON.stringify(db[map][id]) !== JSON.stringify(base[map][id])));
  return { users: changed('users'), orders: changed('orders') };
}
function method(db: RetailDb, userId: string, id: string): Rec {
  return user(db, userId).payment_methods[id] ?? fail('Payment method not found');
}
function variant(db: RetailDb, productId: string, itemId: string): Rec {
  const product = db.products[productId] ?? fail('Product not found');
  return product.variants[itemId] ?? fail('Variant not found');
}

/** Check an exchange or modification of items; returns the running price difference and the last variant. */
function checkPairs(db: RetailDb, o: Rec, itemIds: string[], newIds: string[], sameIdRule: boolean): { diff: number; last?: Rec } {
  let diff = 0;
  let last: Rec | undefined;
  itemIds.forEach((itemId, k) => {
    const newId = newIds[k];
    if (sameIdRule && itemId === newId) fail('The new item id should be different from the old item id');
    const item = o.items.find((i: Rec) => i.item_id === itemId) ?? fail(`Item ${itemId} not found`);
    last = variant(db, item.product_id, newId);
    if (!last.available) fail(`New item ${newId} not found or available`);
    diff += last.price - item.price;
  });
  return { diff, last };
}
const tools: Record<string, (db: RetailDb, a: Rec) => unknown> = {
  find_user_id_by_email: (db, a) => Object.keys(db.users).find((id) => fold(db.users[id].email) === fold(a.email)) ?? fail('User not found'),
  find_user_id_by_name_zip: (db, a) =>
    Object.keys(db.users).find((id) => {
      const u = db.users[id];
      return fold(u.name.first_name) === fold(a.first_name) && fold(u.name.last_name) === fold(a.last_name) && u.address.zip === a.zip;
    }) ?? fail('User not found'),
  get_order_details: (db, a) => orderView(order(db, a.order_id)),
  get_product_details: (db, a) => db.products[a.product_id] ?? fail('Product not found'),
  get_user_details: (db, a) => user(db, a.user_id),
  get_item_details: (db, a) => Object.values(db.products).find((p) => p.variants[a.item_id])?.variants[a.item_id] ?? fail('Item not found'),
  list_all_product_types: (db) => {
    const names = new Map<string, string>();
    for (const p of Object.values(db.products)) names.set(p.name, p.product_id);
    return `{${sorted([...names.keys()]).map((n) => `${JSON.stringify(n)}: ${JSON.stringify(names.get(n))}`).join(', ')}}`;
  },
  calculate: (_db, a) => {
    if (![...a.expression].every((c: string) => '0123456789+-*/(). '.includes(c))) fail('Invalid characters in expression');
    const value = round2(Number(new Function(`return (${a.expression});`)()));
    return Number.isInteger(value) ? `${value}.0` : String(value);
  },
  transfer_to_human_agents: () => 'Transfer successful',
  cancel_pending_order: (db, a) => {
    const o = order(db, a.order_id);
    if (o.status !== 'pending') fail('Non-pending order cannot be cancelled');
    if (!['no longer needed', 'ordered by mistake'].includes(a.reason)) fail('Invalid reason');
    const refunds = o.payment_history.map((p: Rec) => {
      const m = method(db, o.user_id, p.payment_method_id);
      if (m.source === 'gift_card') m.balance = round2(m.balance + p.amount);
      return { transaction_type: 'refund', amount: p.amount, payment_method_id: p.payment_method_id };
    });
    Object.assign(o, { status: 'cancelled', cancel_reason: a.reason });
    o.payment_history.push(...refunds);
    return orderView(o);
  },
  exchange_delivered_order_items: (db, a) => {
    const o = order(db, a.order_id);
    if (o.status !== 'delivered') fail('Non-delivered order cannot be exchanged');
    const ids = o.items.map((i: Rec) => i.item_id);
    for (const id of a.item_ids) if (count(a.item_ids, id) > count(ids, id)) fail(`Number of ${id} not found.`);
    if (a.item_ids.length !== a.new_item_ids.length) fail('The number of items to be exchanged should match.');
    const diff = round2(checkPairs(db, o, a.item_ids, a.new_item_ids, false).diff);
    const m = method(db, o.user_id, a.payment_method_id);
    if (m.source === 'gift_card' && m.balance < diff) fail('Insufficient gift card balance to pay for the price difference');
    Object.assign(o, {
      status: 'exchange requested',
      exchange_items: sorted(a.item_ids),
      exchange_new_items: sorted(a.new_item_ids),
      exchange_payment_method_id: a.payment_method_id,
      exchange_price_difference: diff,
    });
    return orderView(o);
  },
  modify_pending_order_items: (db, a) => {
    const o = order(db, a.order_id);
    if (o.status !== 'pending') fail('Non-pending order cannot be modified');
    const ids = o.items.map((i: Rec) => i.item_id);
    for (const id of a.item_ids) if (count(a.item_ids, id) > count(ids, id)) fail(`${id} not found`);
    if (a.item_ids.length !== a.new_item_ids.length) fail('The number of items to be exchanged should match');
    const { diff, last } = checkPairs(db, o, a.item_ids, a.new_item_ids, true);
    const m = method(db, o.user_id, a.payment_method_id);
    if (m.source === 'gift_card' && m.balance < diff) fail('Insufficient gift card balance to pay for the new item');
    o.payment_history.push({ transaction_type: diff > 0 ? 'payment' : 'refund', amount: Math.abs(diff), payment_method_id: a.payment_method_id });
    if (m.source === 'gift_card') m.balance = round2(m.balance - diff);
    a.item_ids.forEach((itemId: string, k: number) => {
      const item = o.items.find((i: Rec) => i.item_id === itemId);
      // tau2 gives every replaced item the last new variant's price and options.
      Object.assign(item, { item_id: a.new_item_ids[k], price: last!.price, options: last!.options });
    });
    o.status = 'pending (item modified)';
    return orderView(o);
  },
  modify_pending_order_address: (db, a) => {
    const o = order(db, a.order_id);
    if (!o.status.includes('pending')) fail('Non-pending order cannot be modified');
    o.address = { address1: a.address1, address2: a.address2, city: a.city, country: a.country, state: a.state, zip: a.zip };
    return orderView(o);
  },
  modify_pending_order_payment: (db, a) => {
    const o = order(db, a.order_id);
    if (!o.status.includes('pending')) fail('Non-pending order cannot be modified');
    const m = method(db, o.user_id, a.payment_method_id);
    const first = o.payment_history[0];
    if (o.payment_history.length !== 1 || first.transaction_type !== 'payment') fail('There should be exactly one payment for a pending order');
    if (first.payment_method_id === a.payment_method_id) fail('The new payment method should be different from the current one');
    if (m.source === 'gift_card' && m.balance < first.amount) fail('Insufficient gift card balance to pay for the order');
    o.payment_history.push(
      { transaction_type: 'payment', amount: first.amount, payment_method_id: a.payment_method_id },
      { transaction_type: 'refund', amount: first.amount, payment_method_id: first.payment_method_id },
    );
    if (m.source === 'gift_card') m.balance = round2(m.balance - first.amount);
    const old = method(db, o.user_id, first.payment_method_id);
    if (old.source === 'gift_card') old.balance = round2(old.balance + first.amount);
    return orderView(o);
  },
  modify_user_address: (db, a) => {
    const u = user(db, a.user_id);
    u.address = { address1: a.address1, address2: a.address2, city: a.city, country: a.country, state: a.state, zip: a.zip };
    return u;
  },
  return_delivered_order_items: (db, a) => {
    const o = order(db, a.order_id);
    if (o.status !== 'delivered') fail('Non-delivered order cannot be returned');
    const m = method(db, o.user_id, a.payment_method_id);
    if (m.source !== 'gift_card' && a.payment_method_id !== o.payment_history[0].payment_method_id) fail('Payment method should be the original payment method');
    const ids = o.items.map((i: Rec) => i.item_id);
    for (const id of a.item_ids) if (count(a.item_ids, id) > count(ids, id)) fail('Some item not found');
    Object.assign(o, { status: 'return requested', return_items: sorted(a.item_ids), return_payment_method_id: a.payment_method_id });
    return orderView(o);
  },
};

export type ReferenceResult = { ok: true; value: unknown } | { ok: false; text: string };

/** Run one tool on `db` (mutated in place), as tau2 would. */
export function referenceCall(db: RetailDb, tool: string, args: Rec): ReferenceResult {
  try {
    return { ok: true, value: structuredClone(tools[tool](db, args)) };
  } catch (err) {
    return { ok: false, text: `Error: ${(err as Error).message}` };
  }
}
