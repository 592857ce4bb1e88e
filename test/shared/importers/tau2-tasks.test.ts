import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../../src/env/domain.js';
import { diffStates, type StateDiff } from '../../../src/env/diff.js';
import { loadDomain, readTasks } from '../../../src/env/load.js';
import { openTaskSession, runActions } from '../../../src/env/replay.js';
import { exportRetailRecords } from '../../../src/importers/tau2/export.js';
import { importTau2 } from '../../../src/importers/tau2/import.js';
import { PyFloat } from '../../../src/importers/tau2/pyjson.js';
import { replayOverMcp } from '../../../src/importers/tau2/replay.js';
import { evaluateEpisode } from '../../../src/record/reward.js';
import type { Session } from '../../../src/env/session.js';
import type { Task } from '../../../src/spec/task.js';
import { changedRecords, forkDb, referenceCall, type ReferenceResult, type RetailDb } from './tau2-reference.js';
import { TAU2_RETAIL } from '../paths.js';

const DATA = TAU2_RETAIL;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

let work: string;
let domain: Domain;
let tasks: Task[];
let base: RetailDb;
const seedDb = (): RetailDb => forkDb(base);

/** Exported records as plain JSON values (Python floats become numbers, maps objects). */
function plain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The db.json record each changed row belongs to: user rows by user_id, order rows by order_id. */
const RECORD_OF: Record<string, 'users' | 'orders'> = { users: 'users', payment_methods: 'users', user_orders: 'users', orders: 'orders', order_items: 'orders', fulfillments: 'orders', payments: 'orders' };

/** The users and orders whose rows a state diff touches, sorted. */
function changedIds(diff: StateDiff, where: string): { users: string[]; orders: string[] } {
  const ids = { users: new Set<string>(), orders: new Set<string>() };
  for (const t of diff) {
    const record = RECORD_OF[t.table];
    expect(record, `${where}: ${t.table} changed`).toBeDefined();
    const key = record === 'users' ? 'user_id' : 'order_id';
    for (const row of [...t.added, ...t.removed, ...t.changed.map((c) => c.key)]) ids[record].add(row[key] as string);
  }
  return { users: [...ids.users].sort(), orders: [...ids.orders].sort() };
}

/**
 * The engine's final state equals the reference's, compared by what changed: the same users and
 * orders changed on both sides (so every other row is untouched), and each changed record is equal
 * in db.json's layout.
 */
function expectSameState(session: Session, ref: RetailDb, where: string): void {
  const diff = diffStates(domain.spec.tables, { db: domain.base, sums: domain.image.sums }, { db: session.reader, sums: session.tableSums });
  const changed = changedRecords(base, ref);
  expect(changedIds(diff, where), `${where}: changed records`).toEqual(changed);
  const state = plain(exportRetailRecords(session.reader, changed));
  const pick = (part: 'users' | 'orders') => Object.fromEntries(changed[part].map((id) => [id, ref[part][id]]));
  expect(state, where).toEqual({ users: pick('users'), orders: pick('orders') });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'envscale-tau2-'));
  importTau2(DATA, join(work, 'tau2-retail'));
  domain = loadDomain(join(work, 'tau2-retail'));
  tasks = readTasks(join(work, 'tau2-retail'));
  base = readJson(join(DATA, 'db.json'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An MCP result against what tau2 gives: JSON outputs as JSON values, text outputs as text. */
function expectSame(got: { output: string; error: boolean }, want: ReferenceResult, where: string): void {
  if (!want.ok) {
    expect({ error: got.error, output: got.output }, where).toEqual({ error: true, output: want.text });
    return;
  }
  expect(got.error, `${where}: ${got.output}`).toBe(false);
  if (typeof want.value === 'string') expect(got.output, where).toBe(want.value);
  else expect(JSON.parse(got.output), where).toEqual(want.value);
}

describe('tau2-retail against tau2', () => {
  it("reproduces every output of expected-sample.json (tau2's own outputs)", async () => {
    const sample = readJson(join(DATA, 'expected-sample.json')) as { tasks: Record<string, { actions: Array<{ name: string; arguments: Record<string, unknown>; output: string; error: boolean }> }> };
    let compared = 0;
    for (const [id, { actions }] of Object.entries(sample.tasks)) {
      const task = tasks.find((t) => t.id === id)!;
      const { session, actions: got } = await replayOverMcp(domain, task, actions.map((a) => ({ tool: a.name, args: a.arguments })));
      session.close();
      actions.forEach((a, i) => {
        let want: ReferenceResult;
        if (a.error) want = { ok: false, text: a.output };
        else if (a.output.startsWith('{') && a.name !== 'list_all_product_types') want = { ok: true, value: JSON.parse(a.output) };
        else want = { ok: true, value: a.output };
        expectSame(got[i], want, `task ${id} action ${i} (${a.name})`);
        compared++;
      });
    }
    expect(compared).toBe(75);
  });

  it('replays all 112 gold tasks through MCP with tau2\'s outcomes: outputs, failures, final states and hashes', async () => {
    const withActions = tasks.filter((t) => t.gold.actions.length > 0);
    expect(withActions).toHaveLength(112);
    let failures = 0;
    for (const task of withActions) {
      const ref = seedDb();
      const { session, actions } = await replayOverMcp(domain, task);
      try {
        task.gold.actions.forEach((a, i) => {
          const want = referenceCall(ref, a.tool, a.args);
          if (!want.ok) failures++;
          expectSame(actions[i], want, `task ${task.id} action ${i} (${a.tool})`);
        });
        expectSameState(session, ref, `task ${task.id}`);
        expect(session.stateHash(), `task ${task.id}: hash`).toBe(task.gold.state_hash);
      } finally {
        session.close();
      }
    }
    // Wrong guesses corrected by the next action, and task 105's refused exchange.
    expect(failures).toBe(18);
  });

  it('scores every gold trajectory 1.0 with the reward function', () => {
    for (const task of tasks) {
      const session = openTaskSession(domain, task);
      runActions(session, task.gold.actions);
      const verdict = evaluateEpisode(domain, task, { session, actions: task.gold.actions, messages: [] });
      session.close();
      expect(verdict.reward, `task ${task.id}: ${verdict.explanation}`).toBe(1);
    }
  });

  it('tells a trajectory one write away from gold: another hash, a row-level diff, reward 0', () => {
    const task = tasks.find((t) => t.id === '16')!;
    const actions = task.gold.actions.map((a) => (a.tool === 'cancel_pending_order' && a.args.order_id === '#W8665881' ? { ...a, args: { ...a.args, reason: 'ordered by mistake' } } : a));
    const session = openTaskSession(domain, task);
    runActions(session, actions);
    expect(session.stateHash()).not.toBe(task.gold.state_hash);
    const gold = openTaskSession(domain, task);
    runActions(gold, task.gold.actions);
    const diff = diffStates(domain.spec.tables, { db: gold.reader, sums: gold.tableSums }, { db: session.reader, sums: session.tableSums });
    expect(diff).toEqual([{ table: 'orders', added: [], removed: [], changed: [{ key: { order_id: '#W8665881' }, columns: { cancel_reason: { before: 'no longer needed', after: 'ordered by mistake' } } }] }]);
    const verdict = evaluateEpisode(domain, task, { session, actions, messages: [] });
    expect(verdict.reward).toBe(0);
    expect(verdict.explanation).toMatch(/order_id=#W8665881: cancel_reason: "no longer needed" -> "ordered by mistake"/);
    gold.close();
    session.close();
  });
});

describe('tau2-retail tools beyond the gold actions', () => {
  /** Run calls on one session and on the reference model; every outcome and the end state must agree. */
  function agree(calls: Array<[string, Record<string, unknown>]>): void {
    const ref = seedDb();
    const session = domain.openSession();
    calls.forEach(([tool, args], i) => {
      const r = session.call(tool, args);
      expectSame({ output: r.text, error: !r.ok }, referenceCall(ref, tool, args), `call ${i}: ${tool} ${JSON.stringify(args)}`);
    });
    expectSameState(session, ref, 'end state');
    session.close();
  }

  it('follows tau2 on refunds, gift-card balances and payment changes', () => {
    const db = seedDb();
    const giftOrder = Object.values(db.orders).find((o) => o.status === 'pending' && o.payment_history[0].payment_method_id.startsWith('gift_card'))!;
    const pending = Object.values(db.orders).filter((o) => o.status === 'pending' && o.payment_history.length === 1);
    const withGift = pending.find((o) => Object.keys(db.users[o.user_id].payment_methods).some((m) => m.startsWith('gift_card') && m !== o.payment_history[0].payment_method_id))!;
    const gift = Object.keys(db.users[withGift.user_id].payment_methods).find((m) => m.startsWith('gift_card'))!;
    agree([
      ['cancel_pending_order', { order_id: giftOrder.order_id, reason: 'because' }],
      ['cancel_pending_order', { order_id: giftOrder.order_id, reason: 'no longer needed' }],
      ['cancel_pending_order', { order_id: giftOrder.order_id, reason: 'no longer needed' }],
      ['modify_pending_order_payment', { order_id: withGift.order_id, payment_method_id: withGift.payment_history[0].payment_method_id }],
      ['modify_pending_order_payment', { order_id: withGift.order_id, payment_method_id: gift }],
      ['modify_pending_order_payment', { order_id: withGift.order_id, payment_method_id: 'paypal_0000000' }],
      ['cancel_pending_order', { order_id: withGift.order_id, reason: 'ordered by mistake' }],
      ['get_user_details', { user_id: withGift.user_id }],
    ]);
  });

  it('follows tau2 on item changes: check order, duplicates, the last-variant price rule, refusals', () => {
    const db = seedDb();
    const delivered = Object.values(db.orders).find((o) => o.status === 'delivered' && o.items.length >= 2)!;
    const pending = Object.values(db.orders).find((o) => o.status === 'pending' && o.items.length >= 3)!;
    const other = (item: { product_id: string; item_id: string }, available: boolean) =>
      Object.values(db.products[item.product_id].variants as Record<string, { item_id: string; available: boolean }>).find((v) => v.item_id !== item.item_id && v.available === available)?.item_id ?? item.item_id;
    const [a, b, c] = pending.items;
    const user = db.users[pending.user_id];
    const method = Object.keys(user.payment_methods)[0];
    agree([
      ['exchange_delivered_order_items', { order_id: delivered.order_id, item_ids: [delivered.items[0].item_id, delivered.items[0].item_id], new_item_ids: ['1', '2'], payment_method_id: 'x' }],
      ['exchange_delivered_order_items', { order_id: delivered.order_id, item_ids: [delivered.items[0].item_id], new_item_ids: [], payment_method_id: 'x' }],
      ['exchange_delivered_order_items', { order_id: delivered.order_id, item_ids: [delivered.items[0].item_id, delivered.items[1].item_id], new_item_ids: [other(delivered.items[0], false), 'nope'], payment_method_id: 'x' }],
      ['exchange_delivered_order_items', { order_id: delivered.order_id, item_ids: [delivered.items[1].item_id], new_item_ids: [other(delivered.items[1], true)], payment_method_id: 'nope' }],
      ['return_delivered_order_items', { order_id: delivered.order_id, item_ids: ['nope'], payment_method_id: delivered.payment_history[0].payment_method_id }],
      ['exchange_delivered_order_items', { order_id: delivered.order_id, item_ids: [delivered.items[1].item_id, delivered.items[0].item_id], new_item_ids: [other(delivered.items[1], true), other(delivered.items[0], true)], payment_method_id: delivered.payment_history[0].payment_method_id }],
      ['return_delivered_order_items', { order_id: delivered.order_id, item_ids: [delivered.items[0].item_id], payment_method_id: delivered.payment_history[0].payment_method_id }],
      ['modify_pending_order_items', { order_id: pending.order_id, item_ids: [a.item_id], new_item_ids: [a.item_id], payment_method_id: method }],
      ['modify_pending_order_items', { order_id: pending.order_id, item_ids: [a.item_id, b.item_id, c.item_id], new_item_ids: [other(a, true), other(b, true), other(c, true)], payment_method_id: method }],
      ['modify_pending_order_items', { order_id: pending.order_id, item_ids: [other(a, true)], new_item_ids: [a.item_id], payment_method_id: method }],
      ['modify_pending_order_address', { order_id: pending.order_id, address1: '1 Main St', address2: '', city: 'Springfield', state: 'IL', country: 'USA', zip: '62701' }],
      ['modify_pending_order_address', { order_id: delivered.order_id, address1: '1 Main St', address2: '', city: 'Springfield', state: 'IL', country: 'USA', zip: '62701' }],
      ['modify_user_address', { user_id: 'nobody', address1: '1 Main St', address2: '', city: 'Springfield', state: 'IL', country: 'USA', zip: '62701' }],
      ['get_order_details', { order_id: pending.order_id }],
    ]);
  });

  it('follows tau2 on look-ups: case and spaces in names and emails, first match, unknown ids', () => {
    const db = seedDb();
    const u = Object.values(db.users)[7];
    const item = Object.values(Object.values(db.products)[3].variants as Record<string, { item_id: string }>)[2];
    agree([
      ['find_user_id_by_email', { email: `  ${u.email.toUpperCase()} ` }],
      ['find_user_id_by_name_zip', { first_name: u.name.first_name.toLowerCase(), last_name: ` ${u.name.last_name}`, zip: u.address.zip }],
      ['find_user_id_by_name_zip', { first_name: u.name.first_name, last_name: u.name.last_name, zip: `${u.address.zip} ` }],
      ['get_item_details', { item_id: item.item_id }],
      ['get_item_details', { item_id: Object.values(db.products)[3].product_id }],
      ['get_product_details', { product_id: item.item_id }],
      ['list_all_product_types', {}],
      ['transfer_to_human_agents', { summary: 'wants a human' }],
    ]);
  });

  it('calculates as Python does: str(round(float(eval(expression)), 2))', () => {
    const session = domain.openSession();
    const calc = (expression: string) => session.call('calculate', { expression }).text;
    const cases: Array<[string, string]> = [
      ['2 + 2', '4.0'],
      ['3131.1 + 4777.75 + 367.38', '8276.23'],
      ['10 / 4', '2.5'],
      ['1 / 8', '0.12'], // an exact half: Python rounds to even
      ['3 / 8', '0.38'],
      ['-2**2', '-4.0'],
      ['2**-1', '0.5'],
      ['7 // 2', '3.0'],
      ['3 * (2 + 1) - .5', '8.5'],
      ['100 / 3', '33.33'],
      ['1 / 0', 'Error: division by zero'],
      ['1.0 / 0', 'Error: float division by zero'],
      ['(1 + 2', "Error: '(' was never closed (<string>, line 1)"],
      ['1 + 2)', "Error: unmatched ')' (<string>, line 1)"],
      ['1 +', 'Error: invalid syntax (<string>, line 1)'],
      ['2 x 3', 'Error: Invalid characters in expression'],
    ];
    expect(cases.map(([e]) => calc(e))).toEqual(cases.map(([, want]) => want));
    session.close();
  });
});
