import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstantModel } from '../../bench/instant-model.js';
import { ChatModel, DEFAULT_ENDPOINT, JsonMemo } from '../../src/llm/chat-model.js';
import { queues, startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.js';

const tools: ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_order', description: 'Read an order.', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } } },
  { type: 'function', function: { name: 'cancel_order', description: 'Cancel "an" order \u2014 for good.', parameters: { type: 'object', properties: {} } } },
];

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer(() => ({ content: 'ok' }));
});
afterAll(() => server.close());

describe('the chat model client', () => {
  it('sends the request the OpenAI SDK would send, also with its parts serialized once for a transcript that grows', async () => {
    const sdk = new OpenAI({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    const model = new ChatModel('agent', 'm-1', { ...DEFAULT_ENDPOINT, temperature: 0.3, baseURL: server.url, apiKey: 'k' });
    const memo = new JsonMemo();
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Be brief. He said "role":"user".' },
      { role: 'user', content: 'Cancel order #1.' },
    ];
    for (const turn of [1, 2]) {
      const start = server.requests.length;
      await sdk.chat.completions.create({ model: 'm-1', messages, temperature: 0.3, seed: 7, tools });
      await model.complete(messages, { tools, seed: 7 });
      await model.complete(messages, { tools, seed: 7, memo });
      const [bySdk, plain, memoized] = server.requests.slice(start);
      expect(plain).toEqual(bySdk);
      expect(memoized).toEqual(bySdk);
      expect(memoized.messages).toHaveLength(turn + 1);
      messages.push({ role: 'assistant', content: `answer ${turn}` });
    }
    const start = server.requests.length;
    await model.complete([{ role: 'user', content: 'x' }], { json: true });
    expect(server.requests[start]).toEqual({ model: 'm-1', messages: [{ role: 'user', content: 'x' }], temperature: 0.3, response_format: { type: 'json_object' } });
  });
});

describe('the chat model client over a connection that closes', () => {
  it('sends a request again at once, uncounted, when its connection closed before an answer; a second closure is a retry that names the endpoint', async () => {
    const replies = queues({ once: [{ drop: true }, { content: 'after one' }], twice: [{ drop: true }, { drop: true }, { drop: true }, { content: 'never' }] });
    const flaky = await startOpenAiServer(replies);
    try {
      const retries: string[] = [];
      const endpoint = { ...DEFAULT_ENDPOINT, baseURL: flaky.url, apiKey: 'k', maxRetries: 0, retryBaseMs: 1 };
      expect(await new ChatModel('agent', 'once', endpoint).complete([{ role: 'user', content: 'hi' }], { onRetry: (m) => retries.push(m) })).toEqual({ content: 'after one', toolCalls: [] });
      expect(retries).toEqual([]);
      const failed = new ChatModel('agent', 'twice', { ...endpoint, maxRetries: 1 }).complete([{ role: 'user', content: 'hi' }], { onRetry: (m) => retries.push(m) });
      await expect(failed).rejects.toThrow(new RegExp(`^Request to the agent model twice at ${flaky.url.replace(/[.]/g, '\\.')} failed after 2 attempts: cannot connect \\(.+\\)\\.$`));
      expect(retries).toHaveLength(1);
      expect(flaky.requests.map((r) => r.model)).toEqual(['once', 'once', 'twice', 'twice', 'twice']);
    } finally {
      await flaky.close();
    }
  });
});

describe("the benchmarks' instant model", () => {
  it('answers a user message with a tool call of its own id, and anything else with its report, reading only the last role', async () => {
    const instant = await startInstantModel();
    try {
      const model = new ChatModel('agent', 'instant', { ...DEFAULT_ENDPOINT, baseURL: instant.url, apiKey: 'k', maxRetries: 0 });
      const asked: ChatCompletionMessageParam[] = [
        { role: 'assistant', content: 'The last tool said {"role":"user"}: \\"role\\":\\"user\\".' },
        { role: 'user', content: 'Show me P-101, "role":"tool".' },
      ];
      const first = await model.complete(asked, { tools });
      const second = await model.complete(asked, { tools });
      expect(first).toEqual({ content: '', toolCalls: [{ id: expect.stringMatching(/^call_\d+$/), name: 'get_project', arguments: '{"project_id":"P-101"}' }] });
      expect(second.toolCalls[0].id).not.toBe(first.toolCalls[0].id);
      const answered: ChatCompletionMessageParam[] = [...asked, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_project', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: '{"role":"user"}' }];
      expect(await model.complete(answered, { tools })).toEqual({ content: 'Done: here is your project.', toolCalls: [] });
      expect(await model.complete(answered)).toEqual({ content: 'Done: here is your project.', toolCalls: [] });
    } finally {
      await instant.close();
    }
  });
});
