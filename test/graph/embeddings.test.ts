import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedTexts } from '../../src/graph/embeddings.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../src/graph/partition.js';
import { toolText } from '../../src/graph/features.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import { UserError } from '../../src/util/errors.js';

/** A scripted OpenAI-compatible embeddings server: a text's vector points at its topic word. */
const TOPICS = ['weather', 'calendar', 'file'];
function vectorOf(text: string): number[] {
  const h = createHash('sha256').update(text).digest();
  return TOPICS.map((topic, i) => (text.toLowerCase().includes(topic) ? 10 : 0) + h[i] / 255);
}

let server: Server;
let baseURL = '';
const requests: Array<{ model: string; input: string[] }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { model, input } = JSON.parse(body) as { model: string; input: string[] };
      requests.push({ model, input });
      if (model === 'broken-model') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'the model crashed', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', model, data: input.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t) })) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// Each tool its own source, so that the embeddings alone place them.
const tool = (name: string, description: string): ToolSpec => ({ name, description, parameters: { type: 'object', properties: { value: { type: 'string' } } }, source: name });
const tools = [
  ...['today', 'tomorrow', 'week', 'alerts'].map((n) => tool(`weather_${n}`, `Weather ${n}.`)),
  ...['create', 'move', 'cancel', 'list'].map((n) => tool(`calendar_${n}`, `Calendar ${n}.`)),
  ...['read', 'write', 'copy', 'delete'].map((n) => tool(`file_${n}`, `File ${n}.`)),
];

describe('embeddings through an OpenAI-compatible endpoint', () => {
  it('embeds once, then serves repeated runs from the on-disk cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'envscale-emb-'));
    const before = requests.length;
    const first = await embedTexts(tools.map(toolText), { model: 'test-embed', cacheDir, baseURL, apiKey: 'k', batchSize: 5 });
    expect(requests.length - before).toBe(3);
    expect(requests.at(-1)!.model).toBe('test-embed');
    const second = await embedTexts(tools.map(toolText), { model: 'test-embed', cacheDir, baseURL, apiKey: 'k' });
    expect(requests.length - before).toBe(3);
    expect(second).toEqual(first);
    expect(Math.hypot(...first[0])).toBeCloseTo(1, 5);
    expect(readFileSync(join(cacheDir, readdirSync(cacheDir)[0]), 'utf8').trim().split('\n')).toHaveLength(tools.length);

    const { plan } = partitionTools(tools, { ...DEFAULT_SETTINGS, threshold: 0.5, embeddings: { model: 'test-embed', vectors: first } });
    expect(plan.settings).toMatchObject({ similarity: 'embeddings', model: 'test-embed' });
    expect(plan.domains.map((d) => d.tools.map((t) => t.split('_')[0])).map((ts) => new Set(ts).size)).toEqual([1, 1, 1]);
  });

  it('turns a failing endpoint into one clear sentence', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'envscale-emb-'));
    const run = embedTexts(['x'], { model: 'broken-model', cacheDir, baseURL, apiKey: 'k' });
    await expect(run).rejects.toThrow(UserError);
    await expect(embedTexts(['x'], { model: 'broken-model', cacheDir, baseURL, apiKey: 'k' })).rejects.toThrow(
      /^The embeddings endpoint http:\/\/127\.0\.0\.1:\d+\/v1 failed for model broken-model \(500 .*the model crashed.*\); check --model/,
    );
  });
});

