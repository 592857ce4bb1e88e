import type { Domain } from '../env/domain.js';
import type { Task } from '../spec/task.js';

/** The agent's system prompt: its role, then the domain policy (tau-bench puts the policy there too). */
export function agentSystemPrompt(domain: Domain): string {
  return [
    `You are a customer service agent for the ${domain.name} domain: ${domain.spec.description}`,
    'Help the user with their request. Use the tools to look up and change data, one call at a time, and talk to the user in plain messages.',
    'Follow the policy below. Do not make up information or procedures that the tools or the user did not give you.',
    '',
    '# Policy',
    '',
    domain.spec.policy.trim(),
  ].join('\n');
}

/** The known facts as lines the user model can quote exactly. */
function knownLines(task: Task): string {
  const entries = Object.entries(task.user.known);
  if (entries.length === 0) return '(nothing beyond the instructions)';
  return entries.map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n');
}

/** The simulated user's system prompt, after tau-bench's user simulator. */
export function userSystemPrompt(task: Task): string {
  return [
    'You are a user talking to a customer service agent. You are not an assistant: you are the customer.',
    '',
    '# Your instructions',
    task.user.instructions,
    ...(task.user.persona ? ['', '# Your persona', task.user.persona] : []),
    '',
    '# What you know',
    knownLines(task),
    '',
    '# Rules',
    '- Write one message at a time, as the user would, short and natural.',
    '- Do not give away everything at once: reveal a fact only when the agent asks for it or when it is needed for the current step.',
    '- Never invent facts that are not in your instructions or in what you know. If asked for something you do not know, say that you do not know it.',
    '- When your goal is met, or it cannot be met, reply with ###STOP### alone to end the conversation.',
    '- If the agent transfers you to a human, reply with ###TRANSFER###; if your request is outside what the agent can do, reply with ###OUT-OF-SCOPE###.',
  ].join('\n');
}
