import type { ToolSpec } from '../spec/tool.js';
import { splitWords } from '../util/words.js';
import type { Source } from './units.js';

/** Words a file of tools is named by that say what kind of list it is, never what it is about. */
const LIST_WORDS = new Set(['tools', 'tool', 'functions', 'function', 'list', 'lists', 'all', 'my', 'export', 'dump', 'mcp', 'openai', 'anthropic', 'claude', 'openapi', 'swagger', 'spec', 'schema', 'schemas', 'definitions', 'index', 'corpus', 'json', 'jsonl', 'yaml', 'yml', 'api', 'server', 'servers']);

/**
 * The name a file gives the one tool list it holds: `currency-rates.json` -> currency-rates,
 * `helpdesk.mcp.json` -> helpdesk; none for a record (`#`), a JSON Lines line (`:12`), a folder, or
 * a file named for its kind of list only (`tools.json`, `openai-functions.json`).
 */
export function fileTitle(source: string): string | undefined {
  if (source.includes('#') || /:\d+$/.test(source) || source.endsWith('/')) return undefined;
  const stem = source.slice(source.lastIndexOf('/') + 1).split('.')[0];
  return splitWords(stem).some((w) => !LIST_WORDS.has(w)) ? stem : undefined;
}

/**
 * Tools as domain naming sees them: a tool of a listed source (kept whole or cut) whose list names
 * no server or title (a saved tools/list result, a bare array of tools) takes its file's name as
 * its `group`, the name its user gave that server. Why: a user who saved each server's tool list
 * as `<server>.json` expects the domain to be called after the server, not after the nouns of its
 * tools (`rate_currency` for currency-rates.json).
 */
export function withFileTitles<T extends Pick<ToolSpec, 'group'>>(tools: T[], sources: Source[]): T[] {
  const out = [...tools];
  for (const source of sources) {
    if (source.kind !== 'listed' || source.treatment === 'loose' || source.members.some((i) => tools[i].group !== undefined)) continue;
    const title = fileTitle(source.name);
    if (title !== undefined) for (const i of source.members) out[i] = { ...tools[i], group: title };
  }
  return out;
}
