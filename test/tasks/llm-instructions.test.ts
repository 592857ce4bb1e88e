import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDomain } from '../../src/env/load.js';
import { ResponseCache } from '../../src/llm/cache.js';
import { ChatModel, DEFAULT_ENDPOINT, ModelFailure } from '../../src/llm/chat-model.js';
import { instructionProblems, writeInstructionsWithModel } from '../../src/tasks/llm-instructions.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import { startOpenAiServer, type ChatRequest, type OpenAiServer } from '../helpers/openai-server.js';

const projects = loadDomain(resolve(import.meta.dirname, '../../domains/projects'));
const { tasks } = sampleTasks(projects, { n: 3, seed: 11 });
let server: OpenAiServer;
let dir: string;

/** A customer's text built from the facts in the request, as a careful writer model would answer. */
function goodAnswer(req: ChatRequest): string {
  const prompt = req.messages[1].content!;
  const known = JSON.parse(/Facts the customer knows: (.*)/.exec(prompt)![1]) as Record<string, unknown>;
  const facts = Object.entries(known).map(([k, v]) => `${k.replace(/^(my|the) /, 'The ')} is ${String(v)}.`);
  return `Hello, I need a hand with something today because my plans changed.\n\n${facts.join(' ')}`;
}

beforeAll(async () => {
  // "writer" answers well; "sloppy" names a tool first and fixes it when told; "stubborn" never does.
  server = await startOpenAiServer((req) => {
    if (req.model === 'broken') return { status: 500 };
    if (req.model === 'empty') return { content: '   ' };
    if (req.model === 'stubborn') return { content: 'You want to call find_member_by_email.' };
    if (req.model === 'sloppy' && req.messages.length === 2) return { content: 'Please run find_member_by_email for me.' };
    return { content: goodAnswer(req) };
  });
  dir = mkdtempSync(join(tmpdir(), 'envscale-llm-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const model = (name: string) => new ChatModel('task writer', name, { ...DEFAULT_ENDPOINT, baseURL: server.url, apiKey: 'test', maxRetries: 1, retryBaseMs: 1 }, '--base-url');

test('the model gets the goal, the steps with where each value comes from, the persona and the facts; a rerun comes from the cache', async () => {
  const cache = new ResponseCache(join(dir, 'cache'));
  const { tasks: written, report } = await writeInstructionsWithModel(projects, tasks, model('writer'), cache);
  expect(report).toEqual({ written: 3, kept: [] });
  expect(written.every((t) => t.tags.includes('llm-instructions') && t.user.instructions.startsWith('Hello, I need a hand'))).toBe(true);
  // Everything else about the task stays as sampled.
  expect(written.map((t) => t.gold)).toEqual(tasks.map((t) => t.gold));
  const multi = tasks.find((t) => t.gold.actions.length > 2)!;
  const prompt = server.requests[tasks.indexOf(multi)].messages[1].content!;
  expect(prompt).toContain(`The customer: ${multi.user.persona}`);
  expect(prompt).toContain(`1. ${multi.gold.actions[0].tool}`);
  expect(prompt).toContain(`${multi.gold.actions.length}. ${multi.gold.actions.at(-1)!.tool}`);
  expect(prompt).toMatch(/\(found by step \d\)|\(the user knows it/);
  expect(prompt).toContain(JSON.stringify(multi.user.known));
  expect(prompt).toContain(multi.user.instructions);
  const before = server.requests.length;
  expect((await writeInstructionsWithModel(projects, tasks, model('writer'), cache)).tasks).toEqual(written);
  expect(server.requests.length).toBe(before);
});

test('an answer that fails the lint goes back once with its problems; one that fails twice keeps the offline text', async () => {
  const sloppy = await writeInstructionsWithModel(projects, tasks, model('sloppy'), new ResponseCache(join(dir, 'sloppy')));
  expect(sloppy.report.written).toBe(3);
  const repair = server.requests.find((r) => r.model === 'sloppy' && r.messages.length === 4)!;
  expect(repair.messages[3].content).toContain('it names find_member_by_email, which only the tools use');
  const stubborn = await writeInstructionsWithModel(projects, tasks, model('stubborn'), new ResponseCache(join(dir, 'stubborn')));
  expect(stubborn.report.written).toBe(0);
  expect(stubborn.tasks).toEqual(tasks);
  expect(stubborn.report.kept[0].problems).toContain('it speaks to the customer ("You ...") instead of as the customer');
});

test('the lint of model answers asks for the facts the agent needs from the user', () => {
  const task = tasks.find((t) => Object.keys(t.user.known).some((k) => /email/.test(k)))!;
  const email = Object.entries(task.user.known).find(([k]) => /email/.test(k))![1] as string;
  expect(instructionProblems(projects, task, 'Hi, please help me with my task.').some((p) => p.includes(email))).toBe(true);
  expect(instructionProblems(projects, task, `Hi, please help me with my task.\n\nMy email is ${email}.`).some((p) => p.includes(email))).toBe(false);
});

test('a failing endpoint and an empty answer each give one clear sentence', async () => {
  const cache = new ResponseCache(join(dir, 'other'));
  await expect(writeInstructionsWithModel(projects, tasks, model('broken'), cache)).rejects.toThrow(ModelFailure);
  await expect(writeInstructionsWithModel(projects, tasks, model('broken'), cache)).rejects.toThrow(/task writer model broken .* failed after 2 attempts: HTTP 500/);
  await expect(writeInstructionsWithModel(projects, tasks, model('empty'), cache)).rejects.toThrow(`The model empty returned an empty instruction for task ${tasks[0].id}; try another model.`);
});
