import type { ToolDefinition } from '../spec/trajectory.js';
import { parseArguments } from '../spec/chat.js';
import { trimTail, turnsOf, type StoredEpisode, type Turn } from './conversation.js';

export const FORMATS = ['openai', 'sharegpt', 'messages'] as const;
export type ExportFormat = (typeof FORMATS)[number];

const openAiTools = (tools: ToolDefinition[]) => tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } }));

/** Arguments as an object where they parse (chat templates expect one), else the raw text. */
function argumentValue(raw: string): unknown {
  const parsed = parseArguments(raw);
  return 'args' in parsed ? parsed.args : raw;
}

/**
 * OpenAI chat fine-tuning: messages with tool_calls and tool messages, plus `tools`. `weight`
 * (0 or 1) on assistant messages says which are trained: not the fixed greeting, not turns
 * whose calls were malformed. Only assistant messages are ever trained in this format.
 */
export function toOpenAi(ep: StoredEpisode): object {
  const messages = trimTail(turnsOf(ep.events)).map((t) => {
    if (t.role === 'tool') return { role: 'tool', tool_call_id: t.callId, content: t.content };
    if (t.role !== 'assistant') return { role: t.role, content: t.content };
    const calls = t.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    return { role: 'assistant', ...(t.content || !calls.length ? { content: t.content } : {}), ...(calls.length ? { tool_calls: calls } : {}), weight: t.trainable ? 1 : 0 };
  });
  return { messages, tools: openAiTools(ep.tools) };
}

/**
 * The plain layout Hugging Face chat templates and TRL take: `messages` (tool call arguments as
 * objects, tool messages with the tool's name) and `tools`. Which turns are trained is left to
 * the trainer (TRL's assistant_only_loss trains assistant turns only).
 */
export function toMessages(ep: StoredEpisode): object {
  const messages = trimTail(turnsOf(ep.events)).map((t) => {
    if (t.role === 'tool') return { role: 'tool', tool_call_id: t.callId, name: t.name, content: t.content };
    if (t.role !== 'assistant') return { role: t.role, content: t.content };
    const calls = t.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: argumentValue(c.arguments) } }));
    return { role: 'assistant', content: t.content, ...(calls.length ? { tool_calls: calls } : {}) };
  });
  return { messages, tools: openAiTools(ep.tools) };
}

type ShareFrom = 'human' | 'gpt' | 'function_call' | 'observation';

/**
 * LLaMA-Factory's ShareGPT layout: `conversations` alternating human/observation with
 * gpt/function_call, `system`, and `tools` as a JSON string. LLaMA-Factory trains the gpt and
 * function_call turns only. The format needs the human side first, so the fixed greeting is
 * left out; an assistant turn that both talks and calls tools keeps its calls (one
 * function_call turn, a list when there are several, answered by one observation turn: the
 * result's text, or a JSON list of texts for several calls).
 */
export function toShareGpt(ep: StoredEpisode): object {
  const turns = trimTail(turnsOf(ep.events));
  const system = turns.find((t) => t.role === 'system')?.content ?? '';
  const drafts: Array<{ from: ShareFrom; values: string[] }> = [];
  const push = (from: ShareFrom, value: string) => {
    const prev = drafts[drafts.length - 1];
    // Consecutive turns of one kind are merged so the alternation LLaMA-Factory checks holds.
    if (prev && prev.from === from && from !== 'function_call') prev.values.push(value);
    else drafts.push({ from, values: [value] });
  };
  const rest: Turn[] = turns.filter((t) => t.role !== 'system');
  while (rest.length && rest[0].role === 'assistant') rest.shift();
  for (const t of rest) {
    if (t.role === 'user') push('human', t.content);
    else if (t.role === 'tool') push('observation', t.content);
    else if (t.role === 'assistant' && t.toolCalls.length) {
      const calls = t.toolCalls.map((c) => ({ name: c.name, arguments: argumentValue(c.arguments) }));
      push('function_call', JSON.stringify(calls.length === 1 ? calls[0] : calls));
    } else if (t.role === 'assistant') push('gpt', t.content);
  }
  const conversations = drafts.map(({ from, values }) => ({ from, value: from === 'observation' && values.length > 1 ? JSON.stringify(values) : values.join('\n') }));
  const tools = ep.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  return { conversations, system, tools: JSON.stringify(tools) };
}

const EXPORTERS: Record<ExportFormat, (ep: StoredEpisode) => object> = { openai: toOpenAi, sharegpt: toShareGpt, messages: toMessages };

/** One JSON line per episode. */
export function exportLines(episodes: StoredEpisode[], format: ExportFormat): string {
  return episodes.map((ep) => `${JSON.stringify(EXPORTERS[format](ep))}\n`).join('');
}
