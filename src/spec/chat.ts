import { messageOf } from '../util/errors.js';
import type { StoredToolCall } from './trajectory.js';

/** The conversation as the agent sees it, in the OpenAI chat shape. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: StoredToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** What the agent does on its turn: say something to the user, call tools, or both. */
export interface AgentTurn {
  content: string;
  toolCalls: StoredToolCall[];
}

/** What the agent says first, as in tau-bench: the user answers it with their request. */
export const GREETING = 'Hi! How can I help you today?';

/** Tokens a simulated user ends the conversation with (tau-bench / tau2 conventions). */
export const USER_STOP_TOKENS = { '###STOP###': 'user_stop', '###TRANSFER###': 'transfer', '###OUT-OF-SCOPE###': 'out_of_scope' } as const;

/** The stop reason a user message carries, if any. */
export function userStopReason(text: string): (typeof USER_STOP_TOKENS)[keyof typeof USER_STOP_TOKENS] | undefined {
  for (const [token, reason] of Object.entries(USER_STOP_TOKENS)) if (text.includes(token)) return reason;
  return undefined;
}

/** An agent hands the user over to a human by calling a transfer tool (tau-bench's transfer_to_human_agents). */
export const isTransferTool = (name: string) => /^transfer_to_human/.test(name);

/** The last thing the agent said to the user in plain text. */
export function lastAgentText(transcript: readonly ChatMessage[]): string {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const m = transcript[i];
    if (m.role === 'assistant' && m.content.trim()) return m.content;
    if (m.role === 'user') break;
  }
  return '';
}

/** Parse a tool call's raw arguments: an empty string means no arguments; anything else must be a JSON object. */
export function parseArguments(raw: string): { args: Record<string, unknown> } | { problem: string } {
  if (raw.trim() === '') return { args: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { problem: `not valid JSON (${messageOf(err)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  return { args: value as Record<string, unknown> };
}
