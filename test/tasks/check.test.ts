import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { checkTasks } from '../../src/tasks/check.js';
import type { Task } from '../../src/spec/task.js';

const projectsDir = resolve(import.meta.dirname, '../../domains/projects');
const projects = loadDomain(projectsDir);
const curated = readTasks(projectsDir);

const variant = (change: (t: Task) => void, id = 'projects-003-close-navigation'): Task => {
  const t = structuredClone(curated.find((x) => x.id === id)!);
  change(t);
  return t;
};

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
  expect(f.problems.join('\n')).toMatch(/gold action \d \(\w+\) fails: Error: no task with id T-9999/);
  expect(f.problems).toContain('its stored gold state hash does not reproduce');
  expect(s.problems).toEqual(['its stored gold state hash does not reproduce']);
  expect(u.problems).toContain(`gold action ${unknownTool.gold.actions.length} (teleport) names a tool the domain does not have`);
  expect(x.problems.join('\n')).toMatch(/needs comment_id "C-\d+", which the user does not know and no earlier call returns/);
});

test('a task whose initial statements break the rules is reported, not thrown', () => {
  const t = variant((t) => (t.initial = [{ sql: 'DROP TABLE tasks', params: {} }]));
  expect(checkTasks(projects, [t])[0].problems[0]).toMatch(/^its initial state cannot be set: .*must start with one of INSERT/);
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
    communicate: [],
    evaluation: {},
    tags: [],
  });
  // The gold actions never look the member up: the email -> member read is what makes the id findable.
  const [byEmail] = checkTasks(projects, [workload({ email: 'dana.ortiz@brightforge.io' })]);
  expect(byEmail.problems).toEqual(['it has no gold state hash']);
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
