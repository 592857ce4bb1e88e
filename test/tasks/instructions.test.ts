import { resolve } from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import type { DomainSpec } from '../../src/spec/domain.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import { loadDomain } from '../../src/env/load.js';
import { entityOf, nameVerb, toolIntent } from '../../src/tasks/intent.js';
import { openingPhrase, openingsPer100 } from '../../src/tasks/quality.js';
import { fieldWords, sayAddress, sayDate, sayValue } from '../../src/tasks/say.js';
import { copiesDescription, namedIdentifiers, templateArtifact } from '../../src/tasks/wording.js';

const projects = loadDomain(resolve(import.meta.dirname, '../../domains/projects'));

describe('names and values as a person says them', () => {
  it('reads field and parameter names as words', () => {
    expect(fieldWords('due_date')).toBe('due date');
    expect(fieldWords('customerId')).toBe('customer');
    expect(fieldWords('is_active')).toBe('active');
    expect(fieldWords('updated_at')).toBe('date of the last update');
    expect(fieldWords('address1')).toBe('address 1');
    expect(fieldWords('start_lat')).toBe('start latitude');
  });

  it('says dates in words, amounts with their currency, enum tokens as words, lists read out', () => {
    expect(sayDate('2026-05-08')).toBe('May 8, 2026');
    expect(sayDate('2026-05-08T14:30:00Z')).toBe('May 8, 2026 at 2:30 PM UTC');
    expect(sayDate('2026-13-40')).toBeUndefined();
    expect(sayValue('due_date', '2026-05-08')).toBe('May 8, 2026');
    expect(sayValue('status', 'in_review')).toBe('in review');
    expect(sayValue('amount', 12.5, 'usd')).toBe('$12.50');
    expect(sayValue('price', 30, 'CAD')).toBe('30.00 CAD');
    expect(sayValue('tags', ['red', 'blue', 'green'])).toBe('red, blue and green');
    expect(sayValue('title', 'Fix the login page')).toBe('"Fix the login page"');
    expect(sayValue('email', 'dana@example.com')).toBe('dana@example.com');
    expect(sayValue('note', '')).toBe('empty');
    expect(sayAddress([{ field: 'city', value: 'Lyon' }, { field: 'address1', value: '12 Rue Neuve' }, { field: 'zip', value: '69001' }])).toBe('12 Rue Neuve, Lyon, 69001');
  });
});

describe('what a tool does, from its SQL and the verb of its name', () => {
  it('finds the verb of a name wherever it is', () => {
    expect(nameVerb('modify_pending_order_address')).toBe('modify');
    expect(nameVerb('put_consumer_v1_appointments_by_id_cancel')).toBe('cancel');
    expect(nameVerb('ticket_login')).toBe('login');
    expect(nameVerb('signOut')).toBe('logout');
    expect(nameVerb('get_user_profile')).toBeUndefined();
  });

  it('reads the kind, the table and the fixed values of a write, and the outer table of a read', () => {
    expect(toolIntent(projects, 'update_task_status')).toMatchObject({ kind: 'update', table: 'tasks', entity: 'task' });
    expect(toolIntent(projects, 'create_task')).toMatchObject({ kind: 'create', table: 'tasks' });
    expect(toolIntent(projects, 'delete_comment')).toMatchObject({ kind: 'delete', table: 'comments', entity: 'comment' });
    expect(toolIntent(projects, 'archive_project')).toMatchObject({ kind: 'update', verb: 'archive', fixed: { status: 'archived' } });
    // list_milestones counts tasks in a subquery: it is still a read of milestones.
    expect(toolIntent(projects, 'list_milestones')).toMatchObject({ kind: 'read', table: 'milestones', entity: 'milestone' });
    expect(toolIntent(projects, 'find_member_by_email')).toMatchObject({ kind: 'read', table: 'members' });
  });
});

describe('what an instruction must not hold', () => {
  it('names of tools and parameters as the tools spell them, tool names in words, descriptions, leftovers', () => {
    expect(namedIdentifiers(projects, 'Please call get_member_workload for me.')).toEqual(['get_member_workload']);
    expect(namedIdentifiers(projects, 'Set REQUESTED_BY to me.')).toEqual(['requested_by']);
    expect(namedIdentifiers(projects, 'Could you find member by email?')).toEqual(['find member by email']);
    expect(namedIdentifiers(projects, 'My email is dana@example.com; the status should be done.')).toEqual([]);
    expect(copiesDescription(projects, 'Well: Look up a workspace member by email address. Use it first to identify the user.')).toBe(true);
    expect(copiesDescription(projects, 'Could you look up my colleague by her email address?')).toBe(false);
    expect(templateArtifact('close it (using what was found before)')).toBe('using what was found before');
    expect(templateArtifact('set it to {"a": 1}')).toBe('{');
    expect(templateArtifact('the the task')).toBe('the the');
    expect(templateArtifact('Please close my task "Ship it".')).toBeUndefined();
  });
});

describe('opening phrases', () => {
  it('are the first three words, with names, numbers and quotes masked', () => {
    expect(openingPhrase('Hi, I\'m Dana Ortiz. Please close it.')).toBe("hi i'm X");
    expect(openingPhrase('"Beta release" is late, so I need it moved.')).toBe('"…" is late');
    expect(openingPhrase('Order #W1234 never came.')).toBe('order # never');
    expect(openingsPer100(['Hi, I am Ann.', 'Hi, I am Bob.', 'Hello there, it is me.'])).toBeCloseTo(200 / 3);
  });
});

test('field and table names ending in a preposition, and entities that spell a tool name, say no tool and leave no doubled words', () => {
  expect(fieldWords('type_of')).toBe('type');
  expect(fieldWords('associated_with')).toBe('associated');
  expect(entityOf('withs')).toBe('item');
  expect(entityOf('project_members')).toBe('project member');
  const spec: DomainSpec = {
    name: 'chat',
    description: 'Chat.',
    clock: '2026-01-01T00:00:00Z',
    sequences: {},
    policy: '',
    seed: { chat_post_messages: [{ id: 1, channel: 'general' }] },
    tables: [{ name: 'chat_post_messages', primaryKey: ['id'], columns: [{ name: 'id', type: 'integer' }, { name: 'channel', type: 'text' }] }],
    tools: [
      {
        name: 'chat_postMessage',
        kind: 'write',
        description: 'Post a message.',
        parameters: { type: 'object', properties: { channel: { type: 'string' } }, required: ['channel'] },
        steps: [{ run: 'INSERT INTO chat_post_messages (channel) VALUES (:channel)', expect: 'any' }],
      },
    ],
  };
  const chat = new Domain(spec);
  try {
    expect(toolIntent(chat, 'chat_postMessage').entity).toBe('message');
    const { tasks } = sampleTasks(chat, { n: 5, seed: 1 });
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks) expect(namedIdentifiers(chat, t.user.instructions), t.user.instructions).toEqual([]);
  } finally {
    chat.close();
  }
});
