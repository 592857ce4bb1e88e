import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { jsonSchemas } from '../../src/spec/json-schemas.js';

const repoRoot = resolve(import.meta.dirname, '../..');

test('the committed JSON Schemas are the ones the zod formats give (run `npm run schema` after a format change)', () => {
  for (const [file, schema] of Object.entries(jsonSchemas())) {
    const committed = JSON.parse(readFileSync(resolve(repoRoot, 'schema', file), 'utf8'));
    expect(committed, file).toEqual(schema);
  }
});

test('the domain schema describes tools, steps and outputs', () => {
  const schema = jsonSchemas()['domain.schema.json'] as { required: string[]; properties: Record<string, unknown> };
  expect(schema.required).toEqual(expect.arrayContaining(['name', 'description', 'clock', 'tables', 'tools']));
  expect(JSON.stringify(schema.properties.tools)).toContain('"check"');
});
