import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatModel } from '../llm/chat-model.js';
import { userSystemPrompt } from './prompts.js';
import type { ChatMessage } from '../spec/chat.js';
import type { EpisodeContext, SimulatedUser, UserSession } from './types.js';

/** The dialogue seen from the user's side: the agent's words are what the user model reads. */
export function userView(transcript: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  for (const m of transcript) {
    if (m.role === 'assistant' && m.content.trim()) out.push({ role: 'user', content: m.content });
    else if (m.role === 'user') out.push({ role: 'assistant', content: m.content });
  }
  return out;
}

/** A simulated user played by a chat model, prompted with the task's instructions and known facts. */
export class OpenAiUser implements SimulatedUser {
  constructor(
    private readonly model: ChatModel,
    private readonly spec: string,
  ) {}

  get info() {
    return this.model.info(this.spec);
  }

  start({ task, seed, onRetry }: Omit<EpisodeContext, 'tools'>): UserSession {
    const system: ChatCompletionMessageParam = { role: 'system', content: userSystemPrompt(task) };
    return {
      reply: async (transcript) => (await this.model.complete([system, ...userView(transcript)], { seed, onRetry })).content.trim(),
    };
  }
}
