import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import { loadDomain } from '../../src/env/load.js';
import { replayGold } from '../../src/env/replay.js';
import { checkTasks } from '../../src/tasks/check.js';
import { dependencyGraph } from '../../src/tasks/dependency-graph.js';
import { paramSources } from '../../src/tasks/param-sources.js';
import { synthesizeRuleBased } from '../../src/synth/rule-based.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import { Grounder } from '../../src/tasks/ground.js';
import { Random } from '../../src/tasks/random.js';
import type { DomainSpec } from '../../src/spec/domain.js';
import { reusedValues } from '../../src/tasks/links.js';
import { openingsPer100 } from '../../src/tasks/quality.js';
import { namedIdentifiers, templateArtifact } from '../../src/tasks/wording.js';

const projects = loadDomain(resolve(import.meta.dirname, '../../domains/projects'));

describe('parameter sources and the dependency graph', () => {
  test('parameters map to the columns the SQL compares them with or stores them in', () => {
    const sources = paramSources(projects);
    expect(sources.get('find_member_by_email')!.get('email')).toEqual({ table: 'members', column: 'email', role: 'lookup' });
    expect(sources.get('assign_task')!.get('member_id')).toEqual({ table: 'members', column: 'id', role: 'lookup' });
    expect(sources.get('create_task')!.get('title')).toEqual({ table: 'tasks', column: 'title', role: 'value' });
    // A stored foreign key is a lookup of the row it points at.
    expect(sources.get('create_task')!.get('project_id')).toEqual({ table: 'projects', column: 'id', role: 'lookup' });
    // Compared only with the owner's id a step read (:requested_by = :p__owner_id), the parameter
    // still names a member: member ids are the one kind of key its pattern (^M-[0-9]+$) fits.
    expect(sources.get('archive_project')!.get('requested_by')).toEqual({ table: 'members', column: 'id', role: 'lookup' });
  });

  test('an edge joins a tool that returns an entity to a tool that looks it up', () => {
    const graph = dependencyGraph(projects, paramSources(projects));
    expect(graph.hasDirectedEdge('find_member_by_email', 'assign_task')).toBe(true);
    expect(graph.getDirectedEdgeAttribute('find_member_by_email', 'assign_task', 'params')).toEqual(['member_id', 'requested_by']);
    expect(graph.hasDirectedEdge('list_tasks', 'update_task_status')).toBe(true);
    // Emails are unique, so a tool that reads members can feed the lookup by email...
    expect(graph.hasDirectedEdge('list_project_members', 'find_member_by_email')).toBe(true);
    // ...but a tool that only reads members cannot feed a lookup of projects.
    expect(graph.hasDirectedEdge('find_member_by_email', 'list_milestones')).toBe(false);
  });
});

describe('sampling', () => {
  const { tasks, report } = sampleTasks(projects, { n: 60, seed: 7, maxSteps: 4 });

  test('produces the tasks asked for, mixing lengths and read-only with write tasks', () => {
    expect(tasks).toHaveLength(60);
    expect(report.produced).toBe(60);
    expect(report.readOnly).toBeGreaterThan(0);
    // Changes and questions both: about two in three goals are changes, fewer when writes are refused often.
    expect(report.writes).toBeGreaterThanOrEqual(20);
    expect(Object.keys(report.byLength).length).toBeGreaterThan(2);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(60);
  });

  test('is deterministic by seed', () => {
    expect(sampleTasks(projects, { n: 60, seed: 7, maxSteps: 4 }).tasks).toEqual(tasks);
    expect(sampleTasks(projects, { n: 60, seed: 8, maxSteps: 4 }).tasks).not.toEqual(tasks);
  });

  test('every sampled task replays to its gold hash with every call succeeding, and writes change state', () => {
    const seedHash = projects.openSession().stateHash();
    for (const task of tasks) {
      const replay = replayGold(projects, task);
      expect(replay.results.every((r) => r.result.ok), task.id).toBe(true);
      expect(replay.stateHash, task.id).toBe(task.gold.state_hash);
      if (task.tags.includes('write')) expect(replay.stateHash).not.toBe(seedHash);
      else expect(replay.stateHash).toBe(seedHash);
    }
  });

  test('sampled tasks pass check-tasks, and read-only ones ask for something to be communicated', () => {
    expect(checkTasks(projects, tasks).filter((c) => c.problems.length > 0)).toEqual([]);
    const readOnly = tasks.filter((t) => t.tags.includes('read-only'));
    expect(readOnly.some((t) => t.communicate.length > 0)).toBe(true);
  });

  test('each task has one goal, its last call, and every earlier step builds on the ones before', () => {
    for (const task of tasks) {
      const { results } = replayGold(projects, task);
      const links = reusedValues(task.gold.actions, results.map((r) => (r.result.ok ? r.result.value : undefined)));
      expect(links.every(Boolean), task.id).toBe(true);
      // The lookups before the goal only read: the goal is the one change.
      const kinds = task.gold.actions.map((a) => projects.tools.get(a.tool)!.spec.kind);
      expect(kinds.slice(0, -1).every((k) => k === 'read'), task.id).toBe(true);
      expect(task.tags.includes('write')).toBe(kinds.at(-1) === 'write');
    }
    // Multi-step tasks are most of them: lookups lead to the goal.
    expect(tasks.filter((t) => t.gold.actions.length >= 3).length).toBeGreaterThan(tasks.length / 2);
  });

  test('instructions speak as the user: first person, a request with a reason, what they know after a blank line', () => {
    for (const task of tasks) {
      const text = task.user.instructions;
      expect(text, task.id).not.toMatch(/(^|[.!?]\s+)You\b/);
      expect(namedIdentifiers(projects, text), task.id).toEqual([]);
      expect(templateArtifact(text), task.id).toBeUndefined();
      expect(task.user.persona).toMatch(/^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+\. /u);
      expect(task.user.known['my name']).toBe(task.user.persona!.split('. ')[0]);
      // Ids a person would not have (member ids) stay with the agent: the user gives emails and titles.
      for (const value of Object.values(task.user.known)) expect(String(value), task.id).not.toMatch(/^M-\d+$/);
    }
    // Someone who identifies by email says it when asked: it is in the facts, not the opening request.
    const byEmail = tasks.find((t) => t.gold.actions[0].tool === 'find_member_by_email' && t.user.instructions.includes('\n\n'))!;
    const [request, facts] = byEmail.user.instructions.split('\n\n');
    expect(facts).toContain(byEmail.gold.actions[0].args.email as string);
    expect(request).not.toContain(byEmail.gold.actions[0].args.email as string);
  });

  test('read-only tasks ask a question whose answer the outputs hold, and the answer is what is communicated', () => {
    const readOnly = tasks.filter((t) => t.tags.includes('read-only'));
    expect(readOnly.length).toBeGreaterThan(5);
    for (const task of readOnly) {
      expect(task.communicate.length, task.id).toBeGreaterThan(0);
      const outputs = replayGold(projects, task).results.map((r) => r.result.text.toLowerCase()).join('\n');
      for (const c of task.communicate) expect(outputs, task.id).toContain(c.toLowerCase());
    }
  });

  test('openings vary: at least 30 distinct opening phrases in 100 tasks, the same ones for the same seed', () => {
    const hundred = sampleTasks(projects, { n: 100, seed: 21 }).tasks.map((t) => t.user.instructions);
    expect(openingsPer100(hundred)).toBeGreaterThanOrEqual(30);
    expect(sampleTasks(projects, { n: 100, seed: 21 }).tasks.map((t) => t.user.instructions)).toEqual(hundred);
  });
});

describe('arguments from the schema alone', () => {
  test('an object of optional fields is never empty, so an update asks for a change', () => {
    const tool = (name: string, description: string, properties: Record<string, unknown>, required: string[]) => ({
      name,
      description,
      parameters: { type: 'object' as const, properties: properties as Record<string, Record<string, unknown>>, required },
      source: 'test',
    });
    const updates = { type: 'object', properties: { title: { type: 'string' }, priority: { type: 'integer' }, status: { type: 'string', enum: ['open', 'closed'] } } };
    const tools = [
      tool('get_ticket', 'Get a ticket.', { ticket_id: { type: 'integer' } }, ['ticket_id']),
      tool('edit_ticket', 'Modify the details of an existing ticket.', { ticket_id: { type: 'integer' }, updates }, ['ticket_id', 'updates']),
    ];
    const domain = new Domain(synthesizeRuleBased({ name: 'tickets', terms: [], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools, 1));
    try {
      const edits = sampleTasks(domain, { n: 10, seed: 3, maxSteps: 2 }).tasks.flatMap((t) => t.gold.actions.filter((a) => a.tool === 'edit_ticket'));
      expect(edits.length).toBeGreaterThan(0);
      for (const edit of edits) expect(Object.keys(edit.args.updates as object).length).toBeGreaterThan(0);
    } finally {
      domain.close();
    }
  });
});

describe('where the walks go', () => {
  /** Items with numeric keys 1..8, a create that takes the new key, and a write that never succeeds. */
  const spec = (): DomainSpec => ({
    name: 'items',
    description: 'Items.',
    clock: '2026-01-01T00:00:00Z',
    sequences: {},
    policy: '',
    seed: { items: Array.from({ length: 8 }, (_, i) => ({ id: i + 1, name: `Item ${i + 1}` })) },
    tables: [{ name: 'items', primaryKey: ['id'], columns: [{ name: 'id', type: 'integer' }, { name: 'name', type: 'text' }] }],
    tools: [
      {
        name: 'add_item',
        kind: 'write',
        description: 'Add an item under a key of your choosing.',
        parameters: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } }, required: ['id', 'name'] },
        steps: [
          { check: 'SELECT :id NOT IN (SELECT id FROM items)', error: 'Error: item {id} already exists.' },
          { run: 'INSERT INTO items (id, name) VALUES (:id, :name)', expect: 'any' },
        ],
        output: { row: 'SELECT * FROM items WHERE id = :id' },
      },
      {
        name: 'freeze_item',
        kind: 'write',
        description: 'Freeze an item.',
        parameters: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        steps: [{ check: 'SELECT 0', error: 'Error: items cannot be frozen.' }],
      },
    ],
  });

  test('a new row gets a key no row has yet, so creating it succeeds', () => {
    const domain = new Domain(spec());
    try {
      const rng = new Random(4);
      const grounder = new Grounder(domain, paramSources(domain), rng);
      const session = domain.openSession();
      for (let i = 0; i < 20; i++) {
        const { args } = grounder.ground(session, 'add_item', []);
        expect(args.id as number).toBeGreaterThan(8);
        expect(session.rewindAfter(() => session.call('add_item', args)).ok).toBe(true);
      }
    } finally {
      domain.close();
    }
  });

  test('a goal tool that only ever fails is given up after a few walks, and a domain of such tools stops early', () => {
    const domain = new Domain(spec());
    try {
      const { report } = sampleTasks(domain, { n: 20, seed: 5, maxSteps: 2 });
      expect(report.produced).toBeGreaterThan(0);
      expect(report.abandoned['no successful call of freeze_item in 8 tries']).toBeLessThanOrEqual(6);
    } finally {
      domain.close();
    }
    const hopeless = spec();
    hopeless.tools = hopeless.tools.filter((t) => t.name === 'freeze_item');
    const only = new Domain(hopeless);
    try {
      const { report } = sampleTasks(only, { n: 20, seed: 5 });
      expect(report.produced).toBe(0);
      // Without giving up, all 900 walks of the budget would go to it.
      expect(report.walks).toBeLessThanOrEqual(6);
    } finally {
      only.close();
    }
  });

  test('a goal call already sampled is passed over for new arguments instead of being rebuilt', () => {
    const { tasks, report } = sampleTasks(projects, { n: 60, seed: 7, maxSteps: 4 });
    const goals = tasks.map((t) => JSON.stringify(t.gold.actions.at(-1)));
    expect(new Set(goals).size).toBe(goals.length);
    expect(report.produced).toBe(60);
  });
});
