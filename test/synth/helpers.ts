import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingest } from '../../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../src/graph/partition.js';
import type { PlannedDomain } from '../../src/spec/plan.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import type { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/client';
import { loadDomain } from '../../src/env/load.js';
import { createDomainServer } from '../../src/mcp/server.js';
import { Episode } from '../../src/episode/episode.js';
import { newClient, REPO_ROOT } from '../helpers/mcp.js';

export const SHOP_TOOLS_FILE = resolve(REPO_ROOT, 'fixtures', 'synth', 'shop-tools.json');
/** MCP tools/list of small invented servers, with names that are also Object members (constructor, toString). */
export const MCP_SERVERS_FILE = resolve(REPO_ROOT, 'fixtures', 'synth', 'mcp-servers.json');

/** corpus.json and plan.json of tool collections in `dir`, as `envscale ingest` and `partition` write them; returns the plan's path. */
export function writePlan(dir: string, collections: string[]): string {
  const corpus = ingest(collections);
  const { plan } = partitionTools(corpus.tools, DEFAULT_SETTINGS);
  writeFileSync(join(dir, 'corpus.json'), JSON.stringify({ format: 'envscale-corpus', version: 1, tools: corpus.tools, report: corpus.report }));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  return join(dir, 'plan.json');
}

/** The shop fixture as one planned domain. */
export function shopDomain(): { planned: PlannedDomain; tools: ToolSpec[] } {
  const tools = ingest([SHOP_TOOLS_FILE]).tools;
  return { planned: { name: 'shop', terms: ['order', 'customer'], community: 0, tools: tools.map((t) => t.name), variants: [] }, tools };
}

export const tempDir = (label: string) => mkdtempSync(join(tmpdir(), `envscale-synth-${label}-`));

/** Every file under a folder, by relative path, with its bytes. */
export function folderBytes(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [k, v] of folderBytes(path, `${prefix}${name}/`)) out.set(k, v);
    else out.set(`${prefix}${name}`, readFileSync(path, 'base64'));
  }
  return out;
}

/** Serve a domain folder over an in-memory MCP transport (one session) to `use`; everything is closed after. */
export async function withMcpClient<T>(dir: string, use: (client: Client) => Promise<T>): Promise<T> {
  const domain = loadDomain(dir);
  const episode = await Episode.open({ domain });
  const server = createDomainServer(episode);
  const client = newClient();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  try {
    return await use(client);
  } finally {
    await client.close();
    await server.close();
    episode.close();
  }
}
