import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Domain } from '../env/domain.js';
import { replayGold } from '../env/replay.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { ResponseCache } from '../llm/cache.js';
import type { Task } from '../spec/task.js';
import { UserError } from '../util/errors.js';
import { toolIntent } from './intent.js';
import { meaningful, meaningfulValues } from './links.js';
import { sayDate } from './say.js';
import { copiesDescription, namedIdentifiers, templateArtifact } from './wording.js';

const SYSTEM = `You write what a customer of a support service says they want, for training support agents.
Write as the customer, in the first person. First one short paragraph: who they are (their name), what
they want done and a plausible everyday reason for it, and any question they want answered. Then a
blank line, then the facts they know and will give when the agent asks, one short sentence each
("My email address is ...").

Rules:
- Never name a tool, function, parameter or field as a program spells it (no snake_case or camelCase
  words), and never copy a tool's description.
- Give only the identifiers listed as known; everything else is for the agent to find with its tools.
- Say values as a person would: dates in words, amounts with their currency.
- One goal: the steps before the last one only find what the last one needs.
- No placeholders, no JSON, at most seven sentences. Reply with the text only.`;

/** Where each argument of each gold step comes from: the user, an earlier step, or the request itself. */
function dataFlow(domain: Domain, task: Task): string[] {
  let results: unknown[] = [];
  try {
    results = replayGold(domain, task).results.map((r) => (r.result.ok ? r.result.value : undefined));
  } catch {
    // A task whose initial state cannot be set still gets its steps, without their results.
  }
  const knownBy = new Map(Object.entries(task.user.known).map(([k, v]) => [String(v), k]));
  return task.gold.actions.map((action, i) => {
    const intent = domain.tools.has(action.tool) ? toolIntent(domain, action.tool) : undefined;
    const origins = Object.entries(action.args).map(([param, value]) => {
      const v = String(value);
      const from = results.slice(0, i).findIndex((r, j) => meaningful(value) && (meaningfulValues(r).has(v) || meaningfulValues(task.gold.actions[j].args).has(v)));
      const origin = from >= 0 ? `found by step ${from + 1}` : knownBy.has(v) ? `the user knows it ("${knownBy.get(v)}")` : 'part of the request';
      return `${param} = ${JSON.stringify(value)} (${origin})`;
    });
    const kind = intent ? (intent.kind === 'read' ? 'looks up' : `${intent.kind === 'act' ? 'does' : intent.kind + 's'}`) : 'calls';
    return `${i + 1}. ${action.tool} ${kind} ${intent?.entity ?? ''}: ${origins.join('; ') || 'no arguments'}`;
  });
}

/** The request for one task: the goal, the walk and its data flow, the persona, what the user knows and wants told. */
function prompt(domain: Domain, task: Task): string {
  return [
    `Service: ${domain.name}: ${domain.spec.description}`,
    task.user.persona ? `The customer: ${task.user.persona}` : '',
    `What the agent will do (the last step is the goal):\n${dataFlow(domain, task).join('\n')}`,
    `Facts the customer knows: ${JSON.stringify(task.user.known)}`,
    task.communicate.length ? `The customer wants to be told: ${task.communicate.join('; ')}` : '',
    `A draft written from templates, to improve on:\n${task.user.instructions}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** What is wrong with a model's instruction, checked like check-tasks checks any instruction, plus the facts it must carry. */
export function instructionProblems(domain: Domain, task: Task, text: string): string[] {
  const problems: string[] = [];
  const names = namedIdentifiers(domain, text);
  if (names.length > 0) problems.push(`it names ${names.join(', ')}, which only the tools use`);
  if (copiesDescription(domain, text)) problems.push('it repeats a tool description word for word');
  const artifact = templateArtifact(text);
  if (artifact !== undefined) problems.push(`it holds ${JSON.stringify(artifact)}, which no person writes`);
  if (/(^|[.!?]\s+)You\b/.test(text)) problems.push('it speaks to the customer ("You ...") instead of as the customer');
  const lower = text.toLowerCase();
  const used = new Set(task.gold.actions.flatMap((a) => [...meaningfulValues(a.args)]));
  for (const [key, value] of Object.entries(task.user.known)) {
    const v = String(value);
    if (!used.has(v)) continue;
    const said = [v, sayDate(v) ?? v, v.replace(/_/g, ' ')].some((x) => lower.includes(x.toLowerCase()));
    if (!said) problems.push(`it leaves out ${key} (${v}), which the agent needs from the customer`);
  }
  return problems;
}

export interface ModelInstructionsReport {
  /** Tasks whose instruction the model wrote and the lint accepted. */
  written: number;
  /** Tasks that keep their offline instruction, because the model's failed the lint twice. */
  kept: Array<{ task: string; problems: string[] }>;
}

/**
 * Rewrite each task's instructions with a model, given the goal, the steps with their data flow,
 * the persona and what the user knows. Each answer is linted like check-tasks lints instructions;
 * a failing one is sent back once with its problems, and if it still fails the task keeps its
 * offline instruction (and the report says so). Responses are cached by model and conversation,
 * so a rerun gives the same tasks without calling the model.
 */
export async function writeInstructionsWithModel(domain: Domain, tasks: Task[], model: ChatModel, cache: ResponseCache): Promise<{ tasks: Task[]; report: ModelInstructionsReport }> {
  const out: Task[] = [];
  const report: ModelInstructionsReport = { written: 0, kept: [] };
  const ask = async (messages: ChatCompletionMessageParam[], task: Task): Promise<string> => {
    const key = cache.key(model.model, { messages, temperature: model.endpoint.temperature });
    let text = cache.get(key);
    if (text === undefined) {
      text = (await model.complete(messages)).content.trim();
      if (!text) throw new UserError(`The model ${model.model} returned an empty instruction for task ${task.id}; try another model.`);
      cache.set(key, text);
    }
    return text;
  };
  for (const task of tasks) {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: prompt(domain, task) },
    ];
    let text = await ask(messages, task);
    let problems = instructionProblems(domain, task, text);
    if (problems.length > 0) {
      const repair: ChatCompletionMessageParam[] = [...messages, { role: 'assistant', content: text }, { role: 'user', content: `That text has problems: ${problems.join('; ')}. Rewrite it without them.` }];
      text = await ask(repair, task);
      problems = instructionProblems(domain, task, text);
    }
    if (problems.length > 0) {
      report.kept.push({ task: task.id, problems });
      out.push(task);
      continue;
    }
    report.written++;
    out.push({ ...task, user: { ...task.user, instructions: text }, tags: [...task.tags, 'llm-instructions'] });
  }
  return { tasks: out, report };
}
