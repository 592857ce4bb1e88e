import type { ToolSpec } from '../spec/tool.js';
import { singular, splitWords } from '../util/words.js';
import type { SparseVector } from './vectors.js';

/**
 * The most distinctive words of each domain: a word's mean weight over the domain's tools times
 * how few domains use it (ln(1 + D / domains using it)). Whole-parameter terms (`=name`) and
 * path prefixes (`/calendars`) are left out because names read better built from words.
 */
export function distinctiveTerms(domains: number[][], vectors: SparseVector[], vocabulary: string[], count = 5): string[][] {
  const sums = domains.map((d) => {
    const sum = new Map<number, number>();
    for (const i of d) {
      const v = vectors[i];
      for (let k = 0; k < v.terms.length; k++) sum.set(v.terms[k], (sum.get(v.terms[k]) ?? 0) + v.weights[k]);
    }
    return sum;
  });
  const spread = new Map<number, number>();
  for (const sum of sums) for (const t of sum.keys()) spread.set(t, (spread.get(t) ?? 0) + 1);
  return sums.map((sum, di) => {
    const size = domains[di].length;
    return [...sum.entries()]
      .filter(([t]) => !/^[=/]/.test(vocabulary[t]))
      .map(([t, w]) => [t, (w / size) * Math.log(1 + domains.length / spread.get(t)!)] as const)
      .sort((a, b) => b[1] - a[1] || (vocabulary[a[0]] < vocabulary[b[0]] ? -1 : 1))
      .slice(0, count)
      .map(([t]) => vocabulary[t]);
  });
}

/**
 * Words of a source's title or group that name nothing (`API`, `Documentation`, `v2`, `beta`),
 * and, in a prose title, the small words between the others.
 */
const TITLE_NOISE = new Set(['api', 'apis', 'web', 'rest', 'restful', 'http', 'openapi', 'swagger', 'ui', 'service', 'services', 'server', 'mcp', 'documentation', 'docs', 'doc', 'specification', 'specifications', 'spec', 'reference', 'public', 'beta', 'alpha', 'preview', 'basic', 'tier', 'endpoint', 'endpoints', 'platform', 'version', 'ng', 'io', 'com', 'net', 'org', 'tools', 'toolkit', 'sdk', 'kit']);
const SMALL_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'of', 'for', 'to', 'in', 'on', 'with', 'by', 'at', 'from', 'your', 'my']);
/** Tokens that say how something is stored or sent, never what it is: no domain is named after them. */
const TECHNICAL = new Set(['id', 'ids', 'uuid', 'uuids', 'guid', 'uid', 'hash', 'ext', 'raw', 'json', 'xml', 'csv', 'yaml', 'str', 'string', 'int', 'integer', 'num', 'number', 'bool', 'boolean', 'obj', 'object', 'array', 'tmp', 'temp', 'misc', 'util', 'utils', 'helper', 'param', 'params', 'arg', 'args', 'value', 'values', 'key', 'keys', 'type', 'types', 'field', 'fields', 'null', 'true', 'false', 'url', 'uri', 'href', 'query', 'request', 'response', 'result', 'results', 'body', 'payload', 'data', 'info', 'detail', 'details', 'item', 'items', 'list', 'all', 'new', 'by', 'with', 'from', 'to', 'for', 'of', 'the', 'and', 'or', 'in', 'on', 'at', 'my', 'me', 'v1', 'v2', 'v3']);
/** Verbs that open tool names: the nouns after them are what a domain holds. */
const VERBS = new Set(['get', 'list', 'find', 'search', 'fetch', 'read', 'show', 'view', 'retrieve', 'lookup', 'look', 'query', 'check', 'create', 'add', 'new', 'post', 'put', 'insert', 'make', 'update', 'edit', 'modify', 'patch', 'set', 'change', 'delete', 'remove', 'cancel', 'send', 'book', 'pay', 'do', 'run', 'execute', 'start', 'stop', 'enable', 'disable', 'count', 'upload', 'download', 'export', 'import', 'validate', 'verify', 'calculate', 'compute', 'convert', 'generate', 'move', 'copy', 'open', 'close', 'submit', 'approve', 'reject', 'assign', 'unassign', 'mark', 'toggle', 'sync', 'describe', 'batch', 'bulk']);

const MAX_NAME = 56;
const slug = (words: string[]) => words.join('_').slice(0, MAX_NAME).replace(/_+$/, '');
const isWord = (w: string) => /^[a-z][a-z0-9]*$/.test(w) && !/^v\d+$/.test(w);

/**
 * The words a person would name a source by: `Slack Web API` -> slack, `Listen API: Podcast
 * Search & Directory API` -> listen_podcast_search, `VehicleControlAPI` -> vehicle_control,
 * `JIRA 7.6.1` -> jira. A prose title keeps its words whole (`TVmaze`, `iQualify`); a label without
 * spaces (a class or server name) is split into its words. At most three words.
 */
export function titleWords(label: string): string[] {
  const text = label.replace(/&[a-z]+;|&#\d+;/gi, ' ').replace(/\([^)]*\)/g, ' ').trim();
  const prose = /\s/.test(text);
  const words = prose ? text.toLowerCase().split(/[^a-z0-9]+/) : splitWords(text);
  const kept = words.filter((w) => isWord(w) && !TITLE_NOISE.has(w) && !(prose && SMALL_WORDS.has(w)));
  return [...new Set(kept)].slice(0, 3);
}

/** The most common value among a domain's tools (ties: the first in sorted order), with how many have it. */
function dominant(values: Array<string | undefined>): [string, number] | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
}

/**
 * The nouns most of a domain's tools are about, from their names (`list_orders`,
 * `getCustomerOrders` -> customer, order): verbs and technical tokens left out, singular, most
 * frequent first; ties go to the domain's more distinctive term, then to the word.
 */
function entityWords(names: string[], terms: string[], skip: Set<string>): string[] {
  const counts = new Map<string, number>();
  for (const name of names) {
    const words = new Set(splitWords(name).filter((w) => isWord(w) && w.length > 2 && !VERBS.has(w) && !TECHNICAL.has(w)).map(singular));
    for (const w of words) if (!skip.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const rank = (w: string) => {
    const i = terms.findIndex((t) => singular(t) === w);
    return i < 0 ? terms.length : i;
  };
  return [...counts].sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
}

/** Distinctive terms that are words a name can use. */
const termWords = (terms: string[], skip: Set<string>) => terms.filter((t) => isWord(t) && t.length > 2 && !TECHNICAL.has(t) && !VERBS.has(t) && !skip.has(t));

/**
 * Domain names a person would give: the title or group of the source most of the domain's tools
 * come from (OpenAPI `info.title`, MCP server, BFCL class, tau2 domain: ingest's `group`); when one
 * source is cut into several domains, each adds what it is about (its tools' most common tag,
 * else their most common noun): `slack_chat`, `jira_issue`. Without a source title, the nouns
 * the tools are about (`customer_order`), else the domain's distinctive terms; never a technical
 * token (`uuid`, `hash`, `ext`, `raw`). Names are valid folder names, unique (`-2`, `-3` in
 * order) and deterministic.
 */
export function domainNames(domains: number[][], tools: Array<Pick<ToolSpec, 'name' | 'group' | 'tags'>>, terms: string[][]): string[] {
  const titles = domains.map((d) => {
    const top = dominant(d.map((i) => tools[i].group));
    return top && top[1] * 2 >= d.length ? titleWords(top[0]) : [];
  });
  const siblings = new Map<string, number[]>();
  titles.forEach((t, di) => {
    if (t.length > 0) siblings.set(slug(t), [...(siblings.get(slug(t)) ?? []), di]);
  });
  // What each domain of a source cut in several is about: its tools' most common tag, then their
  // nouns, without the source's own words and without words every sibling's tag shares.
  const about = domains.map((d, di) => {
    const skip = new Set(titles[di]);
    const tag = dominant(d.map((i) => tools[i].tags?.[0]));
    const tagWords = tag ? titleWords(tag[0]).filter((w) => !skip.has(w) && !TECHNICAL.has(w)) : [];
    return { tagWords, nouns: entityWords(d.map((i) => tools[i].name), terms[di] ?? [], skip) };
  });
  const bases: string[] = new Array(domains.length);
  for (const [title, members] of siblings) {
    if (members.length === 1) {
      bases[members[0]] = title;
      continue;
    }
    const shared = members.map((di) => new Set(about[di].tagWords)).reduce((a, b) => new Set([...a].filter((w) => b.has(w))));
    const taken = new Set<string>();
    const head = titles[members[0]].slice(0, 2);
    for (const di of members) {
      const tagPart = about[di].tagWords.filter((w) => !shared.has(w)).slice(0, 2);
      const candidates = [...(tagPart.length > 0 ? [tagPart] : []), ...about[di].nouns.slice(0, 4).map((n) => [n])].map((words) => slug([...head, ...words]));
      const name = candidates.find((c) => !taken.has(c)) ?? candidates[0] ?? title;
      taken.add(name);
      bases[di] = name;
    }
  }
  domains.forEach((_, di) => {
    if (bases[di] !== undefined) return;
    const words = about[di].nouns.slice(0, 2);
    if (words.length < 2) words.push(...termWords(terms[di] ?? [], new Set(words)).filter((t) => !words.includes(singular(t))).slice(0, 2 - words.length));
    bases[di] = slug(words) || 'domain';
  });
  const used = new Set<string>();
  return bases.map((base) => {
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}
