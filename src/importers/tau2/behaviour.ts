import type { z } from 'zod';
import type { DomainTool } from '../../spec/domain.js';
import { MAX_RECURSION_LIMIT as RECURSION_LIMIT } from '../../env/sql-check.js';
import { calculate } from './calculate.js';

/**
 * envscale's own part of the tau2 retail domain: what each of tau2's 16 retail tools does, as
 * steps over the tables of tables.ts. Names, descriptions and parameter schemas come from tau2's
 * tools.json at import time; everything here is keyed by tool name.
 *
 * The aim is tau2's outcomes exactly: the same JSON objects, the same failures in the same order
 * with the same messages ("Error: " + the exception text), the same float arithmetic (sums taken in
 * the same order, rounding where tau2 rounds and nowhere else). Write tools check everything in one
 * query (`e`, the first failing rule's message, in tau2's order) before changing anything, so a
 * failure never leaves half a change.
 */
export type Behaviour = Pick<z.input<typeof DomainTool>, 'kind' | 'steps' | 'output'>;

const address = (t: string) =>
  `json_object('address1', ${t}.address1, 'address2', ${t}.address2, 'city', ${t}.city, 'country', ${t}.country, 'state', ${t}.state, 'zip', ${t}.zip)`;

/** tau2's Order.model_dump(): optional fields included, as null until a tool sets them. */
const ORDER_JSON = `SELECT json_object(
  'order_id', o.order_id, 'user_id', o.user_id, 'address', ${address('o')},
  'items', json((SELECT json_group_array(json_object('name', i.name, 'product_id', i.product_id, 'item_id', i.item_id, 'price', i.price, 'options', json(i.options)) ORDER BY i.position) FROM order_items i WHERE i.order_id = o.order_id)),
  'status', o.status,
  'fulfillments', json((SELECT json_group_array(json_object('tracking_id', json(f.tracking_id), 'item_ids', json(f.item_ids)) ORDER BY f.position) FROM fulfillments f WHERE f.order_id = o.order_id)),
  'payment_history', json((SELECT json_group_array(json_object('transaction_type', p.transaction_type, 'amount', p.amount, 'payment_method_id', p.payment_method_id) ORDER BY p.position) FROM payments p WHERE p.order_id = o.order_id)),
  'cancel_reason', o.cancel_reason, 'exchange_items', json(o.exchange_items), 'exchange_new_items', json(o.exchange_new_items),
  'exchange_payment_method_id', o.exchange_payment_method_id, 'exchange_price_difference', o.exchange_price_difference,
  'return_items', json(o.return_items), 'return_payment_method_id', o.return_payment_method_id
) FROM orders o WHERE o.order_id = :order_id`;

const PAYMENT_METHOD_JSON = `json(CASE m.source
  WHEN 'credit_card' THEN json_object('source', m.source, 'id', m.id, 'brand', m.brand, 'last_four', m.last_four)
  WHEN 'gift_card' THEN json_object('source', m.source, 'id', m.id, 'balance', m.balance)
  ELSE json_object('source', m.source, 'id', m.id) END)`;

const USER_JSON = `SELECT json_object(
  'user_id', u.user_id, 'name', json_object('first_name', u.first_name, 'last_name', u.last_name), 'address', ${address('u')}, 'email', u.email,
  'payment_methods', json(coalesce((SELECT json_group_object(m.id, ${PAYMENT_METHOD_JSON} ORDER BY m.position) FROM payment_methods m WHERE m.user_id = u.user_id), '{}')),
  'orders', json((SELECT json_group_array(x.order_id ORDER BY x.position) FROM user_orders x WHERE x.user_id = u.user_id))
) FROM users u WHERE u.user_id = :user_id`;

const VARIANT_JSON = `json_object('item_id', v.item_id, 'options', json(v.options), 'available', json(CASE WHEN v.available THEN 'true' ELSE 'false' END), 'price', v.price)`;

const PRODUCT_JSON = `SELECT json_object('name', p.name, 'product_id', p.product_id,
  'variants', json(coalesce((SELECT json_group_object(v.item_id, ${VARIANT_JSON} ORDER BY v.position) FROM variants v WHERE v.product_id = p.product_id), '{}'))
) FROM products p WHERE p.product_id = :product_id`;

/** tau2 compares names and emails case-folded, with surrounding whitespace stripped. */
const WHITESPACE = 'char(32, 9, 10, 11, 12, 13, 28, 29, 30, 31)';
const fold = (x: string) => `lower(trim(${x}, ${WHITESPACE}))`;

const ORDER_ROW = { query: 'SELECT order_id, user_id, status FROM orders WHERE order_id = :order_id', as: 'o', expect: 'row' as const, error: 'Error: Order not found' };
const PASSED = { check: 'SELECT :e__message IS NULL', error: 'Error: {e__message}' };
const sorted = (list: string) => `(SELECT json_group_array(value ORDER BY value) FROM json_each(${list}))`;
const userPaymentMethod = (alias: string) => `payment_methods ${alias} ON ${alias}.user_id = :o__user_id AND ${alias}.id = :payment_method_id`;

/** The first id in :item_ids (in list order) asked for more often than the order holds it. */
const MISSING_ITEM = `(SELECT a.value FROM json_each(:item_ids) a
  WHERE (SELECT count(*) FROM json_each(:item_ids) b WHERE b.value = a.value) > (SELECT count(*) FROM order_items i WHERE i.order_id = :order_id AND i.item_id = a.value)
  ORDER BY a.key LIMIT 1)`;

/**
 * Shared by exchange and modify: the (old, new) pairs in order; for each old id the order's first
 * item with that id (tau2 looks items up that way); the running price difference summed pair by
 * pair as tau2 does (not sum(), which compensates rounding); the first pair that fails.
 */
const PAIRS_CTE = `WITH RECURSIVE
pairs AS (SELECT CAST(a.key AS INTEGER) AS k, a.value AS old_id, b.value AS new_id FROM json_each(:item_ids) a LEFT JOIN json_each(:new_item_ids) b ON b.key = a.key),
first_items AS (SELECT i.item_id, i.product_id, i.price FROM order_items i WHERE i.order_id = :order_id
  AND i.position = (SELECT min(j.position) FROM order_items j WHERE j.order_id = i.order_id AND j.item_id = i.item_id)),
checked AS (SELECT p.k, p.new_id, v.price AS new_price, v.options AS new_options, it.price AS old_price,
  CASE
    WHEN :same_id_rule AND p.old_id = p.new_id THEN 'The new item id should be different from the old item id'
    WHEN it.item_id IS NULL THEN 'Item ' || p.old_id || ' not found'
    WHEN NOT EXISTS (SELECT 1 FROM products pr WHERE pr.product_id = it.product_id) THEN 'Product not found'
    WHEN v.item_id IS NULL THEN 'Variant not found'
    WHEN NOT v.available THEN 'New item ' || p.new_id || ' not found or available'
  END AS problem
  FROM pairs p LEFT JOIN first_items it ON it.item_id = p.old_id LEFT JOIN variants v ON v.product_id = it.product_id AND v.item_id = p.new_id),
running(k, diff) AS (SELECT -1, 0.0 UNION ALL SELECT c.k, running.diff + (c.new_price - c.old_price) FROM running JOIN checked c ON c.k = running.k + 1 LIMIT ${RECURSION_LIMIT}),
totals AS (SELECT
  (SELECT problem FROM checked WHERE problem IS NOT NULL ORDER BY k LIMIT 1) AS problem,
  (SELECT diff FROM running ORDER BY k DESC LIMIT 1) AS diff,
  (SELECT new_price FROM checked ORDER BY k DESC LIMIT 1) AS last_price,
  (SELECT new_options FROM checked ORDER BY k DESC LIMIT 1) AS last_options)`;

const pairsCte = (sameIdRule: boolean) => PAIRS_CTE.replace(':same_id_rule', sameIdRule ? '1' : '0');

const cancel_pending_order: Behaviour = {
  kind: 'write',
  steps: [
    ORDER_ROW,
    {
      query: `SELECT CASE
          WHEN :o__status <> 'pending' THEN 'Non-pending order cannot be cancelled'
          WHEN :reason NOT IN ('no longer needed', 'ordered by mistake') THEN 'Invalid reason'
          WHEN EXISTS (SELECT 1 FROM payments p WHERE p.order_id = :order_id AND NOT EXISTS (SELECT 1 FROM payment_methods m WHERE m.user_id = :o__user_id AND m.id = p.payment_method_id)) THEN 'Payment method not found'
        END AS message,
        (SELECT count(*) FROM payments WHERE order_id = :order_id) AS payments`,
      as: 'e',
    },
    PASSED,
    // Every payment is refunded; gift cards get theirs back at once, rounded to cents as tau2 does.
    {
      run: `UPDATE payment_methods SET balance = round(balance + (SELECT sum(p.amount) FROM payments p WHERE p.order_id = :order_id AND p.payment_method_id = payment_methods.id), 2)
        WHERE user_id = :o__user_id AND source = 'gift_card' AND id IN (SELECT payment_method_id FROM payments WHERE order_id = :order_id)`,
    },
    {
      run: `INSERT INTO payments (order_id, position, transaction_type, amount, payment_method_id)
        SELECT order_id, position + :e__payments, 'refund', amount, payment_method_id FROM payments WHERE order_id = :order_id ORDER BY position`,
    },
    { run: "UPDATE orders SET status = 'cancelled', cancel_reason = :reason WHERE order_id = :order_id" },
  ],
  output: { json: ORDER_JSON },
};

const exchange_delivered_order_items: Behaviour = {
  kind: 'write',
  steps: [
    ORDER_ROW,
    {
      query: `${pairsCte(false)}
        SELECT CASE
          WHEN :o__status <> 'delivered' THEN 'Non-delivered order cannot be exchanged'
          WHEN ${MISSING_ITEM} IS NOT NULL THEN 'Number of ' || ${MISSING_ITEM} || ' not found.'
          WHEN json_array_length(:item_ids) <> json_array_length(:new_item_ids) THEN 'The number of items to be exchanged should match.'
          WHEN t.problem IS NOT NULL THEN t.problem
          WHEN m.id IS NULL THEN 'Payment method not found'
          WHEN m.source = 'gift_card' AND m.balance < round(t.diff, 2) THEN 'Insufficient gift card balance to pay for the price difference'
        END AS message,
        round(t.diff, 2) AS diff
        FROM totals t LEFT JOIN ${userPaymentMethod('m')}`,
      as: 'e',
    },
    PASSED,
    {
      run: `UPDATE orders SET status = 'exchange requested', exchange_items = ${sorted(':item_ids')}, exchange_new_items = ${sorted(':new_item_ids')},
        exchange_payment_method_id = :payment_method_id, exchange_price_difference = :e__diff WHERE order_id = :order_id`,
    },
  ],
  output: { json: ORDER_JSON },
};

/**
 * tau2 replaces the pairs one by one, each time in the order's first item that still has the old
 * id, and gives every replaced item the price and options of the LAST new item of the call (its
 * loop variable outlives the loop). Reproduced as is: the gold states depend on it.
 */
const REPLACEMENTS = `WITH RECURSIVE
pairs AS (SELECT CAST(a.key AS INTEGER) AS k, a.value AS old_id, b.value AS new_id FROM json_each(:item_ids) a JOIN json_each(:new_item_ids) b ON b.key = a.key),
sim(k, ids, touched) AS (
  SELECT -1, (SELECT json_group_array(item_id ORDER BY position) FROM order_items WHERE order_id = :order_id), json_array()
  UNION ALL
  SELECT p.k,
    json_set(sim.ids, '$[' || (SELECT min(CAST(e.key AS INTEGER)) FROM json_each(sim.ids) e WHERE e.value = p.old_id) || ']', p.new_id),
    json_insert(sim.touched, '$[#]', (SELECT min(CAST(e.key AS INTEGER)) FROM json_each(sim.ids) e WHERE e.value = p.old_id))
  FROM sim JOIN pairs p ON p.k = sim.k + 1 LIMIT ${RECURSION_LIMIT})
SELECT ids, touched FROM sim ORDER BY k DESC LIMIT 1`;

const modify_pending_order_items: Behaviour = {
  kind: 'write',
  steps: [
    ORDER_ROW,
    {
      query: `${pairsCte(true)}
        SELECT CASE
          WHEN :o__status <> 'pending' THEN 'Non-pending order cannot be modified'
          WHEN ${MISSING_ITEM} IS NOT NULL THEN ${MISSING_ITEM} || ' not found'
          WHEN json_array_length(:item_ids) <> json_array_length(:new_item_ids) THEN 'The number of items to be exchanged should match'
          WHEN t.problem IS NOT NULL THEN t.problem
          WHEN m.id IS NULL THEN 'Payment method not found'
          WHEN m.source = 'gift_card' AND m.balance < t.diff THEN 'Insufficient gift card balance to pay for the new item'
        END AS message,
        t.diff AS diff, t.last_price AS last_price, t.last_options AS last_options
        FROM totals t LEFT JOIN ${userPaymentMethod('m')}`,
      as: 'e',
    },
    PASSED,
    { query: REPLACEMENTS, as: 'r' },
    // The difference is charged or refunded unrounded, as tau2 records it.
    {
      run: `INSERT INTO payments (order_id, position, transaction_type, amount, payment_method_id)
        VALUES (:order_id, (SELECT count(*) FROM payments WHERE order_id = :order_id), CASE WHEN :e__diff > 0 THEN 'payment' ELSE 'refund' END, abs(:e__diff), :payment_method_id)`,
    },
    { run: "UPDATE payment_methods SET balance = round(balance - :e__diff, 2) WHERE user_id = :o__user_id AND id = :payment_method_id AND source = 'gift_card'" },
    {
      run: `UPDATE order_items SET item_id = json_extract(:r__ids, '$[' || position || ']'), price = :e__last_price, options = :e__last_options
        WHERE order_id = :order_id AND position IN (SELECT value FROM json_each(:r__touched))`,
    },
    { run: "UPDATE orders SET status = 'pending (item modified)' WHERE order_id = :order_id" },
  ],
  output: { json: ORDER_JSON },
};

const modify_pending_order_payment: Behaviour = {
  kind: 'write',
  steps: [
    ORDER_ROW,
    {
      query: `SELECT CASE
          WHEN instr(:o__status, 'pending') = 0 THEN 'Non-pending order cannot be modified'
          WHEN m.id IS NULL THEN 'Payment method not found'
          WHEN (SELECT count(*) FROM payments WHERE order_id = :order_id) <> 1 OR first.transaction_type <> 'payment' THEN 'There should be exactly one payment for a pending order'
          WHEN first.payment_method_id = :payment_method_id THEN 'The new payment method should be different from the current one'
          WHEN m.source = 'gift_card' AND m.balance < first.amount THEN 'Insufficient gift card balance to pay for the order'
        END AS message,
        first.amount AS amount, first.payment_method_id AS old_method
        FROM (SELECT 1) LEFT JOIN ${userPaymentMethod('m')} LEFT JOIN payments first ON first.order_id = :order_id AND first.position = 0`,
      as: 'e',
    },
    PASSED,
    {
      run: `INSERT INTO payments (order_id, position, transaction_type, amount, payment_method_id)
        VALUES (:order_id, 1, 'payment', :e__amount, :payment_method_id), (:order_id, 2, 'refund', :e__amount, :e__old_method)`,
    },
    { run: "UPDATE payment_methods SET balance = round(balance - :e__amount, 2) WHERE user_id = :o__user_id AND id = :payment_method_id AND source = 'gift_card'" },
    { run: "UPDATE payment_methods SET balance = round(balance + :e__amount, 2) WHERE user_id = :o__user_id AND id = :e__old_method AND source = 'gift_card'" },
  ],
  output: { json: ORDER_JSON },
};

const return_delivered_order_items: Behaviour = {
  kind: 'write',
  steps: [
    ORDER_ROW,
    {
      query: `SELECT CASE
          WHEN :o__status <> 'delivered' THEN 'Non-delivered order cannot be returned'
          WHEN m.id IS NULL THEN 'Payment method not found'
          WHEN m.source <> 'gift_card' AND first.payment_method_id IS NULL THEN 'list index out of range'
          WHEN m.source <> 'gift_card' AND first.payment_method_id <> :payment_method_id THEN 'Payment method should be the original payment method'
          WHEN ${MISSING_ITEM} IS NOT NULL THEN 'Some item not found'
        END AS message
        FROM (SELECT 1) LEFT JOIN ${userPaymentMethod('m')} LEFT JOIN payments first ON first.order_id = :order_id AND first.position = 0`,
      as: 'e',
    },
    PASSED,
    {
      run: `UPDATE orders SET status = 'return requested', return_items = ${sorted(':item_ids')}, return_payment_method_id = :payment_method_id WHERE order_id = :order_id`,
    },
  ],
  output: { json: ORDER_JSON },
};

const modify_pending_order_address: Behaviour = {
  kind: 'write',
  steps: [
    ORDER_ROW,
    // Unlike cancel and modify-items, tau2 only asks that the status contain "pending" here.
    { check: "SELECT instr(:o__status, 'pending') > 0", error: 'Error: Non-pending order cannot be modified' },
    {
      run: `UPDATE orders SET address1 = :address1, address2 = :address2, city = :city, state = :state, country = :country, zip = :zip WHERE order_id = :order_id`,
    },
  ],
  output: { json: ORDER_JSON },
};

const modify_user_address: Behaviour = {
  kind: 'write',
  steps: [
    { query: 'SELECT user_id FROM users WHERE user_id = :user_id', expect: 'row', error: 'Error: User not found' },
    { run: 'UPDATE users SET address1 = :address1, address2 = :address2, city = :city, state = :state, country = :country, zip = :zip WHERE user_id = :user_id' },
  ],
  output: { json: USER_JSON },
};

const find_user_id_by_name_zip: Behaviour = {
  kind: 'read',
  steps: [
    {
      query: `SELECT user_id FROM users WHERE ${fold('first_name')} = ${fold(':first_name')} AND ${fold('last_name')} = ${fold(':last_name')} AND zip = :zip ORDER BY position LIMIT 1`,
      as: 'u',
      expect: 'row',
      error: 'Error: User not found',
    },
  ],
  output: { value: 'SELECT :u__user_id' },
};

const find_user_id_by_email: Behaviour = {
  kind: 'read',
  steps: [
    { query: `SELECT user_id FROM users WHERE ${fold('email')} = ${fold(':email')} ORDER BY position LIMIT 1`, as: 'u', expect: 'row', error: 'Error: User not found' },
  ],
  output: { value: 'SELECT :u__user_id' },
};

const get_order_details: Behaviour = {
  kind: 'read',
  steps: [{ query: 'SELECT 1 FROM orders WHERE order_id = :order_id', expect: 'row', error: 'Error: Order not found' }],
  output: { json: ORDER_JSON },
};

const get_product_details: Behaviour = {
  kind: 'read',
  steps: [{ query: 'SELECT 1 FROM products WHERE product_id = :product_id', expect: 'row', error: 'Error: Product not found' }],
  output: { json: PRODUCT_JSON },
};

const get_user_details: Behaviour = {
  kind: 'read',
  steps: [{ query: 'SELECT 1 FROM users WHERE user_id = :user_id', expect: 'row', error: 'Error: User not found' }],
  output: { json: USER_JSON },
};

/** tau2 searches the products in order and returns the first variant with that id. */
const get_item_details: Behaviour = {
  kind: 'read',
  steps: [
    {
      query: 'SELECT v.product_id FROM variants v JOIN products p ON p.product_id = v.product_id WHERE v.item_id = :item_id ORDER BY p.position LIMIT 1',
      as: 'v',
      expect: 'row',
      error: 'Error: Item not found',
    },
  ],
  output: { json: `SELECT ${VARIANT_JSON} FROM variants v WHERE v.product_id = :v__product_id AND v.item_id = :item_id` },
};

/**
 * tau2 returns json.dumps({name: product_id}, sort_keys=True) as text: Python's separators, keys
 * in code point order, and for a repeated name the last product's id.
 */
const list_all_product_types: Behaviour = {
  kind: 'read',
  steps: [],
  output: {
    value: `SELECT '{' || coalesce(group_concat(json_quote(name) || ': ' || json_quote(product_id), ', ' ORDER BY name), '') || '}'
      FROM products p WHERE position = (SELECT max(q.position) FROM products q WHERE q.name = p.name)`,
  },
};

const transfer_to_human_agents: Behaviour = {
  kind: 'read',
  steps: [],
  output: { value: "SELECT 'Transfer successful'" },
};

/** Every tool of tau2's retail domain, by name. */
export const RETAIL_BEHAVIOUR: Record<string, Behaviour> = {
  calculate,
  cancel_pending_order,
  exchange_delivered_order_items,
  find_user_id_by_name_zip,
  find_user_id_by_email,
  get_order_details,
  get_product_details,
  get_item_details,
  get_user_details,
  list_all_product_types,
  modify_pending_order_address,
  modify_pending_order_items,
  modify_pending_order_payment,
  modify_user_address,
  return_delivered_order_items,
  transfer_to_human_agents,
};
