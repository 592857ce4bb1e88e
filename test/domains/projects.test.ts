import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { openTaskSession, replayGold } from '../../src/env/replay.js';
import type { Session } from '../../src/env/session.js';

const DIR = fileURLToPath(new URL('../../domains/projects', import.meta.url));
const domain = loadDomain(DIR);
const tasks = readTasks(DIR);
const seedHash = domain.openSession().stateHash();

type Args = Record<string, unknown>;
const fresh = (): Session => domain.openSession();

/** Call a tool that must fail; the failure must name the reason and leave the state untouched. */
function expectRefused(s: Session, tool: string, args: Args, message: RegExp): void {
  const before = s.stateHash();
  const r = s.call(tool, args);
  expect(r.ok, `${tool} ${JSON.stringify(args)} should fail`).toBe(false);
  if (!r.ok) {
    expect(r.internal).toBeUndefined();
    expect(r.error).toMatch(message);
  }
  expect(s.stateHash()).toBe(before);
}

function expectOk(s: Session, tool: string, args: Args): unknown {
  const r = s.call(tool, args);
  expect(r.ok, `${tool} ${JSON.stringify(args)}: ${r.ok ? '' : r.error}`).toBe(true);
  return r.ok ? r.value : undefined;
}

describe('projects domain: shape', () => {
  it('loads with enough tools, writes, a delete tool, seed rows and tasks', () => {
    const tools = [...domain.tools.values()];
    expect(tools.length).toBeGreaterThanOrEqual(12);
    expect(tools.filter((t) => t.spec.kind === 'write').length).toBeGreaterThanOrEqual(5);
    expect(tools.filter((t) => t.deletes).map((t) => t.spec.name).sort()).toEqual(['delete_comment', 'remove_project_member']);
    const rows = Object.values(domain.spec.seed).reduce((n, r) => n + r.length, 0);
    expect(rows).toBeGreaterThanOrEqual(200);
    expect(domain.spec.policy).toMatch(/Confirm before every write/);
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    expect(tasks.some((t) => t.initial.length > 0)).toBe(true);
  });

  it('every tool has an agent-facing description and closed parameters', () => {
    for (const t of domain.tools.values()) {
      expect(t.spec.description.length, t.spec.name).toBeGreaterThan(80);
      expect(t.spec.parameters.additionalProperties, t.spec.name).toBe(false);
    }
  });

  it('seed data obeys the rules the tools enforce', () => {
    const db = fresh().reader;
    const open = "('todo', 'in_progress', 'in_review')";
    // Nobody is over capacity in the seed, so capacity refusals in tasks come from the data, not from bad seed.
    const over = db.prepare(`SELECT m.id FROM members m WHERE m.capacity < (SELECT count(*) FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.assignee_id = m.id AND t.status IN ${open} AND p.status <> 'archived')`).all();
    expect(over).toEqual([]);
    const badAssignee = db.prepare("SELECT t.id FROM tasks t WHERE t.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = t.project_id AND pm.member_id = t.assignee_id AND pm.role <> 'viewer')").all();
    expect(badAssignee).toEqual([]);
    const doneButBlocked = db.prepare(`SELECT d.task_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id JOIN tasks b ON b.id = d.blocked_by_id WHERE t.status = 'done' AND b.status IN ${open}`).all();
    expect(doneButBlocked).toEqual([]);
    const crossProject = db.prepare('SELECT d.task_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id JOIN tasks b ON b.id = d.blocked_by_id WHERE t.project_id <> b.project_id').all();
    expect(crossProject).toEqual([]);
    const ownersNotMembers = db.prepare("SELECT p.id FROM projects p WHERE NOT EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = p.id AND pm.member_id = p.owner_id AND pm.role = 'owner') OR (SELECT count(*) FROM project_members pm WHERE pm.project_id = p.id AND pm.role = 'owner') <> 1").all();
    expect(ownersNotMembers).toEqual([]);
    const lateInMilestone = db.prepare(`SELECT t.id FROM tasks t JOIN milestones ms ON ms.id = t.milestone_id WHERE t.status IN ${open} AND t.due_date > ms.due_date`).all();
    expect(lateInMilestone).toEqual([]);
  });
});

/**
 * Per tool: valid arguments, and an argument naming something that does not exist.
 * Wrong types, missing and unknown arguments are derived from the schema below.
 */
const CASES: Record<string, { valid: Args; unknown: [Args, RegExp] }> = {
  find_member_by_email: { valid: { email: 'dana.ortiz@brightforge.io' }, unknown: [{ email: 'nobody@brightforge.io' }, /no member with email nobody@brightforge.io/] },
  list_projects: { valid: { status: 'active' }, unknown: [{ member_id: 'M-999' }, /no member with id M-999/] },
  get_project: { valid: { project_id: 'P-101' }, unknown: [{ project_id: 'P-999' }, /no project with id P-999/] },
  list_project_members: { valid: { project_id: 'P-106' }, unknown: [{ project_id: 'P-999' }, /no project with id P-999/] },
  list_tasks: { valid: { project_id: 'P-101', status: 'todo' }, unknown: [{ milestone_id: 'MS-999' }, /no milestone with id MS-999/] },
  get_task: { valid: { task_id: 'T-1006' }, unknown: [{ task_id: 'T-9999' }, /no task with id T-9999/] },
  list_milestones: { valid: { project_id: 'P-102' }, unknown: [{ project_id: 'P-999' }, /no project with id P-999/] },
  get_member_workload: { valid: { member_id: 'M-008' }, unknown: [{ member_id: 'M-999' }, /no member with id M-999/] },
  create_task: {
    valid: { project_id: 'P-101', title: 'Fix footer links', due_date: '2026-03-20', milestone_id: 'MS-202', assignee_id: 'M-008', requested_by: 'M-001' },
    unknown: [{ project_id: 'P-101', title: 'Fix footer links', assignee_id: 'M-999', requested_by: 'M-001' }, /no member with id M-999/],
  },
  update_task: { valid: { task_id: 'T-1008', priority: 'urgent', requested_by: 'M-016' }, unknown: [{ task_id: 'T-9999', priority: 'low', requested_by: 'M-001' }, /no task with id T-9999/] },
  update_task_status: { valid: { task_id: 'T-1006', status: 'done', requested_by: 'M-008' }, unknown: [{ task_id: 'T-9999', status: 'done', requested_by: 'M-008' }, /no task with id T-9999/] },
  assign_task: { valid: { task_id: 'T-1011', member_id: 'M-008', requested_by: 'M-001' }, unknown: [{ task_id: 'T-1011', member_id: 'M-999', requested_by: 'M-001' }, /no member with id M-999/] },
  add_task_dependency: {
    valid: { task_id: 'T-1016', blocked_by_id: 'T-1012', requested_by: 'M-013' },
    unknown: [{ task_id: 'T-1016', blocked_by_id: 'T-9999', requested_by: 'M-013' }, /no task with id T-9999/],
  },
  add_comment: { valid: { task_id: 'T-1008', body: 'Enterprise pages done.', requested_by: 'M-016' }, unknown: [{ task_id: 'T-9999', body: 'x', requested_by: 'M-016' }, /no task with id T-9999/] },
  delete_comment: { valid: { comment_id: 'C-508', requested_by: 'M-016' }, unknown: [{ comment_id: 'C-999', requested_by: 'M-016' }, /no comment with id C-999/] },
  reschedule_milestone: { valid: { milestone_id: 'MS-203', due_date: '2026-05-27', requested_by: 'M-002' }, unknown: [{ milestone_id: 'MS-999', due_date: '2026-05-27', requested_by: 'M-002' }, /no milestone with id MS-999/] },
  add_project_member: {
    valid: { project_id: 'P-101', member_id: 'M-018', role: 'contributor', requested_by: 'M-002' },
    unknown: [{ project_id: 'P-101', member_id: 'M-999', role: 'viewer', requested_by: 'M-001' }, /no member with id M-999/],
  },
  remove_project_member: { valid: { project_id: 'P-101', member_id: 'M-022', requested_by: 'M-001' }, unknown: [{ project_id: 'P-101', member_id: 'M-999', requested_by: 'M-001' }, /member M-999 is not on project P-101/] },
  update_project_status: { valid: { project_id: 'P-105', status: 'active', requested_by: 'M-005' }, unknown: [{ project_id: 'P-999', status: 'active', requested_by: 'M-005' }, /no project with id P-999/] },
  archive_project: { valid: { project_id: 'P-107', requested_by: 'M-007' }, unknown: [{ project_id: 'P-999', requested_by: 'M-007' }, /no project with id P-999/] },
};

describe('projects domain: every tool', () => {
  it('has a case for every tool', () => {
    expect(Object.keys(CASES).sort()).toEqual([...domain.tools.keys()].sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    const tool = domain.tools.get(name)!;
    const props = tool.spec.parameters.properties as Record<string, { type?: string }>;
    const required = (tool.spec.parameters.required as string[] | undefined) ?? [];

    it(`${name}: valid arguments succeed`, () => {
      const s = fresh();
      const value = expectOk(s, name, c.valid);
      expect(value).not.toBeNull();
      // A write that succeeds changes the state; a read never does.
      if (tool.spec.kind === 'write') expect(s.stateHash()).not.toBe(seedHash);
      else expect(s.stateHash()).toBe(seedHash);
    });

    it(`${name}: invalid arguments fail with a message naming the problem`, () => {
      const s = fresh();
      const [stringProp] = Object.entries(props).find(([, p]) => p.type === 'string')!;
      expectRefused(s, name, { ...c.valid, [stringProp]: 42 }, new RegExp(`Invalid arguments for ${name}: argument "${stringProp}" must be string`));
      expectRefused(s, name, { ...c.valid, surprise: 1 }, /unknown argument "surprise"/);
      if (required.length > 0) {
        const { [required[0]]: _, ...missing } = c.valid;
        expectRefused(s, name, missing, new RegExp(`missing required argument "${required[0]}"`));
      }
      expectRefused(s, name, c.unknown[0], c.unknown[1]);
      expect(s.stateHash()).toBe(seedHash);
    });
  }

  it('rejects bad formats and enums before any SQL runs', () => {
    const s = fresh();
    expectRefused(s, 'find_member_by_email', { email: 'not-an-email' }, /argument "email" must match format "email"/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-02-30', requested_by: 'M-001' }, /argument "due_date" must match format "date"/);
    expectRefused(s, 'update_task_status', { task_id: 'T-1006', status: 'finished', requested_by: 'M-008' }, /argument "status" must be one of "todo"/);
    expectRefused(s, 'get_task', { task_id: '1006' }, /argument "task_id" must match pattern/);
    expectRefused(s, 'add_comment', { task_id: 'T-1006', body: '', requested_by: 'M-008' }, /argument "body" must NOT have fewer than 1 characters/);
  });

  it('create_task generates sequential ids and defaults the priority', () => {
    const s = fresh();
    const a = expectOk(s, 'create_task', { project_id: 'P-103', title: 'Tune warehouse costs', requested_by: 'M-015' }) as Args;
    const b = expectOk(s, 'create_task', { project_id: 'P-103', title: 'Retire old cron jobs', requested_by: 'M-015' }) as Args;
    expect([a.id, b.id]).toEqual(['T-1095', 'T-1096']);
    expect(a).toMatchObject({ status: 'todo', priority: 'medium', created_by: 'M-015', created_at: '2026-03-02T09:00:00Z' });
  });

  it('list_tasks filters combine (overdue, unassigned)', () => {
    const s = fresh();
    const overdue = expectOk(s, 'list_tasks', { overdue_only: true }) as Args[];
    expect(overdue.length).toBeGreaterThan(0);
    for (const t of overdue) {
      expect(String(t.due_date) < '2026-03-02').toBe(true);
      expect(['todo', 'in_progress', 'in_review']).toContain(t.status);
    }
    const unassigned = expectOk(s, 'list_tasks', { project_id: 'P-102', unassigned_only: true }) as Args[];
    expect(unassigned.map((t) => t.id)).toEqual(['T-1033', 'T-1035']);
  });

  it('get_member_workload returns its task list as JSON, not as text', () => {
    const w = expectOk(fresh(), 'get_member_workload', { member_id: 'M-011' }) as { open_task_count: number; remaining_capacity: number; open_tasks: unknown[] };
    expect(w.open_task_count).toBe(3);
    expect(w.remaining_capacity).toBe(0);
    expect(Array.isArray(w.open_tasks)).toBe(true);
    expect(w.open_tasks).toHaveLength(3);
  });
});

describe('projects domain: business rules', () => {
  it('task status follows the transition rules', () => {
    const s = fresh();
    expectRefused(s, 'update_task_status', { task_id: 'T-1009', status: 'done', requested_by: 'M-016' }, /cannot go from todo to done/);
    expectRefused(s, 'update_task_status', { task_id: 'T-1006', status: 'in_review', requested_by: 'M-008' }, /already in_review/);
    expectRefused(s, 'update_task_status', { task_id: 'T-1011', status: 'in_progress', requested_by: 'M-001' }, /has no assignee/);
    expectRefused(s, 'update_task_status', { task_id: 'T-1063', status: 'in_progress', requested_by: 'M-009' }, /P-105 is on hold/);
    expectRefused(s, 'update_task_status', { task_id: 'T-1006', status: 'done', requested_by: 'M-022' }, /M-022 may not change the status of task T-1006/);
    expectRefused(s, 'update_task_status', { task_id: 'T-1094', status: 'todo', requested_by: 'M-003' }, /P-108 is archived/);
    // The manager may move someone else's task; done stamps completed_at, reopening clears it.
    expect(expectOk(s, 'update_task_status', { task_id: 'T-1006', status: 'done', requested_by: 'M-002' })).toMatchObject({ status: 'done', completed_at: '2026-03-02T09:00:00Z' });
    expect(expectOk(s, 'update_task_status', { task_id: 'T-1006', status: 'in_progress', requested_by: 'M-008' })).toMatchObject({ status: 'in_progress', completed_at: null });
  });

  it('a task cannot be done while a blocker is open, and can once it is closed', () => {
    const s = fresh();
    expectRefused(s, 'update_task_status', { task_id: 'T-1046', status: 'done', requested_by: 'M-017' }, /blocked by 1 open task\(s\): T-1042 "Rewrite inventory ETL" \(in_progress\)/);
    expectOk(s, 'update_task_status', { task_id: 'T-1042', status: 'done', requested_by: 'M-009' });
    expectOk(s, 'update_task_status', { task_id: 'T-1046', status: 'done', requested_by: 'M-017' });
  });

  it('assignment checks permission, membership, activity and capacity', () => {
    const s = fresh();
    expectRefused(s, 'assign_task', { task_id: 'T-1033', member_id: 'M-011', requested_by: 'M-002' }, /Carlos Mendes already has 3 open tasks, which is their capacity \(3\)/);
    expectRefused(s, 'assign_task', { task_id: 'T-1011', member_id: 'M-022', requested_by: 'M-001' }, /Zoe Adams is not a contributor on this project/);
    expectRefused(s, 'assign_task', { task_id: 'T-1011', member_id: 'M-018', requested_by: 'M-001' }, /Grace Chen is not a contributor on this project/);
    expectRefused(s, 'assign_task', { task_id: 'T-1074', member_id: 'M-021', requested_by: 'M-006' }, /Kenji Mori is no longer active/);
    expectRefused(s, 'assign_task', { task_id: 'T-1011', member_id: 'M-016', requested_by: 'M-008' }, /M-008 may not assign task T-1011/);
    expectRefused(s, 'assign_task', { task_id: 'T-1001', member_id: 'M-008', requested_by: 'M-001' }, /T-1001 is done; only open tasks/);
    expectRefused(s, 'assign_task', { task_id: 'T-1008', member_id: 'M-016', requested_by: 'M-001' }, /already assigned to Elena Petrova/);
    // A contributor may take an unassigned task for themselves.
    expect(expectOk(s, 'assign_task', { task_id: 'T-1011', member_id: 'M-013', requested_by: 'M-013' })).toMatchObject({ assignee_id: 'M-013' });
    // Capacity is counted across projects: filling Fatima up to 6 makes the next assignment fail.
    for (const t of ['T-1033', 'T-1035', 'T-1036']) expectOk(s, 'assign_task', { task_id: t, member_id: 'M-012', requested_by: 'M-002' });
    expectOk(s, 'add_project_member', { project_id: 'P-101', member_id: 'M-012', role: 'contributor', requested_by: 'M-001' });
    expectRefused(s, 'assign_task', { task_id: 'T-1016', member_id: 'M-012', requested_by: 'M-001' }, /Fatima Zahra already has 6 open tasks/);
  });

  it('task creation checks role, project status, milestone and dates', () => {
    const s = fresh();
    const base = { project_id: 'P-101', title: 'Fix typo on careers page', requested_by: 'M-001' };
    expectRefused(s, 'create_task', { ...base, requested_by: 'M-022' }, /M-022 is a viewer on project P-101/);
    expectRefused(s, 'create_task', { ...base, requested_by: 'M-018' }, /M-018 is not on project P-101/);
    expectRefused(s, 'create_task', { ...base, project_id: 'P-107', requested_by: 'M-007' }, /P-107 \(Office Move Berlin\) is completed/);
    expectRefused(s, 'create_task', { ...base, milestone_id: 'MS-205' }, /MS-205 is not a milestone of project P-101/);
    expectRefused(s, 'create_task', { ...base, milestone_id: 'MS-201' }, /MS-201 has already been reached/);
    expectRefused(s, 'create_task', { ...base, due_date: '2026-06-15' }, /outside the project's dates \(2026-01-12 to 2026-05-29\)/);
    expectRefused(s, 'create_task', { ...base, milestone_id: 'MS-202', due_date: '2026-04-15' }, /after the milestone's due date \(2026-03-27\)/);
    expectRefused(s, 'create_task', { ...base, assignee_id: 'M-016' }, /Elena Petrova already has 6 open tasks/);
  });

  it('task updates check permission, content and dates', () => {
    const s = fresh();
    expectRefused(s, 'update_task', { task_id: 'T-1008', priority: 'low', requested_by: 'M-013' }, /M-013 may not change task T-1008/);
    expectRefused(s, 'update_task', { task_id: 'T-1008', requested_by: 'M-001' }, /nothing to change/);
    expectRefused(s, 'update_task', { task_id: 'T-1008', due_date: '2026-04-01', requested_by: 'M-001' }, /after the due date of the task's milestone \(2026-03-27\)/);
    expectRefused(s, 'update_task', { task_id: 'T-1089', priority: 'low', requested_by: 'M-003' }, /P-108 is archived/);
    expect(expectOk(s, 'update_task', { task_id: 'T-1008', due_date: '2026-03-27', title: 'Migrate all product pages', requested_by: 'M-001' })).toMatchObject({ due_date: '2026-03-27', title: 'Migrate all product pages', priority: 'high' });
  });

  it('dependencies stay in one project and never form a cycle', () => {
    const s = fresh();
    expectRefused(s, 'add_task_dependency', { task_id: 'T-1007', blocked_by_id: 'T-1009', requested_by: 'M-008' }, /would make a cycle/);
    // Indirect cycle: T-1045 waits for T-1044, which waits for T-1043.
    expectRefused(s, 'add_task_dependency', { task_id: 'T-1043', blocked_by_id: 'T-1045', requested_by: 'M-014' }, /would make a cycle/);
    expectRefused(s, 'add_task_dependency', { task_id: 'T-1007', blocked_by_id: 'T-1026', requested_by: 'M-008' }, /dependencies must stay within one project/);
    expectRefused(s, 'add_task_dependency', { task_id: 'T-1007', blocked_by_id: 'T-1007', requested_by: 'M-008' }, /cannot block itself/);
    expectRefused(s, 'add_task_dependency', { task_id: 'T-1009', blocked_by_id: 'T-1007', requested_by: 'M-008' }, /already blocked by T-1007/);
    expectRefused(s, 'add_task_dependency', { task_id: 'T-1016', blocked_by_id: 'T-1012', requested_by: 'M-022' }, /M-022 may not change dependencies/);
  });

  it('comments: members only, author or owner deletes, archived projects are read-only', () => {
    const s = fresh();
    expectRefused(s, 'add_comment', { task_id: 'T-1006', body: 'Nice!', requested_by: 'M-018' }, /M-018 is not on project P-101/);
    expectRefused(s, 'add_comment', { task_id: 'T-1093', body: 'Reopening?', requested_by: 'M-003' }, /P-108 is archived/);
    expectOk(s, 'add_comment', { task_id: 'T-1006', body: 'Looks good from here.', requested_by: 'M-022' }); // viewers may comment
    expectRefused(s, 'delete_comment', { comment_id: 'C-506', requested_by: 'M-008' }, /only its author \(M-013\) or the project owner/);
    expectRefused(s, 'delete_comment', { comment_id: 'C-546', requested_by: 'M-003' }, /P-108 is archived/);
    expectOk(s, 'delete_comment', { comment_id: 'C-506', requested_by: 'M-001' }); // the project owner may
    expectRefused(s, 'delete_comment', { comment_id: 'C-506', requested_by: 'M-001' }, /no comment with id C-506/);
  });

  it('milestones move only within the rules', () => {
    const s = fresh();
    const by = { requested_by: 'M-001' };
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-02-27', ...by }, /in the past/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-06-15', ...by }, /after the project's due date \(2026-05-29\)/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-210', due_date: '2026-03-10', requested_by: 'M-004' }, /before the project's start date \(2026-03-16\)/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-03-20', ...by }, /3 open task\(s\) of milestone MS-202 are due after 2026-03-20: T-1009 .*; T-1010 .*; T-1011/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-201', due_date: '2026-03-20', ...by }, /has been reached/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-03-27', ...by }, /already due on 2026-03-27/);
    expectRefused(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-04-03', requested_by: 'M-008' }, /only its owner and managers/);
    // Moving the late tasks first makes the earlier date possible.
    for (const t of ['T-1009', 'T-1010', 'T-1011']) expectOk(s, 'update_task', { task_id: t, due_date: '2026-03-20', ...by });
    expect(expectOk(s, 'reschedule_milestone', { milestone_id: 'MS-202', due_date: '2026-03-20', ...by })).toMatchObject({ due_date: '2026-03-20' });
  });

  it('membership: roles decide who adds whom; the owner and members with open tasks stay', () => {
    const s = fresh();
    expectRefused(s, 'add_project_member', { project_id: 'P-101', member_id: 'M-018', role: 'manager', requested_by: 'M-002' }, /only the project owner \(Dana Ortiz\) can add managers/);
    expectRefused(s, 'add_project_member', { project_id: 'P-101', member_id: 'M-018', role: 'viewer', requested_by: 'M-008' }, /M-008 may not add people/);
    expectRefused(s, 'add_project_member', { project_id: 'P-101', member_id: 'M-021', role: 'viewer', requested_by: 'M-001' }, /Kenji Mori is no longer active/);
    expectRefused(s, 'add_project_member', { project_id: 'P-101', member_id: 'M-008', role: 'viewer', requested_by: 'M-001' }, /M-008 is already on project P-101/);
    expectRefused(s, 'add_project_member', { project_id: 'P-108', member_id: 'M-018', role: 'viewer', requested_by: 'M-003' }, /archived and read-only/);
    expectRefused(s, 'remove_project_member', { project_id: 'P-101', member_id: 'M-001', requested_by: 'M-002' }, /Dana Ortiz is the owner of project P-101 and cannot be removed/);
    expectRefused(s, 'remove_project_member', { project_id: 'P-106', member_id: 'M-021', requested_by: 'M-006' }, /Kenji Mori still holds 2 open task\(s\) on project P-106/);
    expectRefused(s, 'remove_project_member', { project_id: 'P-102', member_id: 'M-001', requested_by: 'M-011' }, /M-011 may not remove Dana Ortiz/);
    expectOk(s, 'remove_project_member', { project_id: 'P-101', member_id: 'M-022', requested_by: 'M-022' }); // anyone may leave
    expectRefused(s, 'list_project_members', { project_id: 'P-999' }, /no project/);
    expect((expectOk(s, 'list_project_members', { project_id: 'P-101' }) as Args[]).map((m) => m.member_id)).not.toContain('M-022');
  });

  it('project status and archiving: owner only, nothing open', () => {
    const s = fresh();
    expectRefused(s, 'archive_project', { project_id: 'P-101', requested_by: 'M-002' }, /only the project owner \(Dana Ortiz\) can archive/);
    expectRefused(s, 'archive_project', { project_id: 'P-101', requested_by: 'M-001' }, /P-101 still has 13 open task\(s\)/);
    expectRefused(s, 'archive_project', { project_id: 'P-108', requested_by: 'M-003' }, /already archived/);
    expectRefused(s, 'update_project_status', { project_id: 'P-101', status: 'completed', requested_by: 'M-002' }, /only the project owner \(Dana Ortiz\) can mark/);
    expectRefused(s, 'update_project_status', { project_id: 'P-101', status: 'completed', requested_by: 'M-001' }, /still has 13 open task\(s\)/);
    expectRefused(s, 'update_project_status', { project_id: 'P-101', status: 'active', requested_by: 'M-001' }, /already active/);
    expectRefused(s, 'update_project_status', { project_id: 'P-101', status: 'on_hold', requested_by: 'M-008' }, /only its owner and managers/);
    expectRefused(s, 'update_project_status', { project_id: 'P-108', status: 'active', requested_by: 'M-003' }, /archived and read-only/);
    // Archiving takes the project's tasks out of workloads and freezes it.
    expectOk(s, 'archive_project', { project_id: 'P-107', requested_by: 'M-007' });
    expectRefused(s, 'add_comment', { task_id: 'T-1081', body: 'Done!', requested_by: 'M-007' }, /P-107 is archived/);
  });
});

describe('projects domain: tasks.json', () => {
  it('has read-only and write tasks with unique ids and stored hashes', () => {
    const writes = new Set([...domain.tools.values()].filter((t) => t.spec.kind === 'write').map((t) => t.spec.name));
    const isWrite = (t: (typeof tasks)[number]) => t.gold.actions.some((a) => writes.has(a.tool));
    expect(tasks.filter(isWrite).length).toBeGreaterThanOrEqual(5);
    expect(tasks.filter((t) => !isWrite(t)).length).toBeGreaterThanOrEqual(3);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    for (const t of tasks) expect(t.gold.state_hash, t.id).toMatch(/^[0-9a-f]{64}$/);
  });

  for (const task of tasks) {
    it(`${task.id} replays to its gold state hash`, () => {
      const { results, stateHash } = replayGold(domain, task);
      for (const { action, result } of results) expect(result.ok, `${action.tool}: ${result.ok ? '' : result.error}`).toBe(true);
      expect(stateHash).toBe(task.gold.state_hash);
      // What the user must be told is found in what the gold calls returned.
      const seen = results.map((r) => r.result.text.toLowerCase()).join('\n');
      for (const c of task.communicate) expect(seen, `${task.id} communicates "${c}"`).toContain(c.toLowerCase());
      // Tasks without writes end where they started.
      const start = openTaskSession(domain, task);
      const startHash = start.stateHash();
      start.close();
      const wrote = results.some((r) => domain.tools.get(r.action.tool)!.spec.kind === 'write');
      if (wrote) expect(stateHash).not.toBe(startHash);
      else expect(stateHash).toBe(startHash);
    });
  }

  it('the initial state of a task differs from the seed', () => {
    const task = tasks.find((t) => t.initial.length > 0)!;
    const s = openTaskSession(domain, task);
    expect(s.stateHash()).not.toBe(seedHash);
    s.close();
  });
});
