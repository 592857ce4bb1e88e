import { Agent } from 'undici';
import type { ChatCompletion, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ModelInfo, StoredToolCall } from '../spec/trajectory.js';
import { UserError, messageOf } from '../util/errors.js';
import { ModelFailure } from './failure.js';
/** Reports a model request that failed and is being retried (a rollout records it as an error event). */
export type RetryListener = (message: string, attempt: number) => void;

/** Where and how one role (agent, user, task writer, synthesizer) reaches its model. */
export interface Endpoint {
  baseURL?: string;
  apiKey?: string;
  temperature: number;
  /** Per request, milliseconds. */
  timeoutMs: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and broken responses. */
  maxRetries: number;
  /** First backoff, doubled on each retry. */
  retryBaseMs: number;
}

export const DEFAULT_ENDPOINT: Endpoint = { temperature: 0, timeoutMs: 120_000, maxRetries: 4, retryBaseMs: 500 };

export { ModelFailure };

export interface Completion {
  content: string;
  toolCalls: StoredToolCall[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * JSON of objects a caller will not change again (a tool list, the messages of a transcript that
 * only grows), kept so that each is serialized once rather than on every turn: a tool list is
 * often tens of kilobytes, and it goes with every request of an episode.
 */
export class JsonMemo {
  private readonly texts = new WeakMap<object, string>();

  of(value: object): string {
    let text = this.texts.get(value);
    if (text === undefined) this.texts.set(value, (text = JSON.stringify(value)));
    return text;
  }
}

export interface CompleteOptions {
  tools?: ChatCompletionTool[];
  seed?: number;
  json?: boolean;
  onRetry?: RetryListener;
  /** Serializes the tool list and each message once (the caller promises not to change them). */
  memo?: JsonMemo;
}

/**
 * Normalize the tool calls of a reply without judging them: a call with no name or with
 * arguments that are not a string is kept as the model sent it, so the orchestrator can answer
 * it with an error and the recorder can count it.
 */
function readToolCalls(raw: unknown): StoredToolCall[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((c: any, i: number) => {
    const fn = c?.function ?? {};
    const args = fn.arguments;
    return {
      id: typeof c?.id === 'string' && c.id ? c.id : `call_${i}`,
      name: typeof fn.name === 'string' ? fn.name : '',
      arguments: typeof args === 'string' ? args : args === undefined || args === null ? '' : JSON.stringify(args),
    };
  });
}

/**
 * One connection pool per process for every model endpoint, kept alive between requests. A
 * server's keep-alive hint is cut by 2 s rather than undici's 1 s, so that on a busy machine the
 * client drops an idle connection well before the server closes it.
 */
let pool: Agent | undefined;
const connections = () => (pool ??= new Agent({ keepAliveTimeoutThreshold: 2_000 }));

/** undici's codes for a connection that closed before its answer came (a kept-alive socket the server had just closed, mostly). */
const CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** What went wrong with one attempt, and whether another attempt can help. */
interface Problem {
  message: string;
  retryable: boolean;
  fatal: boolean;
  /** An HTTP status, when the server answered. */
  status?: number;
  /** The error code, when the request failed before an answer (ECONNRESET, UND_ERR_SOCKET...). */
  code?: string;
}

/** The error message in an OpenAI-style error body (`{"error": {"message": ...}}`), else the body itself, cut short. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const inner = typeof parsed?.error === 'object' ? parsed.error?.message : (parsed?.error ?? parsed?.message);
    if (typeof inner === 'string' && inner) return inner;
  } catch {
    // not JSON: the text is the message
  }
  const text = body.trim();
  return text.length > 300 ? `${text.slice(0, 300)}...` : text || '(empty body)';
}

/**
 * A chat-completions model behind an OpenAI-compatible endpoint, with retries and backoff.
 * Requests go over undici's `request` on one kept-alive pool: the OpenAI SDK over fetch cost
 * about 1.2 ms CPU per request against 0.2 ms for this (bench in docs/architecture.md), and an
 * agent makes one request per turn.
 */
export class ChatModel {
  readonly baseURL: string;
  private readonly origin: string;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(
    /** What the model is for; names it in errors. */
    readonly role: string,
    readonly model: string,
    readonly endpoint: Endpoint,
    /** The command-line flag that sets this role's endpoint, for error messages. */
    readonly baseUrlFlag = `--${role}-base-url`,
  ) {
    const baseURL = endpoint.baseURL ?? process.env.OPENAI_BASE_URL;
    const apiKey = endpoint.apiKey ?? process.env.OPENAI_API_KEY ?? (baseURL ? 'unused' : undefined);
    if (!apiKey) {
      throw new UserError(`The ${role} model ${model} needs OPENAI_API_KEY, or a local OpenAI-compatible server in OPENAI_BASE_URL or ${baseUrlFlag}.`);
    }
    this.baseURL = baseURL || 'https://api.openai.com/v1';
    let url: URL;
    try {
      url = new URL(`${this.baseURL.replace(/\/+$/, '')}/chat/completions`);
    } catch {
      throw new UserError(`The ${role} model's base URL ${this.baseURL} is not a URL; give one like http://localhost:8000/v1 in ${baseUrlFlag} or OPENAI_BASE_URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserError(`The ${role} model's base URL ${this.baseURL} is not http(s); give one like http://localhost:8000/v1 in ${baseUrlFlag} or OPENAI_BASE_URL.`);
    }
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    // The headers the OpenAI SDK sends that a server may look at (organization and project, as the SDK reads them).
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${apiKey}`,
      ...(process.env.OPENAI_ORG_ID ? { 'openai-organization': process.env.OPENAI_ORG_ID } : {}),
      ...(process.env.OPENAI_PROJECT_ID ? { 'openai-project': process.env.OPENAI_PROJECT_ID } : {}),
    };
  }

  info(spec: string, seed?: number): ModelInfo {
    return { spec, model: this.model, base_url: this.baseURL, temperature: this.endpoint.temperature, ...(seed === undefined ? {} : { seed }) };
  }

  /**
   * One completion. `json` asks for a JSON object reply (response_format json_object); an
   * endpoint that rejects that option (HTTP 400) is asked again without it, and the caller parses
   * whatever text comes back.
   */
  async complete(messages: ChatCompletionMessageParam[], options: CompleteOptions = {}): Promise<Completion> {
    let json = options.json === true;
    let resent = false;
    const encode = (v: object) => (options.memo ? options.memo.of(v) : JSON.stringify(v));
    // The request body as the OpenAI SDK writes it, assembled from the parts serialized once.
    const head = `{"model":${JSON.stringify(this.model)},"messages":[${messages.map(encode).join(',')}],"temperature":${JSON.stringify(this.endpoint.temperature)}`;
    const tail = `${options.seed === undefined ? '' : `,"seed":${JSON.stringify(options.seed)}`}${options.tools?.length ? `,"tools":${encode(options.tools)}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(`${head}${tail}${json ? ',"response_format":{"type":"json_object"}' : ''}}`);
      if (!('retryable' in outcome)) return outcome;
      const problem = outcome;
      if (json && problem.status === 400) {
        json = false;
        attempt--;
        continue;
      }
      // A kept-alive connection the server closed just as it was reused: sent again at once, once, uncounted.
      if (!resent && CLOSED.has(problem.code ?? '')) {
        resent = true;
        attempt--;
        continue;
      }
      if (!problem.retryable || attempt >= this.endpoint.maxRetries) {
        const where = `the ${this.role} model ${this.model} at ${this.baseURL}`;
        const fix = problem.fatal ? `; check ${this.baseUrlFlag} / OPENAI_BASE_URL, the key and the model name` : '';
        throw new ModelFailure(`Request to ${where} failed${attempt > 0 ? ` after ${attempt + 1} attempts` : ''}: ${problem.message}${fix}.`, problem.fatal);
      }
      options.onRetry?.(problem.message, attempt + 1);
      await sleep(this.endpoint.retryBaseMs * 2 ** attempt);
    }
  }

  /** One request: the completion, or what went wrong. */
  private async attempt(body: string): Promise<Completion | Problem> {
    let status: number;
    let text: string;
    try {
      const res = await connections().request({
        origin: this.origin,
        path: this.path,
        method: 'POST',
        headers: this.headers,
        body,
        headersTimeout: this.endpoint.timeoutMs,
        bodyTimeout: this.endpoint.timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      return this.connectionProblem(err);
    }
    if (status >= 400) {
      const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
      return { message: `HTTP ${status}: ${errorText(text)}`, retryable, fatal: status === 401 || status === 403 || status === 404, status };
    }
    let message: { content?: unknown; tool_calls?: unknown } | undefined;
    try {
      message = (JSON.parse(text) as ChatCompletion)?.choices?.[0]?.message;
    } catch {
      return { message: `the response is not JSON (${errorText(text)})`, retryable: true, fatal: false };
    }
    if (!message) return { message: 'the response has no choices[0].message', retryable: true, fatal: false };
    return { content: typeof message.content === 'string' ? message.content : '', toolCalls: readToolCalls(message.tool_calls) };
  }

  private connectionProblem(err: unknown): Problem {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && TIMEOUTS.has(code)) return { message: `no answer within ${this.endpoint.timeoutMs} ms`, retryable: true, fatal: false, code };
    // Nothing listens there, or the host does not exist: retrying cannot help, so stop at once.
    const dead = deadEndpoint(err);
    if (dead) return { message: dead, retryable: false, fatal: true, code };
    return { message: `cannot connect (${messageOf(rootCause(err))})`, retryable: true, fatal: !code || !CLOSED.has(code), code };
  }
}

/** The innermost cause of an error. */
function rootCause(err: unknown): unknown {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  return e;
}

/** Why an endpoint cannot be reached at all (connection refused, unknown host), or undefined. */
function deadEndpoint(err: unknown): string | undefined {
  const cause = rootCause(err) as NodeJS.ErrnoException;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') {
    const host = (cause as { hostname?: string }).hostname;
    return host ? `the host ${host} is not found` : 'the host is not found';
  }
  return undefined;
}
