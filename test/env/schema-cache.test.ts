import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { compileArguments, compileOutputSchema } from '../../src/env/arguments.js';
import { Domain } from '../../src/env/domain.js';
import { SchemaCache } from '../../src/util/schema-cache.js';
import { tinySpec } from './fixtures.js';

const idSchema = () => ({ type: 'object' as const, properties: { id: { type: 'string' } }, required: ['id'] });

describe('compiled schemas are shared by text and not kept by ajv', () => {
  test('equal schemas from different objects share one validator; different ones do not', () => {
    expect(compileArguments(idSchema())).toBe(compileArguments(idSchema()));
    expect(compileArguments(idSchema())).not.toBe(compileArguments({ ...idSchema(), required: [] }));
  });

  test('schemas that differ only in wording share code, but a property named like an annotation is kept', () => {
    const described = (text: string) => ({ type: 'object' as const, description: text, properties: { id: { type: 'string', description: `the ${text} id`, 'x-order': 1 } }, required: ['id'] });
    expect(compileArguments(described('user'))).toBe(compileArguments(described('order')));
    const titled = compileArguments({ type: 'object', properties: { title: { type: 'string' }, description: { type: 'string' } }, required: ['title', 'description'] });
    expect(titled({ title: 'a' })).toBe(false);
    expect(titled({ title: 'a', description: 'b' })).toBe(true);
  });

  test('an invalid schema is refused every time, not only the first', () => {
    const bad = () => ({ type: 'object' as const, properties: { n: { type: 'integer', minimum: 'zero' } } });
    for (let i = 0; i < 2; i++) expect(() => compileArguments(bad() as never)).toThrow(/schema is invalid: schema\/properties\/n\/minimum must be number/);
  });

  test('two domains whose output schemas carry the same $id both load', () => {
    const withId = () => {
      const spec = tinySpec();
      spec.tools = spec.tools.map((t) => (t.name === 'find_author' ? { ...t, outputSchema: { $id: 'https://example.com/author.json', type: 'object' } } : t));
      return new Domain(spec);
    };
    const [a, b] = [withId(), withId()];
    expect(a.tools.get('find_author')?.validateOutput).toBeDefined();
    expect(b.tools.get('find_author')?.validateOutput).toBe(a.tools.get('find_author')?.validateOutput);
    a.close();
    b.close();
  });

  test('ajv keeps no entry per compile, and the least recently used validator goes beyond the limit', () => {
    const ajv = new Ajv({ addUsedSchema: false });
    const ajvEntries = () => (ajv as unknown as { _cache: Map<object, unknown> })._cache.size;
    const metaSchemas = ajvEntries();
    const cache = new SchemaCache(ajv, 2);
    const schema = (n: number) => ({ type: 'object', properties: { [`f${n}`]: { type: 'number' } } });
    const first = cache.compile(schema(1));
    const second = cache.compile(schema(2));
    expect(cache.compile(schema(1))).toBe(first); // 1 is now the most recently used
    cache.compile(schema(3)); // evicts 2
    expect(cache.compile(schema(1))).toBe(first);
    expect(cache.compile(schema(2))).not.toBe(second);
    expect(ajvEntries()).toBe(metaSchemas);
    expect(compileOutputSchema({ type: 'object', properties: { f: { type: 'number' } } })({ f: 'x' })).toBe(false);
  });
});
