import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { JsonMemo, type ChatModel } from '../llm/chat-model.js';
import type { Agent, AgentSession, EpisodeContext } from '../episode/types.js';
import type { ChatMessage } from '../spec/chat.js';

/** A message of the transcript in the chat-completions request shape. */
function toOpenAiMessage(m: ChatMessage): ChatCompletionMessageParam {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
  if (m.role === 'assistant' && m.tool_calls?.length) {
    return {
      role: 'assistant',
      content: m.content || null,
      tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
    };
  }
  return { role: m.role, content: m.content };
}

/** An agent backed by a chat-completions model with tool calling; the tools are those MCP listed. */
export class OpenAiAgent implements Agent {
  constructor(
    private readonly model: ChatModel,
    private readonly spec: string,
  ) {}

  get info() {
    return this.model.info(this.spec);
  }

  start({ tools, seed, onRetry }: EpisodeContext): AgentSession {
    const offered: ChatCompletionTool[] = tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
    // A transcript only grows and its messages are never changed: each is converted and
    // serialized once per episode, as is the tool list, instead of on every turn.
    const converted = new WeakMap<ChatMessage, ChatCompletionMessageParam>();
    const convert = (m: ChatMessage) => {
      let c = converted.get(m);
      if (!c) converted.set(m, (c = toOpenAiMessage(m)));
      return c;
    };
    const memo = new JsonMemo();
    return {
      act: async (transcript) => this.model.complete(transcript.map(convert), { tools: offered, seed, onRetry, memo }),
    };
  }
}
