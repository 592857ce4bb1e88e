import { ChatModel, DEFAULT_ENDPOINT, type Endpoint } from '../llm/chat-model.js';
import { UserError } from '../util/errors.js';
import { OpenAiUser } from './openai-user.js';
import { ScriptedUser } from './scripted-user.js';
import type { SimulatedUser } from './types.js';

/** The model of an `openai:<model>` spec; anything else names no known role player. */
export function modelName(spec: string, role: string, choices: string): string {
  const m = /^openai:(.+)$/.exec(spec);
  if (!m) throw new UserError(`Unknown ${role} "${spec}"; use ${choices}.`);
  return m[1];
}

/** `scripted` or `openai:<model>`. */
export function makeUser(spec: string, endpoint: Partial<Endpoint> = {}): SimulatedUser {
  if (spec === 'scripted') return new ScriptedUser();
  const model = modelName(spec, 'user', 'scripted or openai:<model>');
  return new OpenAiUser(new ChatModel('user', model, { ...DEFAULT_ENDPOINT, ...endpoint }), spec);
}
