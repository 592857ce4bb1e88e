import { UserError } from '../util/errors.js';
import { ChatModel, DEFAULT_ENDPOINT, type Endpoint } from '../llm/chat-model.js';
import { OpenAiAgent } from './openai-agent.js';
import { OpenAiUser } from './openai-user.js';
import { OracleAgent } from './oracle.js';
import { ScriptedUser } from './scripted-user.js';
import type { Agent, SimulatedUser } from './types.js';

function modelName(spec: string, role: string, choices: string): string {
  const m = /^openai:(.+)$/.exec(spec);
  if (!m) throw new UserError(`Unknown ${role} "${spec}"; use ${choices}.`);
  return m[1];
}

/** `oracle` or `openai:<model>`. */
export function makeAgent(spec: string, endpoint: Partial<Endpoint> = {}): Agent {
  if (spec === 'oracle') return new OracleAgent();
  const model = modelName(spec, 'agent', 'oracle or openai:<model>');
  return new OpenAiAgent(new ChatModel('agent', model, { ...DEFAULT_ENDPOINT, ...endpoint }), spec);
}

/** `scripted` or `openai:<model>`. */
export function makeUser(spec: string, endpoint: Partial<Endpoint> = {}): SimulatedUser {
  if (spec === 'scripted') return new ScriptedUser();
  const model = modelName(spec, 'user', 'scripted or openai:<model>');
  return new OpenAiUser(new ChatModel('user', model, { ...DEFAULT_ENDPOINT, ...endpoint }), spec);
}
