import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { cachedCompletion, type ResponseCache } from '../llm/cache.js';
import type { ChatModel } from '../llm/chat-model.js';

/** A model and its response cache: every answer is asked for once, then read back on reruns. */
export interface ModelAccess {
  model: ChatModel;
  cache: ResponseCache;
}

/** One answer judged: what it yields (if anything usable) and the problems to send back. */
export interface Judged {
  problems: string[];
}

/** The follow-up to a failed answer: its concrete problems, and the request for the whole answer again. */
export function repairRequest(problems: string[]): string {
  return `Your answer does not work yet. Problems found when validating and running it:\n${problems.map((p) => `- ${p}`).join('\n')}\n\nFix them and answer again with the complete corrected JSON object only.`;
}

/**
 * Ask for a JSON answer, judge it, and send the concrete problems back in the same conversation
 * until an answer has none or `attempts` answers were given. Returns every judged answer in order.
 */
export async function converse<J extends Judged>(
  access: ModelAccess,
  system: string,
  request: string,
  judge: (text: string) => J,
  attempts: number,
): Promise<J[]> {
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: system },
    { role: 'user', content: request },
  ];
  const judged: J[] = [];
  for (let i = 0; i < attempts; i++) {
    const text = await cachedCompletion(access.cache, access.model, messages, { json: true });
    const verdict = judge(text);
    judged.push(verdict);
    if (verdict.problems.length === 0) break;
    messages.push({ role: 'assistant', content: text }, { role: 'user', content: repairRequest(verdict.problems) });
  }
  return judged;
}
