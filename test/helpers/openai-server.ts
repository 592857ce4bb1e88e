import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The parts of a chat-completions request the tests look at. */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content?: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string } }>;
  temperature?: number;
  seed?: number;
}

export interface ScriptedCall {
  id?: string;
  /** Omit to send a call without a function name. */
  name?: string;
  /** A string is sent as is (possibly broken JSON); anything else is JSON-encoded. */
  arguments?: unknown;
}

/** One scripted answer: a message, an HTTP failure, a raw body, a connection closed with no answer, or an answer after a delay. */
export type Reply =
  | { content?: string; toolCalls?: ScriptedCall[] }
  | { status: number; body?: string }
  | { raw: string }
  | { drop: true }
  | { delayMs: number; then: Reply };

export interface OpenAiServer {
  /** Base URL for the openai client, e.g. http://127.0.0.1:1234/v1. */
  url: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

function completion(model: string, reply: { content?: string; toolCalls?: ScriptedCall[] }, n: number): object {
  const toolCalls = reply.toolCalls?.map((c, i) => ({
    id: c.id ?? `call_${n}_${i}`,
    type: 'function',
    function: { ...(c.name === undefined ? {} : { name: c.name }), arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
  }));
  return {
    id: `chatcmpl-${n}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, finish_reason: toolCalls ? 'tool_calls' : 'stop', message: { role: 'assistant', content: reply.content ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) } }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

/**
 * A small OpenAI-compatible server on 127.0.0.1:0 answering POST /v1/chat/completions with the
 * replies a test scripts: `script(request, index)` is asked for each request in arrival order.
 */
export async function startOpenAiServer(script: (req: ChatRequest, index: number) => Reply | Promise<Reply>): Promise<OpenAiServer> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      const n = requests.push(body) - 1;
      let reply = await script(body, n);
      while ('delayMs' in reply) {
        await new Promise((r) => setTimeout(r, (reply as { delayMs: number }).delayMs));
        reply = reply.then;
      }
      // The client may have given up (timeout) while we waited.
      if (res.destroyed || res.writableEnded) return;
      if ('drop' in reply) {
        res.socket?.destroy();
      } else if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body ?? JSON.stringify({ error: { message: `scripted failure ${reply.status}`, type: 'server_error' } }));
      } else if ('raw' in reply) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(reply.raw);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion(body.model, reply, n)));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A script that hands out each model's replies in order (the last one repeats). */
export function queues(byModel: Record<string, Reply[]>): (req: ChatRequest) => Reply {
  const next: Record<string, number> = {};
  return (req) => {
    const list = byModel[req.model];
    if (!list) return { status: 404, body: JSON.stringify({ error: { message: `model ${req.model} not found` } }) };
    const i = next[req.model] ?? 0;
    next[req.model] = i + 1;
    return list[Math.min(i, list.length - 1)];
  };
}
