import { ChatModel, DEFAULT_ENDPOINT, type Endpoint } from '../llm/chat-model.js';
import type { Agent } from '../episode/types.js';
import { modelName } from '../episode/users.js';
import { OpenAiAgent } from './openai-agent.js';
import { OracleAgent } from './oracle.js';

/** `oracle` or `openai:<model>`. */
export function makeAgent(spec: string, endpoint: Partial<Endpoint> = {}): Agent {
  if (spec === 'oracle') return new OracleAgent();
  const model = modelName(spec, 'agent', 'oracle or openai:<model>');
  return new OpenAiAgent(new ChatModel('agent', model, { ...DEFAULT_ENDPOINT, ...endpoint }), spec);
}
