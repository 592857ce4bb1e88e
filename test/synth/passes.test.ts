import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/corpus/ingest.js';
import { Domain } from '../../src/env/domain.js';
import { controlOf } from '../../src/synth/control.js';
import { idEntity } from '../../src/synth/entities.js';
import { entityFromTitle, readContract } from '../../src/synth/contract.js';
import { controlColumns, outputValidator, placeholderCount } from '../../src/synth/fidelity.js';
import { synthesizeOffline } from '../../src/synth/pipeline.js';
import { plannedJobs } from '../../src/synth/planned-tools.js';
import { synthesizeRuleBased } from '../../src/synth/rule-based.js';
import { fromPattern } from '../../src/synth/pools.js';
import { schemaValue } from '../../src/synth/values.js';
import { paramSources } from '../../src/tasks/param-sources.js';
import { Random } from '../../src/tasks/random.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import { REPO_ROOT } from '../helpers/mcp.js';
import { tempDir, withMcpClient } from './helpers.js';
import { writeDomainFolder } from '../../src/synth/write.js';

const STORE = resolve(REPO_ROOT, 'fixtures', 'synth', 'store.openapi.yaml');
const corpus = ingest([STORE]).tools;
const [job] = plannedJobs([{ name: 'store', terms: ['customer'], community: 0, tools: corpus.map((t) => t.name), variants: [] }], corpus);
const byName = (name: string) => job.tools.find((t) => t.name === name)!;

describe('the output contract pass', () => {
  it('finds the records behind list wrappers and names entities after their schemas', () => {
    expect(readContract(byName('listCustomers'))).toMatchObject({ path: ['data'], list: true, entity: 'customer' });
    expect(readContract(byName('listCustomerOrders'))).toMatchObject({ path: [], list: true, entity: 'order' });
    expect(readContract(byName('getCustomer'))).toMatchObject({ path: [], list: false, entity: 'customer' });
    expect(entityFromTitle('CustomerFields')).toBe('customer');
    expect(entityFromTitle('objs_conversation')).toBe('conversation');
    expect(entityFromTitle('Default success template')).toBeUndefined();
  });

  it('takes `<x>_id` for a reference to x, unless x is a preposition', () => {
    expect(idEntity('customer_id', { type: 'string' })).toBe('customer');
    expect(idEntity('list_id', { type: 'integer' })).toBe('list');
    expect(idEntity('associated_with_id', { type: 'integer' })).toBeUndefined();
    expect(idEntity('assigned_to_id', { type: 'string' })).toBeUndefined();
  });

  it('reads control parameters as paging or nothing, never as data', () => {
    expect(controlOf('limit', { type: 'integer' }, true)).toBe('limit');
    expect(controlOf('skip', { type: 'integer' }, true)).toBe('offset');
    expect(controlOf('page', { type: 'integer' }, true)).toBe('page');
    expect(controlOf('sort_dir', { type: 'string' }, true)).toBe('ignored');
    expect(controlOf('inlinecount', { type: 'string' }, true)).toBe('ignored');
    // A count is data in a write, and when it is not a number.
    expect(controlOf('count', { type: 'integer' }, false)).toBeUndefined();
    expect(controlOf('email', { type: 'string' }, true)).toBeUndefined();
  });
});

describe('a domain synthesized from what tools take and return', () => {
  const outcome = synthesizeOffline(job.planned, job.tools, 1);
  const spec = outcome.spec!;
  const table = (name: string) => spec.tables.find((t) => t.name === name)!;

  it('verifies every tool and holds the response fields as columns, with no control columns', () => {
    expect(outcome.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(table('customers').columns.map((c) => c.name)).toEqual(expect.arrayContaining(['customer_id', 'name', 'email', 'phone', 'loyalty_tier', 'address', 'created_at']));
    expect(table('customers').columns.find((c) => c.name === 'address')!.type).toBe('json');
    expect(table('orders').columns.find((c) => c.name === 'customer_id')!.references).toBe('customers');
    expect(controlColumns(spec, job.tools)).toEqual([]);
    for (const t of spec.tables) expect(t.columns.map((c) => c.name)).not.toEqual(expect.arrayContaining(['limit', 'offset', 'sort', 'fields', 'page', 'per_page']));
  });

  it('seeds realistic, consistent rows: ids in the API style, no placeholders, several orders per customer', () => {
    expect(placeholderCount(spec).placeholders).toBe(0);
    const customers = spec.seed.customers;
    for (const c of customers) expect(String(c.customer_id)).toMatch(/^cus_[a-z0-9]{8}$/);
    expect(new Set(customers.map((c) => c.email)).size).toBe(customers.length);
    const perCustomer = new Map<unknown, number>();
    for (const o of spec.seed.orders) perCustomer.set(o.customer_id, (perCustomer.get(o.customer_id) ?? 0) + 1);
    expect(Math.max(...perCustomer.values())).toBeGreaterThan(1);
    // The last customer is nobody's parent, so it can be deleted.
    expect(perCustomer.has(customers.at(-1)!.customer_id)).toBe(false);
  });

  it('returns what the API returns, from the state: wrappers, field names, counts, pages', () => {
    const domain = new Domain(spec);
    const session = domain.openSession();
    try {
      const call = (tool: string, args: Record<string, unknown>) => {
        const r = session.call(tool, args);
        if (!r.ok) throw new Error(r.text);
        const valid = outputValidator(byName(tool).outputSchema!)!;
        expect(valid(r.value), `${tool}: ${JSON.stringify(valid.errors)} ${r.text}`).toBe(true);
        return r.value as Record<string, unknown>;
      };
      const page = call('listCustomers', { limit: 3, offset: 1 });
      const data = page.data as Array<Record<string, unknown>>;
      expect(data).toHaveLength(3);
      expect(Object.keys(data[0])).toEqual(['id', 'name', 'email', 'phone', 'loyaltyTier', 'address', 'createdAt']);
      expect(data[0].id).toBe(spec.seed.customers[1].customer_id);
      expect(page.meta).toEqual({ total: spec.seed.customers.length });
      const one = call('getCustomer', { customerId: data[0].id });
      expect(one).toEqual(data[0]);
      expect(call('findCustomerByEmail', { email: one.email })).toEqual(one);
      const created = call('createCustomer', { name: 'Ada Lovelace', email: 'ada@example.org' });
      expect(created).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.org', id: expect.stringMatching(/^cus_[a-z0-9]{8}$/), createdAt: spec.clock.replace('.000Z', 'Z') });
      // A write shows in every later read.
      expect(call('getCustomer', { customerId: created.id })).toEqual(created);
      expect((call('listCustomers', {}).meta as { total: number }).total).toBe(spec.seed.customers.length + 1);
      const orders = session.call('listCustomerOrders', { customerId: spec.seed.customers[0].customer_id, per_page: 2 });
      expect(orders.ok && Array.isArray(orders.value) && orders.value.length).toBe(2);
      const removed = call('deleteCustomer', { customerId: created.id });
      expect(removed).toEqual(created);
    } finally {
      session.close();
      domain.close();
    }
  });

  it('reads a customer by email from the customers table, as task sampling sees it', () => {
    const domain = new Domain(spec);
    try {
      expect(paramSources(domain).get('findCustomerByEmail')!.get('email')).toEqual({ table: 'customers', column: 'email', role: 'lookup' });
      // An optional argument stored with a default (coalesce) still fills its column.
      expect(paramSources(domain).get('createCustomer')!.get('loyaltyTier')).toEqual({ table: 'customers', column: 'loyalty_tier', role: 'value' });
    } finally {
      domain.close();
    }
  });

  it('declares object outputs to MCP clients and returns them as structured content', async () => {
    expect(spec.tools.find((t) => t.name === 'getCustomer')!.outputSchema).toMatchObject({ type: 'object', properties: { phone: { type: ['string', 'null'] } } });
    // A list at the top level cannot be an MCP output schema (structured content is an object).
    expect(spec.tools.find((t) => t.name === 'listCustomerOrders')!.outputSchema).toBeUndefined();
    const dir = writeDomainFolder(tempDir('store'), spec, outcome.verdicts);
    await withMcpClient(dir, async (client) => {
      const listed = await client.listTools();
      expect(listed.tools.find((t) => t.name === 'getCustomer')!.outputSchema).toMatchObject({ type: 'object' });
      // The SDK client checks structured content against the declared schema.
      const result = await client.callTool({ name: 'getCustomer', arguments: { customerId: spec.seed.customers[0].customer_id } });
      expect(result.structuredContent).toMatchObject({ id: spec.seed.customers[0].customer_id });
    });
  });

  it('is byte-identical for a seed, and another seed gives other rows', () => {
    const again = synthesizeRuleBased(job.planned, job.tools, 1);
    expect(JSON.stringify(again)).toBe(JSON.stringify(synthesizeRuleBased(job.planned, job.tools, 1)));
    expect(JSON.stringify(synthesizeRuleBased(job.planned, job.tools, 2).seed)).not.toBe(JSON.stringify(again.seed));
  });
});

describe('values', () => {
  const rng = () => new Random(4);
  const clock = '2025-06-02T09:00:00Z';

  it('take the spec example first, then the format, pattern and bounds; an example that contradicts its schema is not used', () => {
    expect(schemaValue('sku', { type: 'string', example: 'AB-1' }, rng(), 0, clock)).toBe('AB-1');
    expect(schemaValue('sku', { type: 'string', pattern: '^[0-9]+$', example: 'AB-1' }, rng(), 0, clock)).toMatch(/^[0-9]+$/);
    expect(schemaValue('payload', { type: 'string', format: 'byte' }, rng(), 3, clock)).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(schemaValue('ref', { type: 'string', pattern: '^se(-[a-z0-9]+)+$' }, rng(), 3, clock)).toMatch(/^se(-[a-z0-9]+)+$/);
    const n = schemaValue('quantity', { type: 'integer', minimum: 50, maximum: 60 }, rng(), 3, clock) as number;
    expect(n).toBeGreaterThanOrEqual(50);
    expect(n).toBeLessThanOrEqual(60);
    expect(fromPattern('^(?<=x)y$', rng())).toBeUndefined();
  });

  it('satisfy the whole schema: structured examples checked deeply, maxProperties, uniqueItems, a base model with its subtypes', () => {
    // A nested example that contradicts its schema (a rating as a number where text is declared) is not used.
    const passenger = { type: 'object', properties: { name: { type: 'string' }, rating: { type: 'string' } }, example: { name: 'Jane', rating: 4 } };
    expect(schemaValue('passenger', passenger, rng(), 0, clock)).toMatchObject({ rating: expect.any(String) });
    expect(schemaValue('passenger', { ...passenger, example: { name: 'Jane', rating: '4.9' } }, rng(), 0, clock)).toEqual({ name: 'Jane', rating: '4.9' });
    const source = { type: 'object', maxProperties: 1, properties: { pointer: { type: 'string' }, parameter: { type: 'string' } } };
    expect(Object.keys(schemaValue('source', source, rng(), 0, clock) as object)).toHaveLength(1);
    const fields = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'object' } };
    expect(outputValidator(fields)!(schemaValue('fields', fields, rng(), 0, clock))).toBe(true);
    // RFC 7807 style: the base model's own properties and its first subtype's, discriminator value included.
    const problem = {
      properties: { type: { type: 'string' } },
      required: ['type'],
      oneOf: [
        { allOf: [{ type: 'object', required: ['title'], properties: { title: { type: 'string' } } }, { type: 'object', properties: { type: { type: 'string', enum: ['about:blank'] } } }] },
        { allOf: [{ type: 'object', required: ['title', 'errors'], properties: { title: { type: 'string' }, errors: { type: 'array' } } }, { type: 'object', properties: { type: { type: 'string', enum: ['invalid-request'] } } }] },
      ],
    };
    const value = schemaValue('error', problem, rng(), 0, clock);
    expect(value).toMatchObject({ type: 'about:blank', title: expect.any(String) });
    expect(outputValidator(problem)!(value)).toBe(true);
    // A required field the schema forgot to declare is still given; items no value can satisfy leave the list empty.
    const attributes = { type: 'object', required: ['homeResource'], properties: { homePath: { type: 'string' } } };
    expect(schemaValue('attributes', attributes, rng(), 0, clock)).toMatchObject({ homeResource: expect.any(String) });
    const subscriptions = { items: { type: 'array', anyOf: [{ type: 'object', properties: { recurring: { type: 'boolean' } } }] } };
    expect(schemaValue('subscriptions', subscriptions, rng(), 0, clock)).toEqual([]);
    expect(outputValidator(subscriptions)!([])).toBe(true);
  });

  it('keep a response field in the shape the API returns: a parameter of another shape gets a column of its own, a null field stays null', () => {
    const tools: ToolSpec[] = [
      { name: 'get_account', description: 'Get an account.', parameters: { type: 'object', properties: { account_id: { type: 'string' } }, required: ['account_id'] }, outputSchema: { type: 'object', properties: { account_id: { type: 'string' }, custom_fields: { type: 'object' }, closed_at: { type: 'null' } } }, source: 't' },
      { name: 'create_account', description: 'Create an account.', parameters: { type: 'object', properties: { name: { type: 'string' }, custom_fields: { type: 'array', items: { type: 'string' } } }, required: ['name', 'custom_fields'] }, outputSchema: { type: 'object', properties: { account_id: { type: 'string' }, custom_fields: { type: 'object' }, closed_at: { type: 'null' } } }, source: 't' },
    ];
    const outcome = synthesizeOffline({ name: 'accounts', terms: [], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 1);
    expect(outcome.verdicts.map((v) => v.ok)).toEqual([true, true]);
    const accounts = outcome.spec!.tables.find((t) => t.name === 'accounts')!;
    expect(accounts.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['custom_fields', 'custom_fields_2']));
    const domain = new Domain(outcome.spec!);
    const session = domain.openSession();
    try {
      const created = session.call('create_account', outcome.verdicts[1].example!);
      expect(created.ok && outputValidator(tools[1].outputSchema!)!(created.value)).toBe(true);
      expect(created.ok && created.value).toMatchObject({ custom_fields: expect.any(Object), closed_at: null });
    } finally {
      session.close();
      domain.close();
    }
  });

  it('are what the name means, never a word and a number', () => {
    const value = (name: string) => String(schemaValue(name, { type: 'string' }, rng(), 2, clock));
    expect(value('email')).toMatch(/^[^@\s]+@example\.(com|org|net)$/);
    expect(value('first_name')).toMatch(/^[A-Z][a-z]+/);
    expect(value('city')).not.toMatch(/\d$/);
    expect(value('createdAt')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(value('due_date') > clock.slice(0, 10)).toBe(true);
    expect(value('widget_label')).not.toMatch(/\d+\.?$/);
  });

  it('fit what the field means by name, description and example: tokens, months, codes, enum-like words, people; a phrase only for names', () => {
    const value = (name: string, schema: Record<string, unknown> = {}, index = 2) => String(schemaValue(name, { type: 'string', ...schema }, rng(), index, clock));
    expect(value('authtoken', { description: 'API OAuth token.' })).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(value('next_page_token')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(value('month')).toMatch(/^([1-9]|1[0-2])$/);
    expect(value('expiry_month', { description: 'a 2 digit representation of the expiry month' })).toMatch(/^(0[1-9]|1[0-2])$/);
    expect(value('month', { format: 'date' })).toMatch(/^\d{4}-\d{2}-01$/);
    expect(value('market', { description: 'An ISO 3166-1 alpha-2 country code.' })).toMatch(/^[A-Z]{2}$/);
    expect(value('country_code', { description: 'Country abbreviation' })).toMatch(/^[A-Z]{2}$/);
    expect(['default', 'public', 'private']).toContain(value('visibility', { description: 'Possible values are: "default", "public", "private".' }));
    expect(['d', 'n']).toContain(value('pod', { description: 'Part of the day (d = day, n = night)' }));
    expect(['public', 'private']).toContain(value('sharing', { description: 'Type of sharing (public/private).' }));
    expect(value('type')).toMatch(/^[a-z_]+$/);
    expect(value('reward_type')).toMatch(/^[a-z_]+$/);
    expect(value('created_by')).toMatch(/^[A-Z][a-z'-]+ [A-Z]/);
    expect(value('vmid', { description: 'unique numeric id of the server' })).toMatch(/^\d{8}$/);
    expect(value('channel_ids', { description: 'Comma separated values of channel IDs' })).toMatch(/^[a-z0-9]+,[a-z0-9]+$/);
    expect(value('time_verified', { description: 'The timestamp of the verification (e.g., "2025-11-14 03:40:00 EST")' })).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} EST$/);
    expect(value('updated_min', { description: 'Lower bound (as a RFC3339 timestamp)' })).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(value('body_html')).toMatch(/^<p>.+<\/p>$/);
    expect(value('ip_address')).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // After the example itself, values in its style: the prefix kept, letters and digits drawn again.
    const id = value('customer', { example: 'cus_9s6XKzkNRiz8i3' });
    expect(id).toMatch(/^cus_[a-zA-Z0-9]{14}$/);
    expect(id).not.toBe('cus_9s6XKzkNRiz8i3');
    expect(value('ob_time', { example: '2017-03-15 13:11' })).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // A field nothing identifies: a plain lowercase word, never a made-up title; names keep a name.
    expect(value('widget_flavor')).toMatch(/^[a-z]+$/);
    expect(value('account_name')).toMatch(/^[A-Z]/);
  });
});
