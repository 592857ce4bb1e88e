import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ingest } from '../../src/corpus/ingest.js';
import { plannedJobs } from '../../src/synth/planned-tools.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import { readDomainSpec } from '../../src/env/load.js';
import { ResponseCache } from '../../src/llm/cache.js';
import { ChatModel, DEFAULT_ENDPOINT, ModelFailure } from '../../src/llm/chat-model.js';
import type { DomainSpec } from '../../src/spec/domain.js';
import { dependencyGraph } from '../../src/tasks/dependency-graph.js';
import { paramSources } from '../../src/tasks/param-sources.js';
import { sampleTasks } from '../../src/tasks/sample.js';
import { synthesizeWithModel, type ModelSynthOptions } from '../../src/synth/llm-synth.js';
import { synthesizeRuleBased } from '../../src/synth/rule-based.js';
import { runSynthesize } from '../../src/synth/run.js';
import { verifySpec } from '../../src/synth/verify.js';
import { writeDomainFolder } from '../../src/synth/write.js';
import { UserError } from '../../src/util/errors.js';
import { REPO_ROOT, textOf } from '../helpers/mcp.js';
import { queues, startOpenAiServer, type ChatRequest, type OpenAiServer, type Reply } from '../helpers/openai-server.js';
import { folderBytes, SHOP_TOOLS_FILE, shopDomain, tempDir, withMcpClient, writePlan } from './helpers.js';

const job = shopDomain();
/** What a good model answers: a working spec of its own design (here: its own description and policy), tools without their fixed interface. */
const good: DomainSpec = { ...synthesizeRuleBased(job.planned, job.tools, 5), description: 'A shop designed by the model.', policy: '# Shop\n\nModel-written policy.\n' };
const goodReply = JSON.stringify({ ...good, tools: good.tools.map(({ parameters: _p, description: _d, ...rest }) => rest) });
/** A spec that parses but reads the engine's catalog in one tool and writes nothing in another. */
const broken = {
  ...good,
  tools: good.tools.map((t) =>
    t.name === 'get_order' ? { ...t, output: { rows: 'SELECT name FROM sqlite_schema' } } : t.name === 'update_order_address' ? { ...t, steps: [{ run: 'UPDATE orders SET order_id = order_id WHERE order_id = :order_id' }], output: undefined } : t,
  ),
};
const fenced = (value: unknown) => ({ content: `Here is the spec:\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\`\n` });

/** A domain whose tools declare response schemas (an OpenAPI store), and a first answer whose list of a customer's orders is a sentence, not the list its schema says. */
const storeTools = ingest([resolve(REPO_ROOT, 'fixtures', 'synth', 'store.openapi.yaml')]).tools;
const [storeJob] = plannedJobs([{ name: 'store', terms: ['customer'], community: 0, tools: storeTools.map((t) => t.name), variants: [] }], storeTools);
const storeGood = synthesizeRuleBased(storeJob.planned, storeJob.tools, 5);
const bareTools = (spec: DomainSpec) => spec.tools.map(({ parameters: _p, description: _d, outputSchema: _o, ...rest }) => rest);
const storeOff = { ...storeGood, tools: bareTools(storeGood).map((t) => (t.name === 'listCustomerOrders' ? { ...t, output: { value: "SELECT 'Orders are listed on the website.'" } } : t)) };

let server: OpenAiServer;
const dirs: string[] = [];
const fresh = (label: string) => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  const scripted = queues({
      // Not JSON, then a spec zod refuses, then forbidden SQL and a write that writes nothing, then a good one.
      repairing: [{ content: 'I think a shop needs orders and customers.' }, { content: '{"name": "shop", "tables": []}' }, fenced(broken), { content: goodReply }],
      flaky: [{ status: 429 }, { status: 500 }, { content: goodReply }],
      hopeless: [{ content: '{"tools": "none"}' }],
      edges: [{ content: goodReply }, { content: '{"keep": [99]}' }, { content: '{"keep": [1]}' }],
      contract: [{ content: JSON.stringify(storeOff) }, { content: JSON.stringify({ ...storeGood, tools: bareTools(storeGood) }) }],
  });
  // An endpoint without JSON mode: it refuses response_format and wraps its answer in prose and a fence.
  server = await startOpenAiServer((req) => (req.model !== 'plain' ? scripted(req) : 'response_format' in req ? { status: 400, body: '{"error": {"message": "response_format is not supported"}}' } : fenced(good)));
});
afterAll(async () => {
  await server.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const options = (model: string, cacheDir: string, extra: Partial<ModelSynthOptions> = {}): ModelSynthOptions => ({
  model: new ChatModel('synthesizer', model, { ...DEFAULT_ENDPOINT, baseURL: server.url, apiKey: 'test', maxRetries: 2, retryBaseMs: 1 }, '--base-url'),
  cache: new ResponseCache(cacheDir),
  attempts: 4,
  seed: 1,
  refineEdges: false,
  ...extra,
});
const requestsOf = (model: string): ChatRequest[] => server.requests.filter((r) => r.model === model);
const lastUserMessage = (r: ChatRequest) => r.messages.at(-1)!.content ?? '';

describe('LLM synthesizer', () => {
  it('feeds concrete errors back until the spec verifies, then writes a domain that loads, verifies and serves', async () => {
    const outcome = await synthesizeWithModel(job, options('repairing', fresh('cache')));
    expect(outcome).toMatchObject({ source: 'model', notes: ['model spec verified after 4 answers'] });
    expect(outcome.verdicts.every((v) => v.ok)).toBe(true);
    const sent = requestsOf('repairing');
    expect(sent).toHaveLength(4);
    // The format comes from the zod schema; JSON mode is asked for; the tools are listed.
    expect(sent[0].messages[0].content).toContain('"primaryKey"');
    expect((sent[0] as unknown as { response_format?: unknown }).response_format).toEqual({ type: 'json_object' });
    expect(sent[0].messages[1].content).toContain('"name":"update_order_address"');
    // Each repair request carries the previous problems: not JSON, zod issues, load and verification failures.
    expect(lastUserMessage(sent[1])).toContain('The reply is not a JSON object');
    expect(lastUserMessage(sent[2])).toMatch(/- at tables: Too small: expected array to have >=1 items/);
    expect(lastUserMessage(sent[3])).toContain('tool get_order (read) fails verification, refused at load: Domain shop: tool get_order, output: SQL refers to "sqlite_schema", which is outside the domain\'s tables.');
    expect(lastUserMessage(sent[3])).toContain('tool update_order_address (write) fails verification, write changes nothing');
    expect(sent[3].messages).toHaveLength(8);

    const dir = writeDomainFolder(fresh('out'), outcome.spec!, outcome.verdicts);
    const written = readDomainSpec(dir);
    expect(written.description).toBe('A shop designed by the model.');
    // The interface the model left out is the corpus's.
    expect(written.tools.find((t) => t.name === 'create_order')!.parameters).toEqual(job.tools.find((t) => t.name === 'create_order')!.parameters);
    expect(verifySpec(written).verdicts.every((v) => v.ok)).toBe(true);
    await withMcpClient(dir, async (client) => {
      const got = await client.callTool({ name: 'get_order', arguments: { order_id: 'ORD-2' } });
      expect(JSON.parse(textOf(got))).toMatchObject({ order_id: 'ORD-2' });
    });
  });

  it('gives the model the output schemas and sends back an output that does not validate; the repaired domain verifies', async () => {
    const outcome = await synthesizeWithModel(storeJob, options('contract', fresh('cache')));
    const sent = requestsOf('contract');
    expect(sent).toHaveLength(2);
    // The prompt lists each tool's response schema, and says outputs must validate against it.
    const listed = sent[0].messages[1].content!.split('\n').find((l) => l.includes('"name":"listCustomerOrders"'))!;
    expect(JSON.parse(listed).outputSchema).toMatchObject({ type: 'array', items: { properties: { id: {} } } });
    expect(sent[0].messages[0].content).toContain('its output must validate against that schema');
    // The repair request names the tool and what is wrong with its output.
    expect(lastUserMessage(sent[1])).toMatch(/tool listCustomerOrders returns an output that does not validate against its outputSchema \(\/ must be array\): "Orders are listed on the website\."/);
    expect(outcome).toMatchObject({ source: 'model', notes: ['model spec verified after 2 answers'] });
    expect(outcome.verdicts.every((v) => v.ok)).toBe(true);
    // Object responses are declared to MCP clients as the rule-based path declares them.
    expect(outcome.spec!.tools.find((t) => t.name === 'getCustomer')!.outputSchema).toEqual(storeGood.tools.find((t) => t.name === 'getCustomer')!.outputSchema);
  });

  it('retries 429 and 500 answers; a rerun on the same cache makes no request and gives identical folders', async () => {
    const cache = fresh('cache');
    const first = await synthesizeWithModel(job, options('flaky', cache));
    expect(first.source).toBe('model');
    expect(requestsOf('flaky')).toHaveLength(3);
    const again = await synthesizeWithModel(job, options('flaky', cache));
    expect(requestsOf('flaky')).toHaveLength(3);
    const [a, b] = [fresh('a'), fresh('b')];
    writeDomainFolder(a, first.spec!, first.verdicts);
    writeDomainFolder(b, again.spec!, again.verdicts);
    expect(folderBytes(a)).toEqual(folderBytes(b));
  });

  it('asks again without JSON mode where the endpoint refuses it, and finds the object in prose', async () => {
    const outcome = await synthesizeWithModel(job, options('plain', fresh('cache')));
    expect(outcome).toMatchObject({ source: 'model', notes: ['model spec verified after 1 answer'] });
    expect(requestsOf('plain').map((r) => 'response_format' in r)).toEqual([true, false]);
  });

  it('falls back to the rule-based spec when the model never gets it right, and says so', async () => {
    const outcome = await synthesizeWithModel(job, options('hopeless', fresh('cache'), { attempts: 2 }));
    expect(requestsOf('hopeless')).toHaveLength(2);
    expect(outcome.source).toBe('rules');
    expect(outcome.notes).toEqual(['model spec still failing after 2 answers (at description: Invalid input: expected string, received undefined); the rule-based spec is used']);
    expect(outcome.spec!.description).toBe(synthesizeRuleBased(job.planned, job.tools, 1).description);
  });

  it('with refine-edges, stores the dependencies the model keeps, after repairing an out-of-range answer', async () => {
    const outcome = await synthesizeWithModel(job, options('edges', fresh('cache'), { refineEdges: true }));
    const [, review, repair] = requestsOf('edges');
    const candidates = review.messages[1].content!.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(candidates.length).toBeGreaterThan(1);
    expect(lastUserMessage(repair)).toContain(`there are candidates 1 to ${candidates.length} only, not 99`);
    const [, from, to] = /^1\. (\S+) -> (\S+) /.exec(candidates[0])!;
    expect(outcome.spec!.dependencies).toEqual([{ from, to }]);
    expect(outcome.notes).toEqual(['model spec verified after 1 answer', `1 of ${candidates.length} candidate dependencies kept`]);
    const dir = writeDomainFolder(fresh('out'), outcome.spec!, outcome.verdicts);
    expect(readDomainSpec(dir).dependencies).toEqual([{ from, to }]);
  });

  it('a dead endpoint or a missing key is one sentence', async () => {
    const dead = await startOpenAiServer(() => ({ content: '' }) as Reply);
    await dead.close();
    const model = new ChatModel('synthesizer', 'm', { ...DEFAULT_ENDPOINT, baseURL: dead.url, apiKey: 'test', maxRetries: 1, retryBaseMs: 1 }, '--base-url');
    const error = await synthesizeWithModel(job, { ...options('m', fresh('cache')), model }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFailure);
    expect((error as Error).message).toMatch(/^Request to the synthesizer model m at http:\/\/127\.0\.0\.1:\d+\/v1 failed: connection refused \(is the server running\?\); check --base-url \/ OPENAI_BASE_URL, the key and the model name\.$/);
    expect((error as Error).message).not.toContain('\n');

    const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    try {
      expect(() => new ChatModel('synthesizer', 'm', DEFAULT_ENDPOINT, '--base-url')).toThrow(UserError);
      expect(() => new ChatModel('synthesizer', 'm', DEFAULT_ENDPOINT, '--base-url')).toThrow('The synthesizer model m needs OPENAI_API_KEY, or a local OpenAI-compatible server in OPENAI_BASE_URL or --base-url.');
    } finally {
      if (saved.key !== undefined) process.env.OPENAI_API_KEY = saved.key;
      if (saved.url !== undefined) process.env.OPENAI_BASE_URL = saved.url;
    }
  });
});

describe('synthesize --llm', () => {
  it('goes through the model for every planned domain and reports each fallback under the summary table', async () => {
    const plan = writePlan(fresh('plan'), [SHOP_TOOLS_FILE]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const before = requestsOf('hopeless').length;
      const outcomes = await runSynthesize(plan, { out: fresh('out'), seed: 1, llm: true, model: 'hopeless', baseUrl: server.url, cache: fresh('cache'), attempts: 2 });
      expect(requestsOf('hopeless').length - before).toBe(2 * outcomes.length);
      const printed = String(log.mock.calls.at(-1)![0]);
      for (const o of outcomes) {
        expect(printed).toMatch(new RegExp(`\\| ${o.name} +\\| rules +\\|`));
        expect(printed).toContain(`- ${o.name}: model spec still failing after 2 answers (`);
      }
    } finally {
      log.mockRestore();
    }
  });
});

describe('reviewed dependencies in a domain file', () => {
  it('are refused when they name a tool the domain does not have', () => {
    const dir = writeDomainFolder(fresh('deps'), { ...good, dependencies: [{ from: 'get_order', to: 'no_such_tool' }] }, []);
    expect(() => readDomainSpec(dir)).toThrow(/domain\.json: at dependencies\.0\.to: no_such_tool is not a tool of this domain\./);
  });

  it('replace the derived graph: sampling walks only the kept edges', () => {
    const plain = new Domain(good);
    const derived = dependencyGraph(plain, paramSources(plain));
    // Walks find what a goal names with reads: keep one edge from a first lookup to the goal it leads to
    // in walks over the derived graph, out of a tool with other edges too.
    const isWrite = (tool: string) => good.tools.find((t) => t.name === tool)?.kind === 'write';
    const walked = sampleTasks(plain, { n: 30, seed: 3, maxSteps: 3 }).tasks.map((t) => t.gold.actions.map((a) => a.tool));
    plain.close();
    const [from, to] = walked.find((w) => w.length === 2 && isWrite(w[1]) && derived.outDegree(w[0]) > 1)!;
    const edge = derived.edge(from, to)!;
    const domain = new Domain({ ...good, dependencies: [{ from, to }] });
    try {
      const graph = dependencyGraph(domain, paramSources(domain));
      expect(graph.edges().map((e) => [graph.source(e), graph.target(e), graph.getEdgeAttribute(e, 'params')])).toEqual([[from, to, derived.getEdgeAttribute(edge, 'params')]]);
      const { tasks } = sampleTasks(domain, { n: 30, seed: 3, maxSteps: 3 });
      const pairs = tasks.flatMap((t) => t.gold.actions.slice(1).map((a, i) => `${t.gold.actions[i].tool} -> ${a.tool}`));
      expect(pairs.length).toBeGreaterThan(0);
      expect(new Set(pairs)).toEqual(new Set([`${from} -> ${to}`]));
    } finally {
      domain.close();
    }
  });
});
