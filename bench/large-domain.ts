import type { DomainSpec } from '../src/spec/domain.js';

/**
 * A synthetic store domain whose seed is about `targetMb` of rows, built deterministically, for
 * measuring how session cost scales with state size.
 */
export function largeDomainSpec(targetMb = 10): DomainSpec {
  const customers = Math.round(3150 * targetMb);
  const orders = customers * 2;
  const word = (i: number) => ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor'][i % 8];
  return {
    name: 'bench-store',
    description: 'A large synthetic store for benchmarks.',
    clock: '2026-06-01T12:00:00Z',
    sequences: { order: orders + 1 },
    policy: '# Bench store\nNo rules.',
    tables: [
      {
        name: 'customers',
        primaryKey: ['id'],
        columns: [
          { name: 'id', type: 'text' },
          { name: 'name', type: 'text', required: true },
          { name: 'email', type: 'text', required: true, unique: true },
          { name: 'address', type: 'json' },
        ],
      },
      {
        name: 'orders',
        primaryKey: ['id'],
        columns: [
          { name: 'id', type: 'text' },
          { name: 'customer_id', type: 'text', required: true, references: 'customers' },
          { name: 'status', type: 'text', required: true },
          { name: 'total', type: 'real', required: true },
          { name: 'note', type: 'text' },
        ],
      },
    ],
    seed: {
      customers: Array.from({ length: customers }, (_, i) => ({
        id: `C${i}`,
        name: `${word(i)} ${word(i >> 3)} ${i}`,
        email: `user${i}@example.org`,
        address: { street: `${i % 997} ${word(i >> 2)} street`, city: word(i >> 5), zip: String(10000 + (i % 89999)) },
      })),
      orders: Array.from({ length: orders }, (_, i) => ({
        id: `O${i}`,
        customer_id: `C${i % customers}`,
        status: ['pending', 'shipped', 'delivered'][i % 3],
        total: Math.round((i % 5000) * 1.37 * 100) / 100,
        note: i % 4 === 0 ? `leave at the ${word(i)} door` : null,
      })),
    },
    tools: [
      {
        name: 'get_order',
        kind: 'read',
        description: 'Get an order by id.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
        steps: [{ query: 'SELECT id FROM orders WHERE id = :order_id', expect: 'row', error: 'Error: order not found' }],
        output: { row: 'SELECT * FROM orders WHERE id = :order_id' },
      },
      {
        name: 'set_note',
        kind: 'write',
        description: 'Set the note of an order.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' }, note: { type: 'string' } }, required: ['order_id', 'note'] },
        steps: [{ run: 'UPDATE orders SET note = :note WHERE id = :order_id', expect: 'change', error: 'Error: order not found' }],
        output: { row: 'SELECT id, note FROM orders WHERE id = :order_id' },
      },
    ],
  };
}
