import type { Domain } from '../env/domain.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { ResponseCache } from '../llm/cache.js';
import type { Task } from '../spec/task.js';
import { UserError } from '../util/errors.js';

const SYSTEM = `You write the goal of a simulated customer who will talk to a support agent.
Write in the second person, starting with "You want to". Say what the person wants done, in the
order of the actions, in plain words a customer would use. Mention the facts they know (names,
emails, titles, numbers) exactly as given, but never internal ids that the agent finds on its own.
If there are things the agent must tell them, say they want to be told those. Reply with the
instruction text only, at most six sentences.`;

/** The request for one task: the actions with their tools' descriptions, and what the user knows. */
function prompt(domain: Domain, task: Task): string {
  const actions = task.gold.actions.map((a, i) => `${i + 1}. ${a.tool}(${JSON.stringify(a.args)}): ${domain.tools.get(a.tool)?.spec.description ?? ''}`);
  return [
    `Domain: ${domain.name}: ${domain.spec.description}`,
    `Actions the agent will take:\n${actions.join('\n')}`,
    `Facts the person knows: ${JSON.stringify(task.user.known)}`,
    task.communicate.length ? `The person wants to be told: ${task.communicate.join('; ')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * Rewrite each task's instructions with a model (the template text is replaced). Responses are
 * cached by model and prompt, so a rerun gives the same tasks without calling the model.
 */
export async function writeInstructionsWithModel(domain: Domain, tasks: Task[], model: ChatModel, cache: ResponseCache): Promise<Task[]> {
  const out: Task[] = [];
  for (const task of tasks) {
    const messages = [
      { role: 'system' as const, content: SYSTEM },
      { role: 'user' as const, content: prompt(domain, task) },
    ];
    const key = cache.key(model.model, { messages, temperature: model.endpoint.temperature });
    let text = cache.get(key);
    if (text === undefined) {
      text = (await model.complete(messages)).content.trim();
      if (!text) throw new UserError(`The model ${model.model} returned an empty instruction for task ${task.id}; try another model.`);
      cache.set(key, text);
    }
    out.push({ ...task, user: { ...task.user, instructions: text }, tags: [...task.tags, 'llm-instructions'] });
  }
  return out;
}
