import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import { loadDomain, readTasks } from '../../src/env/load.js';
import type { DomainSpec } from '../../src/spec/domain.js';
import { BUNDLE_TAG, checkTasks, type TaskCheck } from '../../src/tasks/check.js';
import type { Task } from '../../src/spec/task.js';

const projectsDir = resolve(import.meta.dirname, '../../domains/projects');
const projects = loadDomain(projectsDir);
const curated = readTasks(projectsDir);

const variant = (change: (t: Task) => void, id = 'projects-003-close-navigation'): Task => {
  const t = structuredClone(curated.find((x) => x.id === id)!);
  change(t);
  return t;
};

const codes = (t: Task) => checkTasks(projects, [t])[0].problems.map((p) => p.code);

test('the curated tasks pass', () => {
  expect(checkTasks(projects, curated).flatMap((c) => c.problems)).toEqual([]);
});

test('a failing gold action, a stale hash, an unknown tool and an identifier nobody knows are each reported', () => {
  const failing = variant((t) => (t.gold.actions[t.gold.actions.length - 1].args.task_id = 'T-9999'));
  const stale = variant((t) => (t.gold.state_hash = '0'.repeat(64)));
  const unknownTool = variant((t) => t.gold.actions.push({ tool: 'teleport', args: {} }));
  const secret = variant((t) => {
    // Drop every read so the comment id is never seen (no tool lists comments without a task id).
    t.gold.actions = t.gold.actions.filter((a) => projects.tools.get(a.tool)!.spec.kind === 'write');
    t.user.known = {};
    t.user.instructions = 'You want a comment replaced.';
  }, 'projects-010-replace-comment');
  const [f, s, u, x] = checkTasks(projects, [failing, stale, unknownTool, secret]);
  const text = (c: TaskCheck) => c.problems.map((p) => `${p.code}: ${p.message}`).join('\n');
  expect(text(f)).toMatch(/action-fails: gold action \d \(\w+\) fails: Error: no task with id T-9999/);
  expect(text(f)).toContain('stale-gold-hash: its stored gold state hash does not reproduce');
  expect(s.problems).toEqual([{ code: 'stale-gold-hash', message: 'its stored gold state hash does not reproduce' }]);
  expect(text(u)).toContain(`unknown-tool: gold action ${unknownTool.gold.actions.length} (teleport) names a tool the domain does not have`);
  expect(text(x)).toMatch(/unknown-identifier: gold action \d \(\w+\) needs comment_id "C-\d+", which the user does not know and no earlier call returns/);
});

test('a task whose initial statements break the rules is reported, not thrown', () => {
  const t = variant((t) => (t.initial = [{ sql: 'DROP TABLE tasks', params: {} }]));
  const [problem] = checkTasks(projects, [t])[0].problems;
  expect(problem.code).toBe('initial-state');
  expect(problem.message).toMatch(/^its initial state cannot be set: .*must start with one of INSERT/);
});

describe('what the lint asks of a task beyond replaying', () => {
  test('steps that do not build on each other are reported, unless the task says it bundles them', () => {
    // Aisha closes her task, then someone else's workload is looked up: nothing links the two.
    const stray = variant((t) => t.gold.actions.push({ tool: 'get_member_workload', args: { member_id: 'M-019' } }));
    expect(codes(stray)).toEqual(['unlinked-step']);
    expect(checkTasks(projects, [stray])[0].problems[0].message).toBe(
      `gold action ${stray.gold.actions.length} (get_member_workload) uses nothing an earlier step used or returned, nor a row linked to one: it does not build on the steps before it`,
    );
    expect(codes({ ...stray, tags: [...stray.tags, BUNDLE_TAG] })).toEqual([]);
    // A colleague looked up by email is linked through the project both work on (a membership row).
    expect(codes(curated.find((t) => t.id === 'projects-005-assign-screenshots')!)).toEqual([]);
  });

  test('instructions that spell out a tool or a parameter, copy a description or keep template leftovers are reported', () => {
    expect(codes(variant((t) => (t.user.instructions += ' Use update_task_status.')))).toEqual(['names-tool-or-parameter']);
    expect(codes(variant((t) => (t.user.instructions += ' The requested_by is me.')))).toEqual(['names-tool-or-parameter']);
    expect(codes(variant((t) => (t.user.instructions += ' Please find member by email first.')))).toEqual(['names-tool-or-parameter']);
    // "email" and "status" are words people use: only identifier-shaped names count.
    expect(codes(variant((t) => (t.user.instructions += ' My email is on file and the status should be done.')))).toEqual([]);
    const description = projects.tools.get('archive_project')!.spec.description.split(' ').slice(0, 10).join(' ');
    expect(codes(variant((t) => (t.user.instructions += ` ${description}.`)))).toEqual(['copies-tool-description']);
    expect(codes(variant((t) => (t.user.instructions += ' (task {"id": 1})')))).toEqual(['template-artifact']);
    expect(codes(variant((t) => (t.user.instructions = `You want to first close it (using what was found before).`)))).toEqual(['template-artifact']);
  });

  test('a lookup that fails and is made again another way is a recovered attempt; one never recovered is reported', () => {
    const dana = curated.find((t) => t.id === 'projects-001-dana-workload')!;
    // The user first gives an email they no longer use.
    const wrongFirst = { ...dana, user: { ...dana.user, instructions: `${dana.user.instructions} Try dana@old-job.example first.` }, gold: { ...dana.gold, actions: [{ tool: 'find_member_by_email', args: { email: 'dana@old-job.example' } }, ...dana.gold.actions] } };
    expect(codes(wrongFirst)).toEqual([]);
    const never = { ...wrongFirst, gold: { ...dana.gold, actions: [...dana.gold.actions, { tool: 'find_member_by_email', args: { email: 'dana@old-job.example' } }] } };
    expect(codes(never)).toEqual(['unlinked-step', 'action-fails']);
  });

  test('words doubled for emphasis are not template leftovers; doubled function words are', () => {
    expect(codes(variant((t) => (t.user.instructions += ' I really really need this today.')))).toEqual([]);
    expect(codes(variant((t) => (t.user.instructions += ' Put it on the with with list.')))).toEqual(['template-artifact']);
  });

  test('a read-only task must ask something its outputs answer', () => {
    const readOnly = curated.find((t) => t.id === 'projects-001-dana-workload')!;
    expect(codes({ ...readOnly, communicate: ['Nowhere to be found'] })).toEqual(['answer-not-in-outputs']);
    expect(codes({ ...readOnly, communicate: [] })).toEqual(['no-answer']);
  });

  test('a task that writes but leaves the state as it was is reported', () => {
    const spec: DomainSpec = {
      name: 'notes',
      description: 'Notes.',
      clock: '2026-01-01T00:00:00Z',
      sequences: {},
      policy: '',
      seed: { notes: [{ id: 'N-100', text: 'Buy milk' }] },
      tables: [{ name: 'notes', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'text', type: 'text' }] }],
      tools: [
        {
          name: 'set_note',
          kind: 'write',
          description: 'Set the text of a note.',
          parameters: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' } }, required: ['id', 'text'] },
          steps: [{ run: 'UPDATE notes SET text = :text WHERE id = :id', expect: 'any' }],
          output: { row: 'SELECT * FROM notes WHERE id = :id' },
        },
      ],
    };
    const notes = new Domain(spec);
    try {
      const hash = notes.openSession().stateHash();
      const task = (text: string): Task => ({
        id: text,
        user: { instructions: 'I would like my note "N-100" to read as I say.', known: { 'the note number': 'N-100' } },
        initial: [],
        gold: { actions: [{ tool: 'set_note', args: { id: 'N-100', text } }], state_hash: hash },
        communicate: [],
        evaluation: {},
        tags: [],
      });
      expect(checkTasks(notes, [task('Buy milk')])[0].problems.map((p) => p.code)).toEqual(['writes-change-nothing']);
      expect(checkTasks(notes, [task('Buy bread')])[0].problems.map((p) => p.code)).toEqual(['stale-gold-hash']);
    } finally {
      notes.close();
    }
  });
});

test('an identifier reached through a chain of reads from what the user knows is findable', () => {
  const found = projects.openSession().call('find_member_by_email', { email: 'dana.ortiz@brightforge.io' });
  const id = found.ok ? (found.value as { id: string }).id : '';
  expect(id).toMatch(/^M-/);
  const workload = (known: Record<string, unknown>): Task => ({
    id: 'chain',
    user: { instructions: 'You want to know your workload.', known },
    initial: [],
    gold: { actions: [{ tool: 'get_member_workload', args: { member_id: id } }] },
    communicate: ['3'],
    evaluation: {},
    tags: [],
  });
  // The gold actions never look the member up: the email -> member read is what makes the id findable.
  const [byEmail] = checkTasks(projects, [workload({ email: 'dana.ortiz@brightforge.io' })]);
  expect(byEmail.problems.map((p) => p.code)).toEqual(['no-gold-hash']);
});

test('findableTexts follows reads from what is known, and finds nothing from nothing', async () => {
  const { findableTexts } = await import('../../src/tasks/findable.js');
  const { paramSources } = await import('../../src/tasks/param-sources.js');
  const session = projects.openSession();
  const sources = paramSources(projects);
  const fromEmail = findableTexts(session, sources, ['I am dana.ortiz@brightforge.io']);
  // email -> member (round 1) -> workload and projects of that member (round 2).
  expect(fromEmail.length).toBeGreaterThan(2);
  expect(fromEmail.slice(1).join('\n')).toMatch(/"id":"M-\d+"/);
  expect(findableTexts(session, sources, ['nothing useful'])).toEqual(['nothing useful']);
});

test('tasks checked in one batch do not see each other’s writes', () => {
  const writes = curated.filter((t) => t.gold.actions.some((a) => projects.tools.get(a.tool)!.spec.kind === 'write'));
  expect(writes.length).toBeGreaterThan(1);
  // The same write twice in a row: the second would find the first's change (a stale hash, a failing call) if the state leaked.
  const twice = [writes[0], writes[1], writes[0], { ...writes[1], id: 'again' }];
  expect(checkTasks(projects, twice).flatMap((c) => c.problems)).toEqual([]);
});
