import { expect, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import { replayGold } from '../../src/env/replay.js';
import { evaluateActions, missingStrings } from '../../src/record/reward.js';
import { passHatK, passHatKTable } from '../../src/record/pass-k.js';
import { Task, type TaskInput } from '../../src/spec/task.js';
import { tinySpec } from '../env/fixtures.js';

const tiny = new Domain(tinySpec());
const task = (input: Omit<TaskInput, 'user'> & { user?: TaskInput['user'] }): Task => {
  const t = Task.parse({ user: { instructions: 'test' }, ...input });
  t.gold.state_hash = replayGold(tiny, t).stateHash;
  return t;
};

const twoNotes = task({
  id: 'two-notes',
  gold: {
    actions: [
      { tool: 'add_note', args: { author_id: 'A1', body: 'alpha' } },
      { tool: 'delete_note', args: { note_id: 'N1' } },
    ],
  },
  communicate: ['N100'],
});
const said = [{ role: 'assistant', content: 'Done: your note is n100.' }];

test('a session that reaches the gold state and says what it must gets reward 1', () => {
  const v = evaluateActions(tiny, twoNotes, twoNotes.gold.actions, said);
  expect(v).toMatchObject({ reward: 1, held: { state: true, communicate: true, actions: true }, explanation: 'success' });
  // Write tasks do not require the exact calls by default: another order, same state.
  const reordered = [twoNotes.gold.actions[1], twoNotes.gold.actions[0]];
  expect(evaluateActions(tiny, twoNotes, reordered, said)).toMatchObject({ reward: 1, held: { actions: false } });
});

test('a session that differs by one row gets 0 and a row-level explanation', () => {
  const v = evaluateActions(tiny, twoNotes, [twoNotes.gold.actions[0], { tool: 'delete_note', args: { note_id: 'N100' } }, { tool: 'add_note', args: { author_id: 'A1', body: 'alpha' } }], said);
  expect(v.reward).toBe(0);
  expect(v.held.state).toBe(false);
  const note = (id: string, body: string, tags: string[], created_at: string) => ({ id, author_id: 'A1', body, tags, created_at });
  expect(v.diff).toEqual([
    {
      table: 'notes',
      // From gold to final: N1 was never deleted, and alpha came back as N101.
      added: [note('N1', 'First note', ['intro'], '2026-01-10T08:00:00Z'), note('N101', 'alpha', [], '2026-01-15T10:00:00Z')],
      removed: [note('N100', 'alpha', [], '2026-01-15T10:00:00Z')],
      changed: [],
    },
  ]);
  expect(v.explanation).toMatch(/^the final state differs from the gold state \(gold -> final\):\nnotes: 2 added, 1 removed, 0 changed/);
});

test('a session that differs only in the order rows were written matches', () => {
  const both = task({
    id: 'both',
    gold: {
      actions: [
        { tool: 'add_note', args: { author_id: 'A1', body: 'x' } },
        { tool: 'add_note', args: { author_id: 'A1', body: 'x' } },
      ],
    },
  });
  expect(evaluateActions(tiny, both, both.gold.actions, [])).toMatchObject({ reward: 1 });
});

test('forgetting to communicate a required string gets 0 and names it', () => {
  const v = evaluateActions(tiny, twoNotes, twoNotes.gold.actions, [{ role: 'assistant', content: 'All done.' }, { role: 'user', content: 'N100?' }]);
  expect(v).toMatchObject({ reward: 0, held: { state: true, communicate: false }, missing: ['N100'] });
  expect(v.explanation).toBe('the agent never said: "N100"');
  expect(missingStrings(['1000 items'], [{ role: 'assistant', content: 'You have 1,000 Items.' }])).toEqual([]);
});

test('read-only tasks require the exact calls by default; a task can turn parts off', () => {
  const lookup = task({ id: 'lookup', gold: { actions: [{ tool: 'find_author', args: { email: 'ada@example.org' } }] } });
  expect(evaluateActions(tiny, lookup, lookup.gold.actions)).toMatchObject({ reward: 1, counted: { actions: true } });
  const wandering = [{ tool: 'list_notes', args: { author_id: 'A1' } }, ...lookup.gold.actions];
  expect(evaluateActions(tiny, lookup, wandering)).toMatchObject({ reward: 0, explanation: 'the tool calls differ from the gold calls' });
  const lenient = { ...lookup, evaluation: { actions: false } };
  expect(evaluateActions(tiny, lenient, wandering)).toMatchObject({ reward: 1 });
});

test('pass^k follows tau-bench: C(c,k)/C(n,k) averaged over tasks', () => {
  const trials = new Map([
    ['a', [true, true, false, true]],
    ['b', [false, false, false, false]],
    ['c', [true, true, true, true]],
  ]);
  expect(passHatK(trials, 1)).toBeCloseTo((0.75 + 0 + 1) / 3);
  expect(passHatK(trials, 2)).toBeCloseTo((3 / 6 + 0 + 1) / 3);
  expect(passHatK(trials, 4)).toBeCloseTo((0 + 0 + 1) / 3);
  const table = passHatKTable([...trials].flatMap(([t, r]) => r.map((success) => ({ domain: 'tiny', task: t, success }))));
  expect(table).toMatch(/\| tiny +\| +3 \| 0\.583 +\| 0\.500 +\| 0\.417 +\| 0\.333 +\|/);
});
