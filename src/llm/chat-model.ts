import OpenAI from 'openai';
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

/** A chat-completions model behind an OpenAI-compatible endpoint, with retries and backoff. */
export class ChatModel {
  private readonly client: OpenAI;

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
    // Retries are ours, not the SDK's, so that each one is recorded and counted.
    this.client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: endpoint.timeoutMs });
  }

  get baseURL(): string {
    return this.client.baseURL;
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
    const encode = (v: object) => (options.memo ? options.memo.of(v) : JSON.stringify(v));
    const head = `{"model":${JSON.stringify(this.model)},"messages":[${messages.map(encode).join(',')}],"temperature":${JSON.stringify(this.endpoint.temperature)}`;
    const tail = `${options.seed === undefined ? '' : `,"seed":${JSON.stringify(options.seed)}`}${options.tools?.length ? `,"tools":${encode(options.tools)}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      let problem: { message: string; retryable: boolean; fatal: boolean };
      try {
        // The request body as the SDK would write it, but assembled from the parts serialized once.
        const body = `${head}${tail}${json ? ',"response_format":{"type":"json_object"}' : ''}}`;
        const res = await this.client.post<ChatCompletion>('/chat/completions', { body, headers: { 'content-type': 'application/json' } });
        const message = res?.choices?.[0]?.message;
        if (message) return { content: typeof message.content === 'string' ? message.content : '', toolCalls: readToolCalls(message.tool_calls) };
        problem = { message: 'the response has no choices[0].message', retryable: true, fatal: false };
      } catch (err) {
        if (json && err instanceof OpenAI.APIError && err.status === 400) {
          json = false;
          attempt--;
          continue;
        }
        problem = this.classify(err);
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

  private classify(err: unknown): { message: string; retryable: boolean; fatal: boolean } {
    if (err instanceof OpenAI.APIConnectionTimeoutError) return { message: `no answer within ${this.endpoint.timeoutMs} ms`, retryable: true, fatal: false };
    if (err instanceof OpenAI.APIConnectionError) {
      // Nothing listens there, or the host does not exist: retrying cannot help, so stop at once.
      const dead = deadEndpoint(err);
      if (dead) return { message: dead, retryable: false, fatal: true };
      return { message: `cannot connect (${messageOf(rootCause(err))})`, retryable: true, fatal: true };
    }
    if (err instanceof OpenAI.APIError) {
      const status = err.status ?? 0;
      const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
      return { message: `HTTP ${status}: ${err.message}`, retryable, fatal: status === 401 || status === 403 || status === 404 };
    }
    // A body that is not JSON, or a client-side failure while reading it.
    return { message: messageOf(err), retryable: true, fatal: false };
  }
}

/** The innermost cause of an error (fetch wraps the socket's error). */
function rootCause(err: unknown): unknown {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  return e;
}

/** Why an endpoint cannot be reached at all (connection refused, unknown host, a port fetch refuses), or undefined. */
function deadEndpoint(err: unknown): string | undefined {
  const cause = rootCause(err) as NodeJS.ErrnoException;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') {
    const host = (cause as { hostname?: string }).hostname;
    return host ? `the host ${host} is not found` : 'the host is not found';
  }
  if (cause instanceof Error && cause.message === 'bad port') return 'fetch refuses to connect to that port';
  return undefined;
}
