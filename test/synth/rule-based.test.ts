import { describe, expect, it } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import { outputValidator } from '../../src/synth/fidelity.js';
import { synthesizeOffline } from '../../src/synth/pipeline.js';
import { synthesizeRuleBased } from '../../src/synth/rule-based.js';
import { schemaValue } from '../../src/synth/values.js';
import { Random } from '../../src/tasks/random.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import { shopDomain } from './helpers.js';

describe('rule-based synthesizer on the shop fixture', () => {
  const { planned, tools } = shopDomain();
  const spec = synthesizeRuleBased(planned, tools, 7);
  const kinds = Object.fromEntries(spec.tools.map((t) => [t.name, t.kind]));

  it('classifies reads and writes by their verbs', () => {
    expect(kinds).toEqual({
      get_customer: 'read', find_customer_by_email: 'read', get_order: 'read', list_orders: 'read', search_products: 'read',
      create_order: 'write', update_order_address: 'write', cancel_order: 'write', delete_customer: 'write', send_invoice: 'write',
    });
  });

  it('infers entity tables, keys, foreign keys, JSON columns and a ledger for actions', () => {
    const tables = Object.fromEntries(spec.tables.map((t) => [t.name, t]));
    expect(Object.keys(tables).sort()).toEqual(['action_log', 'customers', 'orders', 'products']);
    expect(tables.orders.primaryKey).toEqual(['order_id']);
    const cols = Object.fromEntries(tables.orders.columns.map((c) => [c.name, c]));
    expect(cols.customer_id).toMatchObject({ type: 'text', references: 'customers' });
    expect(cols.items.type).toBe('json');
    expect(cols.total.type).toBe('real');
    expect(cols.status.type).toBe('text');
    expect(tables.customers.columns.map((c) => c.name)).toContain('email');
  });

  it('seeds typed, plausible rows with referential integrity (the engine checks references at load)', () => {
    const domain = new Domain(spec);
    try {
      const orders = spec.seed.orders;
      expect(orders.length).toBeGreaterThanOrEqual(5);
      const customers = new Set(spec.seed.customers.map((c) => c.customer_id));
      for (const o of orders) expect(customers.has(o.customer_id)).toBe(true);
      for (const o of orders) expect(['pending', 'shipped', 'delivered']).toContain(o.status);
      for (const c of spec.seed.customers) expect(String(c.email)).toMatch(/^[^@\s]+@example\.(com|org|net)$/);
      for (const o of orders) expect(Date.parse(String(o.created_at))).toBeLessThan(Date.parse(spec.clock));
    } finally {
      domain.close();
    }
  });

  it('verifies every tool and the tools behave as their names say', () => {
    const outcome = synthesizeOffline(planned, tools, 7);
    expect(outcome.verdicts.filter((v) => !v.ok)).toEqual([]);
    const domain = new Domain(outcome.spec!);
    const s = domain.openSession();
    try {
      const missing = s.call('get_order', { order_id: 'ORD-999' });
      expect(missing).toMatchObject({ ok: false, error: 'Error: no order found for order_id ORD-999.' });
      expect(missing.ok === false && missing.internal).toBeFalsy();
      expect(s.call('create_order', { customer_id: 'CUS-404', items: ['x'], total: 3 })).toMatchObject({ ok: false, error: 'Error: customer CUS-404 not found.' });
      const created = s.call('create_order', { customer_id: 'CUS-1', items: ['lamp'], total: 19.5 });
      expect(created).toMatchObject({ ok: true, value: { order_id: 'ORD-1001', customer_id: 'CUS-1', items: ['lamp'], total: 19.5 } });
      expect(s.call('cancel_order', { order_id: 'ORD-1001' })).toMatchObject({ ok: true, value: { status: 'cancelled' } });
      const listed = s.call('list_orders', { customer_id: 'CUS-1' });
      expect(listed.ok && (listed.value as Array<{ order_id: string }>).map((o) => o.order_id)).toContain('ORD-1001');
      const sent = s.call('send_invoice', { order_id: 'ORD-1', message: 'Thanks' });
      expect(sent).toMatchObject({ ok: true, value: { action: 'send_invoice', target_id: 'ORD-1', details: { order_id: 'ORD-1', message: 'Thanks' } } });
      expect(s.call('delete_customer', { customer_id: 'CUS-1' })).toMatchObject({ ok: false, error: expect.stringContaining('still referred to by orders') });
    } finally {
      s.close();
      domain.close();
    }
  });

  it('writes a policy naming the entities and what each write does', () => {
    expect(spec.policy).toContain('**orders** (key `order_id`); refers to customer_id -> customers');
    expect(spec.policy).toContain('`cancel_order` changes a row of orders (status becomes "cancelled").');
    expect(spec.policy).toContain('`send_invoice` checks the rows it names and records the act in action_log.');
  });
});

describe('state verbs', () => {
  it('block, lock, freeze and mute set the entity status instead of only logging the act', () => {
    const tool = (name: string, description: string, props: Record<string, { type: string }>, required: string[]) => ({
      name,
      description,
      parameters: { type: 'object' as const, properties: props, required },
      source: 'test',
    });
    const tools = [
      tool('get_card', 'Get a payment card.', { card_id: { type: 'string' } }, ['card_id']),
      tool('block_card', 'Block a card that was lost or stolen.', { card_id: { type: 'string' }, reason: { type: 'string' } }, ['card_id']),
      tool('freeze_card', 'Freeze a card for a while.', { card_id: { type: 'string' } }, ['card_id']),
    ];
    const spec = synthesizeRuleBased({ name: 'cards', terms: ['card'], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 3);
    const domain = new Domain(spec);
    const s = domain.openSession();
    try {
      expect(s.call('block_card', { card_id: 'CAR-1', reason: 'stolen' })).toMatchObject({ ok: true, value: { card_id: 'CAR-1', status: 'blocked' } });
      expect(s.call('freeze_card', { card_id: 'CAR-2' })).toMatchObject({ ok: true, value: { status: 'frozen' } });
      expect(s.call('get_card', { card_id: 'CAR-1' })).toMatchObject({ ok: true, value: { status: 'blocked' } });
    } finally {
      s.close();
      domain.close();
    }
  });
});

describe('an update with an object of changes', () => {
  it('sets each column named in the object and leaves the others', () => {
    const updates = { type: 'object', properties: { title: { type: 'string' }, status: { type: 'string' }, priority: { type: 'integer' } } };
    const tools: ToolSpec[] = [
      { name: 'get_ticket', description: 'Get a ticket.', parameters: { type: 'object' as const, properties: { ticket_id: { type: 'integer' } }, required: ['ticket_id'] }, source: 't' },
      { name: 'edit_ticket', description: 'Modify a ticket.', parameters: { type: 'object' as const, properties: { ticket_id: { type: 'integer' }, updates }, required: ['ticket_id', 'updates'] }, source: 't' },
    ];
    const spec = synthesizeRuleBased({ name: 'tickets', terms: [], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 2);
    expect(spec.tables.find((t) => t.name === 'tickets')!.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['title', 'status', 'priority']));
    const domain = new Domain(spec);
    const s = domain.openSession();
    try {
      const before = s.call('get_ticket', { ticket_id: 1 });
      expect(before.ok).toBe(true);
      const edited = s.call('edit_ticket', { ticket_id: 1, updates: { status: 'closed', priority: 5 } });
      expect(edited).toMatchObject({ ok: true, value: { ticket_id: 1, status: 'closed', priority: 5 } });
      expect((edited.ok && (edited.value as { title: unknown }).title)).toBe(before.ok && (before.value as { title: unknown }).title);
    } finally {
      s.close();
      domain.close();
    }
  });
});

describe('a list of ids', () => {
  it('matches every row it names, checks every reference, and is sampled from live ids', () => {
    const tools: ToolSpec[] = [
      { name: 'get_case', description: 'Get a case.', parameters: { type: 'object', properties: { case_id: { type: 'integer' } }, required: ['case_id'] }, source: 't' },
      { name: 'display_cases', description: 'Display cases.', parameters: { type: 'object', properties: { case_id: { type: 'array', items: { type: 'string' } } }, required: ['case_id'] }, source: 't' },
    ];
    const spec = synthesizeRuleBased({ name: 'cases', terms: [], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 2);
    const domain = new Domain(spec);
    const s = domain.openSession();
    try {
      const shown = s.call('display_cases', { case_id: ['1', '2'] });
      expect(shown.ok && (shown.value as Array<{ case_id: number }>).map((c) => c.case_id)).toEqual([1, 2]);
      expect(s.call('display_cases', { case_id: ['999'] })).toMatchObject({ ok: false });
      const sampled = sampleTasks(domain, { n: 5, seed: 1, maxSteps: 1 }).tasks.flatMap((t) => t.gold.actions).filter((a) => a.tool === 'display_cases');
      expect(sampled.length).toBeGreaterThan(0);
      for (const a of sampled) expect(s.call('display_cases', a.args).ok).toBe(true);
    } finally {
      s.close();
      domain.close();
    }
  });
});

describe('values from schemas without a type', () => {
  it('take the shape the schema shows: the first choice, properties, items', () => {
    const rng = new Random(1);
    const clock = '2025-06-02T09:00:00Z';
    const passenger = { type: 'object', properties: { first_name: { type: 'string' }, age: { type: 'integer' } }, required: ['first_name', 'age'] };
    const list = schemaValue('passengers', { type: 'array', items: { anyOf: [passenger, { type: 'object' }] } }, rng, 1, clock) as Array<Record<string, unknown>>;
    expect(list.length).toBeGreaterThan(0);
    for (const p of list) expect(p).toEqual({ first_name: expect.any(String), age: expect.any(Number) });
    expect(schemaValue('point', { properties: { lat: { type: 'number' } }, required: ['lat'] }, rng, 1, clock)).toEqual({ lat: expect.any(Number) });
    expect(Array.isArray(schemaValue('tags', { items: { type: 'string' } }, rng, 1, clock))).toBe(true);
  });

  it('verify a tool whose list items are a choice of objects, even where stored values have another shape', () => {
    const passenger = { type: 'object', properties: { first_name: { type: 'string' }, last_name: { type: 'string' } }, required: ['first_name', 'last_name'] };
    const tools: ToolSpec[] = [
      { name: 'get_reservation', description: 'Get a reservation.', parameters: { type: 'object', properties: { reservation_id: { type: 'string' } }, required: ['reservation_id'] }, source: 't' },
      { name: 'create_reservation', description: 'Create a reservation.', parameters: { type: 'object', properties: { passengers: { type: 'array', items: { type: 'string' } } }, required: ['passengers'] }, source: 't' },
      { name: 'update_reservation_passengers', description: 'Update the passengers.', parameters: { type: 'object', properties: { reservation_id: { type: 'string' }, passengers: { type: 'array', items: { anyOf: [passenger, { type: 'object' }] } } }, required: ['reservation_id', 'passengers'] }, source: 't' },
    ];
    const outcome = synthesizeOffline({ name: 'reservations', terms: [], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 1);
    expect(outcome.verdicts.find((v) => v.tool === 'update_reservation_passengers')).toMatchObject({ ok: true });
  });
});

describe('outputs of plain values and example calls', () => {
  const album = { type: 'object', properties: { album_id: { type: 'string' }, title: { type: 'string' } } };
  const track = { type: 'object', properties: { track_id: { type: 'string' }, album_id: { type: 'string' }, title: { type: 'string' } } };
  const tools: ToolSpec[] = [
    { name: 'list_albums', description: 'List albums.', parameters: { type: 'object', properties: {} }, outputSchema: { type: 'array', items: album }, source: 't' },
    { name: 'create_track', description: 'Add a track to an album.', parameters: { type: 'object', properties: { album_id: { type: 'string' }, title: { type: 'string' } }, required: ['album_id', 'title'] }, outputSchema: track, source: 't' },
    { name: 'list_album_tracks', description: 'The tracks of an album.', parameters: { type: 'object', properties: { album_id: { type: 'string' } }, required: ['album_id'] }, outputSchema: { type: 'object', properties: { items: { type: 'array', items: track }, total: { type: 'integer' } } }, source: 't' },
    { name: 'check_saved_albums', description: 'Check whether each album is saved.', parameters: { type: 'object', properties: { ids: { type: 'array', items: { type: 'string' } } }, required: ['ids'] }, outputSchema: { type: 'array', items: { type: 'boolean' } }, source: 't' },
  ];
  const outcome = synthesizeOffline({ name: 'music', terms: [], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 1);
  const outputOf = (name: string) => {
    const domain = new Domain(outcome.spec!);
    const session = domain.openSession();
    try {
      const result = session.call(name, outcome.verdicts.find((v) => v.tool === name)!.example!);
      if (!result.ok) throw new Error(result.error);
      return result.value;
    } finally {
      session.close();
      domain.close();
    }
  };

  it('shape a list of flags as flags, valid against the source schema', () => {
    expect(outcome.verdicts.every((v) => v.ok)).toBe(true);
    const flags = outputOf('check_saved_albums') as unknown[];
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.every((f) => f === true)).toBe(true);
    expect(outputValidator(tools[3].outputSchema!)!(flags)).toBe(true);
  });

  it('list the tracks of an album with their count', () => {
    const page = outputOf('list_album_tracks') as { items: unknown[]; total: number };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.total).toBe(page.items.length);
  });
});
