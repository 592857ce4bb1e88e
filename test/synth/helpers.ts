import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingest } from '../../src/corpus/ingest.js';
import type { PlannedDomain } from '../../src/spec/plan.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import { REPO_ROOT } from '../helpers/mcp.js';

export const SHOP_TOOLS_FILE = resolve(REPO_ROOT, 'fixtures', 'synth', 'shop-tools.json');
export const CORPORA = resolve(REPO_ROOT, '../shared/corpora');

/** The shop fixture as one planned domain. */
export function shopDomain(): { planned: PlannedDomain; tools: ToolSpec[] } {
  const tools = ingest([SHOP_TOOLS_FILE]).tools;
  return { planned: { name: 'shop', terms: ['order', 'customer'], community: 0, tools: tools.map((t) => t.name) }, tools };
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
