import { expect, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import { paramSources } from '../../src/tasks/param-sources.js';
import { dependencyGraph, tablesOf } from '../../src/tasks/dependency-graph.js';
import type { DomainSpec } from '../../src/spec/domain.js';

test('a column that shares a table name is read as a column, and aliases resolve', () => {
  const spec: DomainSpec = {
    name: 'zoo',
    description: 'Pets and species.',
    clock: '2026-01-01T00:00:00Z',
    sequences: {},
    policy: '',
    seed: {},
    tables: [
      { name: 'species', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'label', type: 'text' }] },
      {
        name: 'pets',
        primaryKey: ['id'],
        columns: [
          { name: 'id', type: 'text' },
          { name: 'species', type: 'text' },
          { name: 'kind_id', type: 'text', references: 'species' },
        ],
      },
    ],
    tools: [
      {
        name: 'find_pets',
        kind: 'read',
        description: 'Find pets.',
        parameters: { type: 'object', properties: { species: { type: 'string' }, label: { type: 'string' } } },
        steps: [],
        output: { rows: 'SELECT p.id, species FROM pets AS p, species s WHERE species = :species AND s.label = :label AND s.id = p.kind_id' },
      },
      {
        name: 'list_pets',
        kind: 'read',
        description: 'List pets with their species.',
        parameters: { type: 'object', properties: {} },
        steps: [],
        output: { rows: 'SELECT id, species FROM pets' },
      },
      {
        name: 'get_species',
        kind: 'read',
        description: 'One species.',
        parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        steps: [],
        output: { row: 'SELECT * FROM species WHERE id = :id' },
      },
    ],
  };
  const domain = new Domain(spec);
  // list_pets only mentions a column called species: it touches pets, not the species table.
  expect([...tablesOf(domain, 'list_pets')]).toEqual(['pets']);
  expect(dependencyGraph(domain, paramSources(domain)).hasDirectedEdge('list_pets', 'get_species')).toBe(false);
  expect(dependencyGraph(domain, paramSources(domain)).hasDirectedEdge('find_pets', 'get_species')).toBe(true);
  const sources = paramSources(domain).get('find_pets')!;
  expect(sources.get('species')).toEqual({ table: 'pets', column: 'species', role: 'lookup' });
  expect(sources.get('label')).toEqual({ table: 'species', column: 'label', role: 'lookup' });
});
