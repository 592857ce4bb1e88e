import type { SeedFile, Table } from '../../spec/domain.js';
import type { Tau2Db } from './source.js';

/**
 * The tau2 retail records as envscale tables. Nested records become child tables; every list and
 * every id-keyed map keeps its order in a `position` column (0, 1, 2... within its parent), so the
 * original db.json can be written back exactly. Small leaf values that tools only copy around
 * (item options, tracking ids, the exchange and return id lists) stay JSON columns.
 */

const text = (name: string, required = true) => ({ name, type: 'text' as const, ...(required ? { required } : {}) });
const real = (name: string, required = true) => ({ name, type: 'real' as const, ...(required ? { required } : {}) });
const json = (name: string, required = true) => ({ name, type: 'json' as const, ...(required ? { required } : {}) });
const position = { name: 'position', type: 'integer' as const, required: true, description: 'Order within the parent record in the original data (from 0).' };
const addressColumns = ['address1', 'address2', 'city', 'country', 'state', 'zip'].map((c) => text(c));

export const RETAIL_TABLES: Table[] = [
  {
    name: 'products',
    description: 'Product types.',
    columns: [text('product_id'), text('name'), position],
    primaryKey: ['product_id'],
    indexes: [['position']],
  },
  {
    name: 'variants',
    description: 'The items of each product type, with their options, availability and price.',
    columns: [
      { ...text('product_id'), references: 'products' },
      text('item_id'),
      position,
      json('options'),
      { name: 'available', type: 'boolean', required: true },
      real('price'),
    ],
    primaryKey: ['product_id', 'item_id'],
    indexes: [['item_id']],
  },
  {
    name: 'users',
    description: 'Customers with their default address.',
    columns: [text('user_id'), position, text('first_name'), text('last_name'), ...addressColumns, text('email')],
    primaryKey: ['user_id'],
    indexes: [['position']],
  },
  {
    name: 'payment_methods',
    description: "A user's payment methods: credit_card (brand, last_four), gift_card (balance) or paypal.",
    columns: [{ ...text('user_id'), references: 'users' }, text('id'), position, text('source'), text('brand', false), text('last_four', false), real('balance', false)],
    primaryKey: ['user_id', 'id'],
  },
  {
    name: 'user_orders',
    description: "The order ids listed on a user's profile, in their original order.",
    columns: [{ ...text('user_id'), references: 'users' }, position, text('order_id')],
    primaryKey: ['user_id', 'position'],
  },
  {
    name: 'orders',
    description: 'Orders with their shipping address, status and the outcome of cancellations, exchanges and returns.',
    columns: [
      text('order_id'),
      position,
      { ...text('user_id'), references: 'users' },
      ...addressColumns,
      text('status'),
      text('cancel_reason', false),
      json('exchange_items', false),
      json('exchange_new_items', false),
      text('exchange_payment_method_id', false),
      real('exchange_price_difference', false),
      json('return_items', false),
      text('return_payment_method_id', false),
    ],
    primaryKey: ['order_id'],
    indexes: [['position']],
  },
  {
    name: 'order_items',
    description: 'The items of an order, as bought (name, product, item, price, options).',
    columns: [{ ...text('order_id'), references: 'orders' }, position, text('name'), text('product_id'), text('item_id'), real('price'), json('options')],
    primaryKey: ['order_id', 'position'],
  },
  {
    name: 'fulfillments',
    description: 'Shipments of an order: tracking ids and the item ids they carry.',
    columns: [{ ...text('order_id'), references: 'orders' }, position, json('tracking_id'), json('item_ids')],
    primaryKey: ['order_id', 'position'],
  },
  {
    name: 'payments',
    description: "An order's payment history: payments and refunds, in order.",
    columns: [{ ...text('order_id'), references: 'orders' }, position, text('transaction_type'), real('amount'), text('payment_method_id')],
    primaryKey: ['order_id', 'position'],
  },
];

/** db.json as seed rows of RETAIL_TABLES. */
export function dbToSeed(db: Tau2Db): SeedFile {
  const seed: Record<string, Array<Record<string, unknown>>> = Object.fromEntries(RETAIL_TABLES.map((t) => [t.name, []]));
  [...db.products.values()].forEach((p, i) => {
    seed.products.push({ product_id: p.product_id, name: p.name, position: i });
    [...p.variants.values()].forEach((v, j) => {
      seed.variants.push({ product_id: p.product_id, item_id: v.item_id, position: j, options: v.options, available: v.available, price: v.price });
    });
  });
  [...db.users.values()].forEach((u, i) => {
    seed.users.push({ user_id: u.user_id, position: i, ...u.name, ...u.address, email: u.email });
    [...u.payment_methods.values()].forEach((m, j) => {
      seed.payment_methods.push({ user_id: u.user_id, position: j, ...m });
    });
    u.orders.forEach((order_id, j) => seed.user_orders.push({ user_id: u.user_id, position: j, order_id }));
  });
  [...db.orders.values()].forEach((o, i) => {
    const { items, fulfillments, payment_history, address, ...order } = o;
    seed.orders.push({ ...order, ...address, position: i });
    items.forEach((item, j) => seed.order_items.push({ order_id: o.order_id, position: j, ...item }));
    fulfillments.forEach((f, j) => seed.fulfillments.push({ order_id: o.order_id, position: j, ...f }));
    payment_history.forEach((p, j) => seed.payments.push({ order_id: o.order_id, position: j, ...p }));
  });
  return seed;
}
