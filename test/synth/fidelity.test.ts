import { describe, expect, it } from 'vitest';
import { compareLayout, controlColumns, fieldCoverage, isPlaceholder, misfitCount, outputValidator, placeholderCount, valueMisfit } from '../../src/synth/fidelity.js';
import type { DomainSpec } from '../../src/spec/domain.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import { standardSchema } from '../../src/util/openapi-schema.js';

const spec = (tables: DomainSpec['tables'], seed: DomainSpec['seed']): DomainSpec =>
  ({ name: 'd', description: '', clock: '2025-06-02T09:00:00Z', sequences: {}, tables, tools: [], policy: '', seed }) as unknown as DomainSpec;

describe('fidelity figures', () => {
  it('validate outputs with OpenAPI nullable honoured and formats not enforced', () => {
    const validate = outputValidator({ type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' }, note: { type: 'string', nullable: true }, n: { type: 'integer', minimum: 0, exclusiveMinimum: true } } })!;
    expect(validate({ id: 'not-a-uuid', note: null, n: 1 })).toBe(true);
    expect(validate({ id: 'x', n: 0 })).toBe(false);
    expect(validate({ note: 'x' })).toBe(false);
    expect(standardSchema({ type: 'string', enum: ['a'], 'x-nullable': true })).toEqual({ type: ['string', 'null'], enum: ['a', null], 'x-nullable': true });
  });

  it('count the response fields present, at the top level or in the list items', () => {
    const item = { type: 'object', properties: { id: {}, name: {}, price: {}, tags: {} } };
    expect(fieldCoverage({ type: 'array', items: item }, [{ id: 1, name: 'a' }, { id: 2, price: 3 }])).toBe(0.75);
    expect(fieldCoverage({ type: 'array', items: item }, [])).toBe(0);
    expect(fieldCoverage({ type: 'object', properties: { data: {}, meta: {} } }, { data: [] })).toBe(0.5);
    expect(fieldCoverage({ allOf: [{ properties: { a: {} } }, { properties: { b: {} } }] }, { a: 1, b: null })).toBe(1);
    expect(fieldCoverage({ type: 'string' }, 'x')).toBeUndefined();
  });

  it('call a seed text a placeholder when it is a word and a number or its column name and a number', () => {
    expect(isPlaceholder('name', 'Hotel 1')).toBe(true);
    expect(isPlaceholder('adults', 'Lumen adults 1')).toBe(true);
    expect(isPlaceholder('comment', 'Orbit pioneer comment 4.')).toBe(true);
    expect(isPlaceholder('name', 'Hotel Lisboa')).toBe(false);
    expect(isPlaceholder('street', '12 Baker Street')).toBe(false);
    const s = spec(
      [{ name: 'hotels', primaryKey: ['hotel_id'], columns: [{ name: 'hotel_id', type: 'text' }, { name: 'name', type: 'text' }, { name: 'opened', type: 'text' }, { name: 'chain_id', type: 'text' }] }],
      { hotels: [{ hotel_id: 'HOT 1', name: 'Hotel 1', opened: '2020-01-01', chain_id: 'Chain 2' }, { hotel_id: 'HOT 2', name: 'Grand Lisboa', opened: '2021-01-01', chain_id: 'Chain 3' }] },
    );
    // Ids and dates aside: only the two names are looked at.
    expect(placeholderCount(s)).toEqual({ placeholders: 1, texts: 2 });
  });

  it('call a seed text a misfit when its shape does not fit what its column name says it holds', () => {
    expect(valueMisfit('authtoken', 'Candid swath')).toBe('token or id');
    expect(valueMisfit('authtoken', 'x8Kq2LpZ0aB3')).toBeUndefined();
    expect(valueMisfit('month', 'Worthy invite')).toBe('month');
    expect(valueMisfit('month', '4')).toBeUndefined();
    expect(valueMisfit('month', 'April')).toBeUndefined();
    expect(valueMisfit('month', '2025-04-01')).toBeUndefined();
    expect(valueMisfit('type', 'Onboarding proposal')).toBe('enum');
    expect(valueMisfit('type', 'onboarding')).toBeUndefined();
    expect(valueMisfit('country_code', 'Oddball gymnast')).toBe('code');
    expect(valueMisfit('countryCode', 'US')).toBeUndefined();
    expect(valueMisfit('created_at', 'soon')).toBe('date');
    expect(valueMisfit('email', 'Jane Doe')).toBe('email');
    expect(valueMisfit('homepage_url', 'example.com')).toBe('url');
    expect(valueMisfit('oid_value', 'Courteous bakeware')).toBe('phrase');
    // A phrase fits names, titles, texts, places, people and companies.
    expect(valueMisfit('title', 'Candid swath')).toBeUndefined();
    expect(valueMisfit('created_by', 'Jane Doe')).toBeUndefined();
    expect(valueMisfit('city', 'New Billie')).toBeUndefined();
    const s = spec(
      [{ name: 'users', primaryKey: ['user_id'], columns: [{ name: 'user_id', type: 'text' }, { name: 'month', type: 'text' }, { name: 'name', type: 'text' }, { name: 'age', type: 'integer' }] }],
      { users: [{ user_id: 'Big id', month: 'Worthy invite', name: 'Candid swath', age: 3 }, { user_id: 'u2', month: '5', name: 'Jo', age: 4 }] },
    );
    // Keys and non-text columns aside: two months and two names looked at, one month misfits.
    expect(misfitCount(s)).toMatchObject({ misfits: 1, texts: 4 });
  });

  it('find columns named like control parameters, unless a response has such a field', () => {
    const s = spec([{ name: 'files', primaryKey: ['file_id'], columns: [{ name: 'file_id', type: 'text' }, { name: 'page_size', type: 'integer' }, { name: 'format', type: 'text' }, { name: 'title', type: 'text' }] }], {});
    const tools = [{ name: 'get_file', outputSchema: { type: 'object', properties: { format: { type: 'string' } } } }] as unknown as ToolSpec[];
    expect(controlColumns(s, tools)).toEqual(['files.page_size']);
    expect(controlColumns(s, [])).toEqual(['files.page_size', 'files.format']);
  });

  it('compare a domain with a real data layout entity by entity, parts of objects counting', () => {
    const s = spec([{ name: 'users', primaryKey: ['user_id'], columns: [{ name: 'user_id', type: 'text' }, { name: 'city', type: 'text' }] }], {});
    const db = { users: { u1: { user_id: 'u1', address: { city: 'Lyon' }, email: 'a@b.c' } }, orders: { o1: { order_id: 'o1' } } };
    expect(compareLayout(s, db)).toEqual([
      { entity: 'users', table: 'users', fields: ['user_id', 'address', 'email'], present: ['user_id', 'address'] },
      { entity: 'orders', fields: ['order_id'], present: [] },
    ]);
  });
});
