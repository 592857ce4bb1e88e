import { DEFAULT_ENDPOINT, type Endpoint } from '../llm/chat-model.js';
import { makeAgent } from '../rollout/agents.js';
import { makeUser, modelName } from '../episode/users.js';
import type { Agent, SimulatedUser } from '../episode/types.js';
import type { RoleSpec } from '../spec/queue.js';
import type { ModelInfo } from '../spec/trajectory.js';
import { UserError } from '../util/errors.js';

/**
 * A role as the coordinator sends it to workers: the spec and the endpoint settings given on its
 * command line. A key given there cannot travel (keys never go through Redis).
 */
export function roleSpec(role: 'agent' | 'user', spec: string, endpoint: Partial<Endpoint>): RoleSpec {
  if (endpoint.apiKey) throw new UserError(`--${role}-api-key does not reach queue workers; set OPENAI_API_KEY in each worker's environment instead.`);
  const { baseURL, temperature, timeoutMs, maxRetries, retryBaseMs } = { ...DEFAULT_ENDPOINT, ...endpoint };
  return { spec, endpoint: { ...(baseURL ? { baseURL } : {}), temperature, timeoutMs, maxRetries, retryBaseMs } };
}

/**
 * The role as the run records it, without a model client: the coordinator needs no key, and
 * where each worker's endpoint is (its OPENAI_BASE_URL) is not part of which run it is.
 */
export function roleInfo(role: 'agent' | 'user', r: RoleSpec): ModelInfo {
  if (!r.spec.startsWith('openai:')) return role === 'agent' ? makeAgent(r.spec).info : makeUser(r.spec).info;
  const model = modelName(r.spec, role, role === 'agent' ? 'oracle or openai:<model>' : 'scripted or openai:<model>');
  return { spec: r.spec, model, ...(r.endpoint.baseURL ? { base_url: r.endpoint.baseURL } : {}), temperature: r.endpoint.temperature };
}

/** A worker's agents and users, one per role spec (model clients are reused across episodes). */
export class Roles {
  private readonly agents = new Map<string, Agent>();
  private readonly users = new Map<string, SimulatedUser>();

  agent(r: RoleSpec): Agent {
    const k = JSON.stringify(r);
    let a = this.agents.get(k);
    if (!a) this.agents.set(k, (a = makeAgent(r.spec, r.endpoint)));
    return a;
  }

  user(r: RoleSpec): SimulatedUser {
    const k = JSON.stringify(r);
    let u = this.users.get(k);
    if (!u) this.users.set(k, (u = makeUser(r.spec, r.endpoint)));
    return u;
  }
}
