import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDomain } from '../../src/env/load.js';
import { ResponseCache } from '../../src/llm/cache.js';
import { ChatModel, DEFAULT_ENDPOINT, ModelFailure } from '../../src/llm/chat-model.js';
import { writeInstructionsWithModel } from '../../src/tasks/llm-instructions.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.js';

const projects = loadDomain(resolve(import.meta.dirname, '../../domains/projects'));
const { tasks } = sampleTasks(projects, { n: 3, seed: 11 });
let server: OpenAiServer;
let dir: string;

beforeAll(async () => {
  // The writer model answers with a numbered instruction; "empty" answers nothing; "broken" fails.
  server = await startOpenAiServer((req, i) => {
    if (req.model === 'broken') return { status: 500 };
    if (req.model === 'empty') return { content: '   ' };
    return { content: `You want to do thing number ${i}.` };
  });
  dir = mkdtempSync(join(tmpdir(), 'envscale-llm-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const model = (name: string) => new ChatModel('task writer', name, { ...DEFAULT_ENDPOINT, baseURL: server.url, apiKey: 'test', maxRetries: 1, retryBaseMs: 1 }, '--base-url');

test('a model writes each instruction from the gold actions and known facts; a rerun comes from the cache', async () => {
  const cache = new ResponseCache(join(dir, 'cache'));
  const written = await writeInstructionsWithModel(projects, tasks, model('writer'), cache);
  expect(written.map((t) => t.user.instructions)).toEqual(['You want to do thing number 0.', 'You want to do thing number 1.', 'You want to do thing number 2.']);
  expect(written.every((t) => t.tags.includes('llm-instructions'))).toBe(true);
  // Everything else about the task stays as sampled.
  expect(written.map((t) => t.gold)).toEqual(tasks.map((t) => t.gold));
  const prompt = server.requests[0].messages[1].content!;
  expect(prompt).toContain(tasks[0].gold.actions[0].tool);
  expect(prompt).toContain(JSON.stringify(tasks[0].user.known));
  const before = server.requests.length;
  expect(await writeInstructionsWithModel(projects, tasks, model('writer'), cache)).toEqual(written);
  expect(server.requests.length).toBe(before);
});

test('a failing endpoint and an empty answer each give one clear sentence', async () => {
  const cache = new ResponseCache(join(dir, 'other'));
  await expect(writeInstructionsWithModel(projects, tasks, model('broken'), cache)).rejects.toThrow(ModelFailure);
  await expect(writeInstructionsWithModel(projects, tasks, model('broken'), cache)).rejects.toThrow(/task writer model broken .* failed after 2 attempts: HTTP 500/);
  await expect(writeInstructionsWithModel(projects, tasks, model('empty'), cache)).rejects.toThrow(`The model empty returned an empty instruction for task ${tasks[0].id}; try another model.`);
});
