import type { Domain } from '../env/domain.js';
import { openTaskSession } from '../env/replay.js';
import type { Task } from '../spec/task.js';
import { messageOf } from '../util/errors.js';
import { findableTexts, ReadMemo } from './findable.js';
import { isKeyColumn, paramSources } from './param-sources.js';

export interface TaskCheck {
  task: string;
  problems: string[];
}

/**
 * Lint tasks against their domain: every gold action replays without error on a fresh state, the
 * stored gold hash reproduces, and every identifier a gold action needs is known to the user,
 * said in the instructions, returned by an earlier call, or findable with the read tools from
 * what the user knows (see findableTexts).
 */
export function checkTasks(domain: Domain, tasks: Task[]): TaskCheck[] {
  const sources = paramSources(domain);
  const tables = new Map(domain.spec.tables.map((t) => [t.name, t]));
  const listers = [...domain.tools.values()].filter((t) => t.spec.kind === 'read' && !((t.spec.parameters.required as string[] | undefined)?.length));
  const memo = new ReadMemo();
  return tasks.map((task) => {
    const problems: string[] = [];
    let session;
    try {
      session = openTaskSession(domain, task);
    } catch (err) {
      return { task: task.id, problems: [`its initial state cannot be set: ${messageOf(err)}`] };
    }
    try {
      // What the user knows, what argument-free reads list, and what reads reach from there.
      const listed = listers.map((t) => memo.read(session!, t.spec.name, {}) ?? '');
      const seen = findableTexts(session, sources, [JSON.stringify(task.user.known), task.user.instructions, ...listed], memo);
      task.gold.actions.forEach((action, i) => {
        const where = `gold action ${i + 1} (${action.tool})`;
        if (!domain.tools.has(action.tool)) {
          problems.push(`${where} names a tool the domain does not have`);
          return;
        }
        for (const [param, value] of Object.entries(action.args)) {
          const src = sources.get(action.tool)?.get(param);
          if (!src || src.role !== 'lookup' || !isKeyColumn(tables.get(src.table)!, src.column) || typeof value !== 'string') continue;
          const needle = value.toLowerCase();
          if (!seen.some((text) => text.toLowerCase().includes(needle))) {
            problems.push(`${where} needs ${param} ${JSON.stringify(value)}, which the user does not know and no earlier call returns`);
          }
        }
        const result = session!.call(action.tool, action.args);
        if (!result.ok) problems.push(`${where} fails: ${result.error}`);
        seen.push(result.text);
      });
      if (!task.gold.state_hash) problems.push('it has no gold state hash');
      else if (task.gold.state_hash !== session.stateHash()) problems.push('its stored gold state hash does not reproduce');
    } finally {
      session.close();
    }
    return { task: task.id, problems };
  });
}
