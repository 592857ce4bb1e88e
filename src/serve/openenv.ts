import { upgradeWebSocket, type HttpBindings, type WebSocketLike } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { WSContext } from 'hono/ws';
import { z } from 'zod';
import { EpisodeOver, type ToolStep } from '../episode/episode.js';
import type { ActionResult, EpisodePort } from '../episode/port.js';
import { episodeTools, SEND_TOOL } from '../episode/tools.js';
import { SERVER_VERSION } from '../util/version.js';
import type { EpisodeAction } from '../spec/episode-api.js';
import { OpenEnvAction, OpenEnvObservation, OpenEnvReset, OpenEnvState, OpenEnvStepRequest, type OpenEnvAction as Action } from '../spec/openenv.js';
import { perform, type EpisodeHost, type EpisodeLease } from './episode-host.js';
import { HttpFailure } from './failure.js';
import { readJson } from './guard.js';

type Json = Record<string, unknown>;
const PARSE_FAILED = Symbol('parse failed');

/** OpenEnv's Tool: snake_case input_schema. The simulated user of a task is a tool too. */
const toolsOf = (episode: Pick<EpisodePort, 'info' | 'hasUser' | 'opening'>) =>
  episodeTools(episode).map((t) => ({ name: t.name, description: t.description ?? '', input_schema: t.inputSchema as Json }));

/** A tool's result as data: its value, or its text (JSON when it is JSON). */
function dataOf(step: ToolStep): unknown {
  if (step.value !== undefined) return step.value;
  try {
    return JSON.parse(step.text);
  } catch {
    return step.text;
  }
}

/** CallToolObservation as OpenEnv serializes it; a tool's own refusal is an error result, an unknown tool an error. */
function callObservation(tool: string, text: string, ok: boolean, data: unknown, notFound = false): Json {
  if (notFound) return { tool_name: tool, result: null, error: { error_type: 'tool_not_found', message: text } };
  return { tool_name: tool, result: { content: [{ type: 'text', text }], structured_content: null, data: ok ? data : null, is_error: !ok }, error: null };
}

function resetObservation(port: EpisodePort): Json {
  const start = port.start;
  const observation = {
    tools: toolsOf(port),
    episode_id: port.id,
    policy: start.policy,
    messages: start.messages,
    ...(start.user_message !== undefined ? { user_message: start.user_message } : {}),
    // OpenEnv's MCP client keeps these in the observation's metadata.
    metadata: { episode_id: port.id, ...(start.user_message !== undefined ? { user_message: start.user_message } : {}) },
  };
  return { observation, reward: null, done: false };
}

/** The episode's action for an OpenEnv action: sending to the user is a message. */
function episodeAction(action: Action): EpisodeAction {
  if (action.type === 'call_tool' && action.tool_name === SEND_TOOL) return { type: 'message', content: typeof action.arguments.message === 'string' ? action.arguments.message : '' };
  if (action.type === 'call_tool') return { type: 'call_tool', tool_name: action.tool_name, arguments: action.arguments };
  if (action.type === 'message') return { type: 'message', content: action.content };
  return { type: 'list_tools' };
}

/** `{observation, reward, done}` as OpenEnv's serialize_observation gives it. */
function stepObservation(port: EpisodePort, action: Action, { outcome, view }: ActionResult): Json {
  let observation: Json;
  if (outcome.kind === 'tools') observation = { tools: toolsOf(port) };
  else if (outcome.kind === 'message') observation = callObservation(action.type === 'call_tool' ? action.tool_name : SEND_TOOL, outcome.step.reply, true, outcome.step.reply);
  else observation = callObservation(outcome.step.tool, outcome.step.text, outcome.step.ok, dataOf(outcome.step), outcome.step.error === 'unknown_tool');
  return { observation, reward: view.reward, done: view.done };
}

/** OpenEnv's State, with the episode's reward and state beside step_count. */
async function stateOf(port: EpisodePort): Promise<Json> {
  const { episode_id, steps, ...rest } = await port.status();
  return { episode_id, step_count: steps, ...rest };
}

/** A fresh environment's State: what OpenEnv's GET /state and a socket's state message answer before any reset. */
const FRESH_STATE = { episode_id: null, step_count: 0 };

/** A validation failure in FastAPI's shape (OpenEnv's HTTP routes answer 422 with it). */
function validation(error: z.ZodError, where: string): HttpFailure & { detail: Json[] } {
  const detail = error.issues.map((i) => ({ type: i.code, loc: ['body', where, ...i.path.map(String)], msg: i.message }));
  return Object.assign(new HttpFailure(422, `Invalid ${where}: ${error.issues[0].message}`), { detail });
}

/** OpenEnv's JsonRpcRequest (extra keys forbidden, params an object, id a string, an integer or absent). */
const JsonRpcRequest = z.strictObject({
  jsonrpc: z.literal('2.0'),
  method: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  id: z.union([z.string(), z.number().int()]).nullable().default(null),
});
type JsonRpcRequest = z.infer<typeof JsonRpcRequest>;

/** A JSON-RPC response as OpenEnv's JsonRpcResponse.model_dump() gives it: `result`, or `error` with `data`. */
const rpcOk = (result: unknown, id: JsonRpcRequest['id']) => ({ jsonrpc: '2.0', id, result });
const rpcFail = (code: number, message: string, id: JsonRpcRequest['id'] = null, data: unknown = null) => ({ jsonrpc: '2.0', id, error: { code, message, data } });

/** A raw JSON-RPC message checked as OpenEnv checks it: a parse error (-32700) or an invalid request (-32600) is the answer. */
function parseRpc(raw: string): { request: JsonRpcRequest } | { answer: Json } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    return { answer: rpcFail(-32700, `Parse error: ${(err as Error).message}`) };
  }
  return checkRpc(body);
}

function checkRpc(body: unknown): { request: JsonRpcRequest } | { answer: Json } {
  const parsed = JsonRpcRequest.safeParse(body);
  if (parsed.success) return { request: parsed.data };
  const issue = parsed.error.issues[0];
  return { answer: rpcFail(-32600, `Invalid request: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`) };
}

/** A capacity failure in OpenEnv's words: how many sessions are open and how many may be. */
const capacity = (host: EpisodeHost) => ({ active_sessions: host.table.size, max_sessions: host.table.max });

/**
 * OpenEnv's protocol on envscale episodes, at /openenv/<domain>: the WebSocket /ws (reset, step,
 * state, close and mcp messages; one episode per connection, ended with it), the WebSocket /mcp
 * (JSON-RPC only, on an episode opened with the connection) and the HTTP routes /health,
 * /metadata, /schema, /reset, /step, /state and /mcp. HTTP reset opens an episode that
 * lives until DELETE /v1/episodes/<id> or its TTL; /step and /state name it with episode_id
 * (/state without one answers a fresh environment's State, as OpenEnv does).
 * Actions are MCP tool calls; the simulated user of a task is the tool send_message_to_user.
 */
export function openEnvRoutes(app: Hono<{ Bindings: HttpBindings }>, host: EpisodeHost, maxBodyBytes: number): void {
  const base = '/openenv/:domain';
  const domainOf = (c: Context) => host.domain(c.req.param('domain')!);
  /** The episode an HTTP request names, which must be of the route's domain. */
  const leaseOf = (c: Context, id: unknown): EpisodeLease => {
    if (typeof id !== 'string' || !id) throw new HttpFailure(422, 'Name the episode: episode_id, as /reset returned it.');
    const lease = host.find(id);
    if (lease.domain !== c.req.param('domain')) throw new HttpFailure(404, `Episode ${id} is not an episode of ${c.req.param('domain')}.`);
    return lease;
  };
  /** Before a WebSocket upgrade: an unknown domain is a 404, not a socket. */
  const knownDomain = (c: Context, next: () => Promise<void>) => {
    domainOf(c);
    return next();
  };
  const failed = (c: Context, f: HttpFailure & { detail?: Json[] }) => (f.detail ? c.json({ detail: f.detail }, 422) : c.json({ detail: f.message }, f.status));

  app.get(`${base}/health`, (c) => {
    domainOf(c);
    return c.json({ status: 'healthy' });
  });
  app.get(`${base}/metadata`, async (c) => {
    const info = await host.source.info(domainOf(c));
    return c.json({ name: info.name, description: info.description, readme_content: info.policy, version: SERVER_VERSION, author: null, documentation_url: null });
  });
  app.get(`${base}/schema`, (c) => {
    domainOf(c);
    const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
    return c.json({ action: schema(OpenEnvAction), observation: schema(OpenEnvObservation), state: schema(OpenEnvState) });
  });
  app.post(`${base}/reset`, async (c) => {
    const domain = domainOf(c);
    const body = await readJson(c.req.raw, maxBodyBytes).catch((err: unknown) => (err instanceof HttpFailure && err.status === 400 && c.req.header('content-length') === '0' ? {} : Promise.reject(err)));
    const parsed = OpenEnvReset.safeParse(body ?? {});
    if (!parsed.success) return failed(c, validation(parsed.error, 'reset'));
    const { episode_id: _label, ...settings } = parsed.data;
    const lease = await host.create(domain, settings);
    return c.json(resetObservation(lease.port));
  });
  app.post(`${base}/step`, async (c) => {
    const parsed = OpenEnvStepRequest.safeParse(await readJson(c.req.raw, maxBodyBytes));
    if (!parsed.success) return failed(c, validation(parsed.error, 'step'));
    const lease = leaseOf(c, parsed.data.episode_id);
    const action = parsed.data.action;
    const result = await host.act(lease, episodeAction(action)).catch((err: unknown) => (err instanceof HttpFailure ? err : Promise.reject(err)));
    if (result instanceof HttpFailure) return failed(c, result);
    return c.json(stepObservation(lease.port, action, result));
  });
  // Without an episode_id OpenEnv answers the State of a new environment (its handler makes one and reads it).
  app.get(`${base}/state`, async (c) => {
    const id = c.req.query('episode_id');
    if (!id) {
      domainOf(c);
      return c.json(FRESH_STATE);
    }
    return c.json(await stateOf(leaseOf(c, id).port));
  });
  app.post(`${base}/mcp`, async (c) => {
    const domain = domainOf(c);
    const body = await readJson(c.req.raw, maxBodyBytes).catch((err: unknown) => (err instanceof HttpFailure && err.code === -32700 ? PARSE_FAILED : Promise.reject(err)));
    const checked = body === PARSE_FAILED ? { answer: rpcFail(-32700, 'Parse error') } : checkRpc(body);
    return c.json('answer' in checked ? checked.answer : await mcpRequest(host, domain, checked.request, undefined));
  });

  // JSON-RPC over a WebSocket, as OpenEnv's /mcp socket: the connection opens an episode (settings
  // from the query, e.g. ?task=<id>&seed=n) and ends it when it closes.
  app.get(
    `${base}/mcp`,
    knownDomain,
    upgradeWebSocket((c) => {
      const domain = host.domain(c.req.param('domain')!);
      const query = new URL(c.req.url).searchParams;
      const settings = OpenEnvReset.safeParse({
        ...(query.get('task') ? { task: query.get('task') } : {}),
        ...(query.get('user') ? { user: query.get('user') } : {}),
        ...(query.get('seed') ? { seed: Number(query.get('seed')) } : {}),
      });
      let lease: EpisodeLease | undefined;
      let queue: Promise<unknown> = Promise.resolve();
      return {
        onOpen(_event, ws) {
          queue = (async () => {
            if (!settings.success) throw new HttpFailure(400, `Invalid query: ${settings.error.issues[0].message}`);
            lease = await host.create(domain, settings.data);
          })().catch((err: unknown) => {
            const data = err instanceof HttpFailure && err.status === 503 ? capacity(host) : null;
            ws.send(JSON.stringify(rpcFail(-32000, (err as Error).message, null, data)));
            ws.close();
          });
        },
        onMessage(event, ws) {
          const raw = typeof event.data === 'string' ? event.data : Buffer.from(event.data as ArrayBuffer).toString('utf8');
          queue = queue.then(async () => {
            if (!lease) return;
            const checked = parseRpc(raw);
            ws.send(JSON.stringify('answer' in checked ? checked.answer : await mcpRequest(host, domain, checked.request, lease)));
          });
        },
        onClose() {
          void queue.then(() => lease && host.delete(lease));
        },
      };
    }),
  );

  app.get(
    `${base}/ws`,
    knownDomain,
    upgradeWebSocket((c) => {
      const domain = host.domain(c.req.param('domain')!);
      let lease: EpisodeLease | undefined;
      const end = () => {
        if (lease) host.delete(lease);
        lease = undefined;
      };
      const send = (ws: WSContext<WebSocketLike>, type: string, data: unknown) => ws.send(JSON.stringify({ type, data }));
      const error = (ws: WSContext<WebSocketLike>, code: string, message: string, extra: Json = {}) => send(ws, 'error', { message, code, ...extra });
      /** Messages are handled one at a time, in the order they came. */
      let queue: Promise<void> = Promise.resolve();
      const handle = async (raw: string, ws: WSContext<WebSocketLike>) => {
        let message: Json;
        try {
          message = JSON.parse(raw) as Json;
        } catch (err) {
          return error(ws, 'INVALID_JSON', `Invalid JSON: ${(err as Error).message}`);
        }
        const type = typeof message?.type === 'string' ? message.type : '';
        try {
          switch (type) {
            case 'reset': {
              const parsed = z.strictObject({ type: z.literal('reset'), data: OpenEnvReset.default({}) }).safeParse(message);
              if (!parsed.success) return error(ws, 'VALIDATION_ERROR', 'Invalid message', { errors: parsed.error.issues });
              const { episode_id: _label, ...settings } = parsed.data.data;
              end();
              try {
                lease = await host.create(domain, settings);
              } catch (err) {
                if (err instanceof HttpFailure && err.status === 503) return error(ws, 'CAPACITY_REACHED', err.message, capacity(host));
                if (err instanceof HttpFailure && err.status === 400) return error(ws, 'FACTORY_ERROR', err.message);
                throw err;
              }
              return send(ws, 'observation', resetObservation(lease.port));
            }
            case 'step': {
              const parsed = z.strictObject({ type: z.literal('step'), data: OpenEnvAction }).safeParse(message);
              if (!parsed.success) return error(ws, 'VALIDATION_ERROR', 'Invalid message', { errors: parsed.error.issues });
              const action = parsed.data.data;
              if (!lease) {
                if (action.type === 'list_tools') return send(ws, 'observation', { observation: { tools: toolsOf({ info: await host.source.info(domain), hasUser: false }) }, reward: null, done: false });
                return error(ws, 'SESSION_ERROR', 'No episode yet: send reset first (with a task id to play one).');
              }
              return send(ws, 'observation', stepObservation(lease.port, action, await host.act(lease, episodeAction(action))));
            }
            case 'state':
              if (!lease) return send(ws, 'state', FRESH_STATE);
              return send(ws, 'state', await stateOf(lease.port));
            case 'close':
              end();
              return ws.close();
            case 'mcp': {
              const parsed = z.strictObject({ type: z.literal('mcp'), data: z.record(z.string(), z.unknown()) }).safeParse(message);
              if (!parsed.success) return error(ws, 'VALIDATION_ERROR', 'Invalid message', { errors: parsed.error.issues });
              const checked = checkRpc(parsed.data.data);
              return send(ws, 'mcp', 'answer' in checked ? checked.answer : await mcpRequest(host, domain, checked.request, lease));
            }
            default:
              return error(ws, 'UNKNOWN_TYPE', `Unknown message type: ${type}`);
          }
        } catch (err) {
          if (err instanceof HttpFailure && err.status === 404) {
            lease = undefined;
            return error(ws, 'SESSION_ERROR', err.message);
          }
          return error(ws, 'EXECUTION_ERROR', (err as Error).message);
        }
      };
      return {
        onMessage(event, ws) {
          const raw = typeof event.data === 'string' ? event.data : Buffer.from(event.data as ArrayBuffer).toString('utf8');
          queue = queue.then(() => handle(raw, ws));
        },
        onClose() {
          void queue.then(end);
        },
      };
    }),
  );
}

/**
 * OpenEnv's JSON-RPC over HTTP /mcp and the WebSocket's mcp messages: tools/list and tools/call,
 * on the connection's episode, on the episode params.session_id names, or (neither) on a fresh
 * episode of the seed state that ends with the call; openenv/session/create and /close open and
 * end episodes (the session id is the episode id).
 */
async function mcpRequest(host: EpisodeHost, domain: string, request: JsonRpcRequest, own: EpisodeLease | undefined): Promise<Json> {
  const { id, params } = request;
  const ok = (result: unknown) => rpcOk(result, id);
  const fail = (code: number, message: string, data: unknown = null) => rpcFail(code, message, id, data);
  try {
    if (request.method === 'openenv/session/create') {
      if (own) return ok({ session_id: own.id });
      const settings = OpenEnvReset.safeParse(Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'session_id')));
      if (!settings.success) return fail(-32602, `Invalid params: ${settings.error.issues[0].message}`);
      const { episode_id: _label, ...rest } = settings.data;
      const lease = await host.create(domain, rest).catch((err: unknown) => err as Error);
      if (lease instanceof HttpFailure && lease.status === 503) return fail(-32000, lease.message, capacity(host));
      if (lease instanceof Error) return fail(-32000, lease.message);
      return ok({ session_id: lease.id });
    }
    if (request.method === 'openenv/session/close') {
      if (typeof params.session_id !== 'string') return fail(-32602, "Invalid params - 'session_id' is required");
      if (own && params.session_id === own.id) return fail(-32600, 'Cannot close active WebSocket-managed session via MCP method');
      host.delete(host.find(params.session_id));
      return ok({ session_id: params.session_id, closed: true });
    }
    if (request.method !== 'tools/list' && request.method !== 'tools/call') return fail(-32601, `Method not found: ${request.method}`);
    let lease = own;
    if (!lease && typeof params.session_id === 'string') {
      lease = host.find(params.session_id);
      if (lease.domain !== domain) return fail(-32602, `Unknown session_id: ${params.session_id}`);
    }
    if (request.method === 'tools/list') {
      const tools = toolsOf(lease ? lease.port : { info: await host.source.info(domain), hasUser: false });
      return ok({ tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.input_schema })) });
    }
    const name = params.name;
    if (typeof name !== 'string' || !name) return fail(-32602, "Missing 'name' in params");
    const args = params.arguments ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return fail(-32602, "'arguments' must be an object");
    const action = episodeAction({ type: 'call_tool', tool_name: name, arguments: args as Json });
    // Without an episode: a fresh one on the seed state, gone after the call (OpenEnv's stateless /mcp).
    const port = lease ? lease.port : await host.openLoose(domain);
    try {
      const { outcome } = lease ? await host.act(lease, action) : await perform(port, action);
      if (outcome.kind === 'message') return ok({ content: [{ type: 'text', text: outcome.step.reply }], isError: false });
      if (outcome.kind !== 'tool') return fail(-32603, 'unexpected outcome');
      const { step } = outcome;
      if (step.error === 'unknown_tool') return fail(-32602, `Tool not found: ${name}`);
      return ok({ content: [{ type: 'text', text: step.text }], ...(step.ok ? {} : { isError: true }), data: step.ok ? dataOf(step) : null });
    } finally {
      if (!lease) port.close();
    }
  } catch (err) {
    if (err instanceof HttpFailure && err.status === 404) return fail(-32602, `Unknown session_id: ${String(params.session_id ?? '')}`);
    if (err instanceof HttpFailure || err instanceof EpisodeOver) return fail(-32603, err.message);
    return fail(-32603, (err as Error).message);
  }
}
