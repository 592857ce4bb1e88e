import type { TaskInput } from '../../spec/task.js';
import { UserError } from '../../util/errors.js';
import type { Tau2Task } from './source.js';

/** How tau2 shows a structured user scenario to its user simulator: one titled section per field. */
function instructionsText(instructions: Tau2Task['user_scenario']['instructions']): string {
  if (typeof instructions === 'string') return instructions;
  const sections: Array<[string, string | null | undefined]> = [
    ['Domain', instructions.domain],
    ['Reason for call', instructions.reason_for_call],
    ['Known info', instructions.known_info],
    ['Unknown info', instructions.unknown_info],
    ['Task instructions', instructions.task_instructions],
  ];
  return sections
    .filter(([, v]) => v)
    .map(([title, v]) => `${title}:\n${v}`)
    .join('\n');
}

/**
 * A tau2 task as an envscale task. tau2 scores only what `reward_basis` lists: DB (the final state),
 * COMMUNICATE (communicate_info said to the user), ACTION (the gold calls made). NL assertions need
 * an LLM judge and are kept out of the reward, as tags record.
 */
export function convertTask(task: Tau2Task, toolNames: ReadonlySet<string>, splits: readonly string[], file: string): TaskInput {
  const record = `${file}: task ${JSON.stringify(task.id)}`;
  if (task.initial_state) throw new UserError(`${record} has an initial_state, which the importer cannot convert; remove it or import without that task.`);
  const criteria = task.evaluation_criteria;
  const actions = (criteria?.actions ?? []).map((a, i) => {
    if (a.requestor === 'user') throw new UserError(`${record}: action ${i} is made by the user; envscale gold actions are the agent's.`);
    if (!toolNames.has(a.name)) throw new UserError(`${record}: action ${i} calls ${a.name}, which is not in tools.json; fix the action or tools.json.`);
    return { tool: a.name, args: a.arguments };
  });
  const basis = new Set(criteria?.reward_basis ?? []);
  const scenario = task.user_scenario;
  const known = typeof scenario.instructions === 'string' ? {} : { known_info: scenario.instructions.known_info ?? '' };
  const purpose = task.description?.purpose;
  return {
    id: task.id,
    ...(purpose ? { description: purpose } : {}),
    user: { instructions: instructionsText(scenario.instructions), known, ...(scenario.persona ? { persona: scenario.persona } : {}) },
    gold: { actions },
    communicate: criteria?.communicate_info ?? [],
    evaluation: { state: basis.has('DB'), communicate: basis.has('COMMUNICATE'), actions: basis.has('ACTION') },
    tags: ['tau2', ...splits.map((s) => `split:${s}`), ...(basis.has('NL_ASSERTION') ? ['nl_assertions'] : [])],
  };
}
