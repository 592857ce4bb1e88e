import { afterAll, describe, expect, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import type { DomainSpec } from '../../src/spec/domain.js';
import type { Task } from '../../src/spec/task.js';
import { argRole } from '../../src/tasks/arg-role.js';
import { checkTasks } from '../../src/tasks/check.js';
import { describedAction, oddEntity } from '../../src/tasks/intent.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import { isCodeField, isTitleField, titleLike } from '../../src/tasks/value-kind.js';

describe('what an argument is to the person asking', () => {
  test('credentials, from their name, format or description', () => {
    expect(argRole('authtoken', { type: 'string', description: 'API OAuth token.' })).toBe('credential');
    expect(argRole('apiKey', { type: 'string' })).toBe('credential');
    expect(argRole('client_secret')).toBe('credential');
    expect(argRole('pin_code', { type: 'string', format: 'password' })).toBe('credential');
    expect(argRole('key', { type: 'string', description: 'Your API key, used to authenticate.' })).toBe('credential');
    // An issue key or a plain token count is data.
    expect(argRole('key', { type: 'string', description: 'The issue key, such as PROJ-12.' })).toBe('content');
    expect(argRole('token_count', { type: 'integer' })).toBe('content');
  });

  test('paging, sorting, field selection and formats, from their name, enum or description', () => {
    expect(argRole('per_page', { type: 'integer' })).toBe('control');
    expect(argRole('pageSize', { type: 'integer' })).toBe('control');
    expect(argRole('sort_by')).toBe('control');
    expect(argRole('$select')).toBe('control');
    expect(argRole('n', { type: 'integer', description: 'Maximum number of results to return.' })).toBe('control');
    expect(argRole('out', { type: 'string', enum: ['json', 'xml'] })).toBe('control');
    // Asked of a write, a format is what the user wants (export as PDF).
    expect(argRole('format', { type: 'string', enum: ['pdf', 'csv'] }, false)).toBe('content');
    expect(argRole('order_number')).toBe('content');
    expect(argRole('page', { type: 'object' })).toBe('content');
    expect(argRole('title')).toBe('content');
  });

  test('value kinds: titles, codes, and text that reads as a made-up title', () => {
    expect(isTitleField('display_name')).toBe(true);
    expect(isCodeField('reward_type')).toBe(true);
    expect(isCodeField('name')).toBe(false);
    expect(titleLike('Onboarding proposal')).toBe(true);
    expect(titleLike('premium')).toBe(false);
    expect(titleLike('Website Relaunch 2')).toBe(false);
  });

  test('the action a description names, and entities named after it', () => {
    expect(describedAction('resendPanelistInvitation', 'Resend the panelist invitation email.')).toEqual({ verb: 'resend', object: 'the panelist invitation email' });
    expect(describedAction('add', 'This tool belongs to the Math API. Tool description: Add two numbers.')).toEqual({ verb: 'add', object: 'two numbers' });
    expect(describedAction('put_me_followings_by_user_id', 'Follows a user.')).toEqual({ verb: 'follow', object: 'a user' });
    expect(describedAction('get_stats', 'Statistics of the account.')).toBeUndefined();
    expect(oddEntity('resend invitation', 'resend_invitation', 'Resends the invitation.', 'create')).toBe(true);
    expect(oddEntity('created panelist', 'createPanelists', 'Create panelists for a webinar.', 'create')).toBe(true);
    expect(oddEntity('math', 'add', 'This tool belongs to the Math API. Tool description: Add two numbers.', 'create')).toBe(true);
    expect(oddEntity('task', 'create_task', 'Create a task in a project.', 'create')).toBe(false);
    // A noun that is also a verb is the thing, not the action.
    expect(oddEntity('order', 'get_order_details', 'Get the status and details of an order.', 'read')).toBe(false);
  });
});

/** Webinars with an OAuth token, a paged list, and an action that logs to a table named after it. */
const spec: DomainSpec = {
  name: 'webinars',
  description: 'Webinars.',
  clock: '2026-01-01T00:00:00Z',
  sequences: {},
  policy: '',
  seed: {
    webinars: [
      { id: 'W-1', name: 'Spring launch', type: 'single', authtoken: 'tok_5b1e2a', kind: 'Candid swath' },
      { id: 'W-2', name: 'Hiring day', type: 'series', authtoken: 'tok_5b1e2a', kind: 'Quiet harbor' },
    ],
    resend_invitations: [],
  },
  tables: [
    { name: 'webinars', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'name', type: 'text' }, { name: 'type', type: 'text' }, { name: 'authtoken', type: 'text' }, { name: 'kind', type: 'text' }] },
    { name: 'resend_invitations', primaryKey: ['id'], columns: [{ name: 'id', type: 'integer' }, { name: 'webinar_id', type: 'text', references: 'webinars.id' }] },
  ],
  tools: [
    {
      name: 'create_webinar',
      kind: 'write',
      description: 'Creates a webinar.',
      parameters: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' }, authtoken: { type: 'string', description: 'API OAuth token.' } },
        required: ['id', 'name', 'type', 'authtoken'],
      },
      steps: [{ run: 'INSERT INTO webinars (id, name, type, authtoken) VALUES (:id, :name, :type, :authtoken)', expect: 'any' }],
      output: { row: 'SELECT * FROM webinars WHERE id = :id' },
    },
    {
      name: 'list_webinars',
      kind: 'read',
      description: 'Lists webinars.',
      parameters: { type: 'object', properties: { per_page: { type: 'integer', minimum: 1, maximum: 50 } }, required: ['per_page'] },
      steps: [],
      output: { rows: 'SELECT * FROM webinars ORDER BY id LIMIT :per_page' },
    },
    {
      name: 'find_webinars_by_kind',
      kind: 'read',
      description: 'Finds webinars of a kind.',
      parameters: { type: 'object', properties: { kind: { type: 'string' } }, required: ['kind'] },
      steps: [],
      output: { rows: 'SELECT id, name, type FROM webinars WHERE kind = :kind' },
    },
    {
      name: 'transfer_to_human_agents',
      kind: 'read',
      description: 'Hand the conversation over to a person.',
      parameters: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
      steps: [],
      output: { row: "SELECT 'Transfer successful' AS result" },
    },
    {
      name: 'resend_invitation',
      kind: 'write',
      description: 'Resends the invitation email to the panelists of a webinar.',
      parameters: { type: 'object', properties: { webinar_id: { type: 'string' } }, required: ['webinar_id'] },
      steps: [{ run: 'INSERT INTO resend_invitations (webinar_id) VALUES (:webinar_id)', expect: 'any' }],
      output: { row: 'SELECT * FROM resend_invitations WHERE id = last_insert_rowid()' },
    },
  ],
};
const webinars = new Domain(spec);
afterAll(() => webinars.close());

const task = (instructions: string, actions: Task['gold']['actions']): Task => ({
  id: instructions.slice(0, 20),
  user: { instructions, known: { 'the webinar number': 'W-1' } },
  initial: [],
  gold: { actions },
  communicate: [],
  evaluation: {},
  tags: [],
});
const codes = (t: Task) =>
  checkTasks(webinars, [t])[0]
    .problems.map((p) => p.code)
    .filter((c) => c !== 'no-gold-hash' && c !== 'no-answer');

describe('the lint of how a goal is worded', () => {
  const create = (type: string, authtoken = 'tok_9c1f') => [{ tool: 'create_webinar', args: { id: 'W-3', name: 'Quarterly review', type, authtoken } }];

  test('a made-up title in a field for a type, a code or a token is a value-kind mismatch', () => {
    expect(codes(task('Please add a webinar called "Quarterly review" of the type "Onboarding proposal".', create('Onboarding proposal')))).toEqual(['value-kind-mismatch']);
    expect(codes(task('Please add a webinar called "Quarterly review" of the type series.', create('series')))).toEqual([]);
    // The title in a title field is what it should be.
    expect(codes(task('Please add a webinar called "Quarterly review" of the type series.\n\nMy auth token is tok_9c1f.', create('series')))).toEqual([]);
  });

  test('a credential in the request, or a control argument anywhere, is reported; a credential told as a fact is not', () => {
    expect(codes(task('Please add a webinar called "Quarterly review" of the type series with the authtoken tok_9c1f.', create('series')))).toEqual(['credential-or-control-in-request']);
    const list = [{ tool: 'list_webinars', args: { per_page: 25 } }];
    expect(codes(task('What webinars are there? Show them with per page 25.', list))).toEqual(['credential-or-control-in-request']);
    expect(codes(task('What webinars are there?', list))).toEqual([]);
  });

  test('a read-only task that ends in a handover asks nothing to be told; one that does not must', () => {
    const handover = [{ tool: 'list_webinars', args: { per_page: 25 } }, { tool: 'transfer_to_human_agents', args: { summary: 'Wants a refund we cannot give.' } }];
    const check = (actions: Task['gold']['actions']) => checkTasks(webinars, [task('I want a refund for the webinar.', actions)])[0].problems.map((p) => p.code);
    expect(check(handover)).toEqual(['no-gold-hash']);
    expect(check(handover.slice(0, 1))).toEqual(['no-gold-hash', 'no-answer']);
  });

  test('a thing named after the action is an odd entity; the action said with its verb is not', () => {
    const resend = [{ tool: 'resend_invitation', args: { webinar_id: 'W-1' } }];
    expect(codes(task('Could you create a new resend invitation for webinar W-1?', resend))).toEqual(['odd-entity-phrase']);
    expect(codes(task('Could you resend the invitation email for webinar W-1?', resend))).toEqual([]);
  });

  test('sampled goals keep credentials out of the request, say actions with their verb and pass the whole lint', () => {
    const { tasks, report } = sampleTasks(webinars, { n: 30, seed: 3 });
    // Webinar kinds are seeded as made-up titles: a question by kind would give one where a code belongs, and is not kept.
    expect(report.abandoned['worded as no user would (value-kind-mismatch)']).toBeGreaterThan(0);
    expect(tasks.filter((t) => /Candid swath|Quiet harbor/.test(t.user.instructions))).toEqual([]);
    expect(tasks.length).toBeGreaterThan(5);
    expect(checkTasks(webinars, tasks).flatMap((c) => c.problems)).toEqual([]);
    const requests = tasks.map((t) => t.user.instructions.split('\n\n')[0]);
    expect(requests.filter((r) => /tok_/.test(r))).toEqual([]);
    expect(requests.filter((r) => /per page|resend invitation/.test(r))).toEqual([]);
    // The action is asked for as what it is, and new webinars take a type the domain uses.
    expect(requests.some((r) => /resend the invitation email/.test(r))).toBe(true);
    const created = tasks.flatMap((t) => t.gold.actions).filter((a) => a.tool === 'create_webinar');
    expect(created.length).toBeGreaterThan(0);
    for (const a of created) expect(['single', 'series']).toContain(a.args.type);
  });
});
