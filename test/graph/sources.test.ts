import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/corpus/ingest.js';
import { runIngest } from '../../src/corpus/run.js';
import { adjacency } from '../../src/graph/communities.js';
import { cutSource, hasStructure, responseEntity, type CutSettings } from '../../src/graph/cut.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../src/graph/partition.js';
import { describeSources, runPartition, shortSources, type PartitionCommandOptions } from '../../src/graph/run.js';
import { cohesion, sourceGroups } from '../../src/graph/sources.js';
import { setAsideVariants } from '../../src/graph/variants.js';
import { tfidf } from '../../src/graph/vectors.js';
import { DEFAULT_WEIGHTS, toolTerms } from '../../src/graph/features.js';
import { PartitionPlan } from '../../src/spec/plan.js';
import type { ToolSpec } from '../../src/spec/tool.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const fixtures = resolve(repoRoot, 'fixtures/partition');
// The fixtures' two OpenAPI documents (11 and 12 operations) are larger than a domain of 8.
const settings = { ...DEFAULT_SETTINGS, maxSize: 8, minSize: 2 };
const { tools } = ingest([fixtures]);
const { plan } = partitionTools(tools, settings);
const domainOf = new Map(plan.domains.flatMap((d) => [...d.tools, ...d.variants.map((v) => v.tool)].map((t) => [t, d.name] as const)));
const byFile = (file: string) => tools.filter((t) => t.source.includes(file)).map((t) => t.name);
const domainsOf = (names: string[]) => new Set(names.map((n) => domainOf.get(n) ?? `isolated:${n}`));

const tool = (name: string, source: string, params: string[] = ['value'], extra: Partial<ToolSpec> = {}): ToolSpec => ({
  name,
  description: name.replace(/_/g, ' '),
  parameters: { type: 'object', properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])) },
  source,
  ...extra,
});

describe('source groups', () => {
  it('come from the most specific origin tools share: record, document, JSON Lines file, folder', () => {
    const pool = [
      tool('a1', 'bfcl.json#entry_1'), tool('a2', 'bfcl.json#entry_1'), // one record listing two functions
      tool('a3', 'bfcl.json#entry_2'), tool('a4', 'bfcl.json#entry_3'), // single-function records of the same file
      tool('b1', 'servers/mail.json#/tools/0'), tool('b2', 'servers/mail.json#/tools/1'), // one document
      tool('c1', 'lines.jsonl:1#'), tool('c2', 'lines.jsonl:2#'), // one tool per line
      tool('d1', 'repo@abc:envs/shop/tools/pay.py#Pay'), tool('d2', 'repo@abc:envs/shop/tools/refund.py#Refund'), // one tool per file
      tool('e1', 'alone.json#/0'), tool('f1', 'servers/solo.json#/tools/0'),
    ];
    expect(sourceGroups(pool).map((g) => [g.name, g.kind, g.members])).toEqual([
      ['bfcl.json#entry_1', 'listed', [0, 1]],
      ['bfcl.json', 'gathered', [2, 3]],
      ['servers/mail.json', 'listed', [4, 5]],
      ['lines.jsonl', 'gathered', [6, 7]],
      ['repo@abc:envs/shop/tools/', 'gathered', [8, 9]],
      // e1 and f1 share no origin with another tool: no group. (f1's folder holds mail.json too, but that one is a source already.)
    ]);
  });

  it("split a document of many collections' tools by the collection each names in `group`", () => {
    const pool = [
      tool('a1', 'all.json#/0', ['x'], { group: 'figma' }), tool('a2', 'all.json#/1', ['x'], { group: 'wallet' }),
      tool('a3', 'all.json#/2', ['x'], { group: 'figma' }), tool('a4', 'all.json#/3'), tool('a5', 'all.json#/4'),
      // One collection per document: named by the document, as before.
      tool('b1', 'api.json#/paths/~1a/get', ['x'], { group: 'api' }), tool('b2', 'api.json#/paths/~1b/get', ['x'], { group: 'api' }),
      // Two servers of one tool each in one file: two sources of one tool, not a group gathered by the file.
      tool('c1', 'more.json#/0/tools/0', ['x'], { group: 'clock' }), tool('c2', 'more.json#/1/tools/0', ['x'], { group: 'fetch' }),
      // A JSON Lines file of one-tool servers, one of them twice: gathered per server.
      tool('d1', 'one.jsonl:1#/tools/0', ['x'], { group: 'dice' }), tool('d2', 'one.jsonl:2#/tools/0', ['x'], { group: 'qr' }), tool('d3', 'one.jsonl:3#/tools/0', ['x'], { group: 'dice' }),
    ];
    expect(sourceGroups(pool).map((g) => [g.name, g.kind, g.members])).toEqual([
      ['all.json#figma', 'listed', [0, 2]],
      ['all.json', 'listed', [3, 4]],
      ['api.json', 'listed', [5, 6]],
      ['one.jsonl#dice', 'gathered', [9, 11]],
    ]);
  });

  it('measure cohesion against chance, leaving out edges between variants of one name', () => {
    // Tools 0-1 hold together; 2-3 each lean on the other group; 4 is a variant of 0 elsewhere.
    const adj = adjacency(5, [{ a: 0, b: 1, weight: 1 }, { a: 1, b: 2, weight: 1 }, { a: 2, b: 3, weight: 0.2 }, { a: 0, b: 4, weight: 1 }]);
    const total = 2 * (1 + 1 + 0.2);
    const noVariants = () => false;
    const sameName = (i: number, j: number) => (i === 0 && j === 4) || (i === 4 && j === 0);
    expect(cohesion([0, 1], adj, total, sameName)).toBeCloseTo((2 / 3 - 3 / 4.4) / (1 - 3 / 4.4), 9);
    expect(cohesion([0, 1], adj, total + 2, noVariants)).toBeLessThan(cohesion([0, 1], adj, total, sameName));
    expect(cohesion([0, 1, 2, 3], adj, total, sameName)).toBe(1);
    expect(cohesion([3], adj, total, sameName)).toBeLessThan(0);
  });
});

describe('cutting a source larger than a domain', () => {
  const cut = (pool: ToolSpec[], maxSize: number) => {
    const vectors = tfidf(pool.map((t) => toolTerms(t, DEFAULT_WEIGHTS))).vectors;
    const s: CutSettings = { maxSize, minSize: 2, bySimilarity: (members) => members.map((i) => [i]) };
    return cutSource(pool.map((_, i) => i), pool, vectors, s);
  };

  it('cuts along OpenAPI tags first, then path prefixes after their common prefix, never inside a section that fits', () => {
    const op = (name: string, path: string, tags?: string[]) => tool(name, 'api.json', ['id'], { path, method: 'GET', ...(tags ? { tags } : {}) });
    const tagged = [op('a', '/v1/x/1', ['alpha']), op('b', '/v1/y/1', ['alpha']), op('c', '/v1/x/2', ['beta']), op('d', '/v1/y/2', ['beta']), op('e', '/v1/x/3', ['beta'])];
    const byTags = cut(tagged, 3);
    expect(byTags.by).toEqual(['tags']);
    expect(byTags.parts.map((p) => [p.members, p.where])).toEqual([[[0, 1], ['tag alpha']], [[2, 3, 4], ['tag beta']]]);
    const untagged = tagged.map(({ tags: _, ...t }) => t);
    const byPaths = cut(untagged, 3);
    expect(byPaths.by).toEqual(['path prefixes']);
    expect(byPaths.parts.map((p) => [p.members, p.where])).toEqual([[[0, 2, 4], ['path /v1/x']], [[1, 3], ['path /v1/y']]]);
  });

  it('cuts an API over entities by the identifier each tool takes that the fewest take, and a bag of functions by similarity', () => {
    const api = [
      tool('get_card', 's', ['card_id', 'user_id']), tool('block_card', 's', ['card_id']), tool('get_account', 's', ['account_id', 'user_id']),
      tool('close_account', 's', ['account_id']), tool('get_user', 's', ['user_id']), tool('list_branches', 's', ['city']),
    ];
    const byEntities = cut(api, 2);
    expect(byEntities.by).toEqual(['entities']);
    expect(byEntities.parts.map((p) => p.where)).toEqual([['entity card_id'], ['entity account_id'], ['entity user_id', 'no identifier']]);
    // Fewer than half the tools take an identifier: entities say little; the bag is cut by similarity.
    const bag = [tool('roll_dice', 's', ['sides']), tool('translate', 's', ['text']), tool('get_user', 's', ['user_id']), tool('weather', 's', ['city'])];
    expect(hasStructure([0, 1, 2, 3], bag)).toBe(false);
    expect(cut(bag, 2).by).toEqual(['similarity']);
  });

  it('cuts a server whose tools take no identifier by the entity their responses are named after', () => {
    const returns = (title: string, list = false): Partial<ToolSpec> => {
      const entity = { type: 'object', title, properties: { name: { type: 'string' } } };
      return { outputSchema: list ? { type: 'object', properties: { items: { type: 'array', items: entity }, next: { type: 'string' } } } : entity };
    };
    const server = [
      tool('search_tracks', 's', ['query'], returns('TrackObject', true)), tool('now_playing', 's', [], returns('Track')),
      tool('my_playlists', 's', ['limit'], returns('PlaylistResponse', true)), tool('new_playlist', 's', ['name'], returns('Playlist')),
      tool('volume', 's', ['percent'], returns('ErrorResponse')),
    ];
    const r = cut(server, 2);
    expect(r.by).toEqual(['entities']);
    expect(r.parts.map((p) => [p.members, p.where])).toEqual([[[0, 1], ['entity track (response)']], [[2, 3], ['entity playlist (response)']], [[4], ['no identifier']]]);
    expect([undefined, {}, { type: 'array', items: { title: 'UserDto' } }, { allOf: [{ title: 'Order' }] }, { title: 'Error' }].map((s) => responseEntity(s))).toEqual([undefined, undefined, 'user', 'order', undefined]);
  });
});

describe('variants of one name across sources', () => {
  it('never sets a source tool aside for another source or a loose tool, and sets loose copies aside for the source', () => {
    const pool = [tool('think', 'a.json#/0', ['thought']), tool('think_2', 'b.json#/0', ['thought'], { variantOf: 'think' }), tool('think_3', 'c', ['thought', 'x'], { variantOf: 'think' })];
    const units = { unitOf: [0, 1, 2], loose: (i: number) => i === 2 };
    const r = setAsideVariants([[0, 1, 2]], pool, units);
    expect(r.groups).toEqual([[0, 1]]);
    expect(r.setAside).toEqual([{ tool: 2, of: 0 }]);
  });
});

describe('partition of a pool of servers and APIs', () => {
  it('keeps each source up to the size cap in one domain of its own', () => {
    for (const file of ['notes.mcp.json', 'tasks.tools.jsonl', 'calculator/']) expect(domainsOf(byFile(file)).size, file).toBe(1);
    const homes = ['notes.mcp.json', 'tasks.tools.jsonl', 'weather.mcp.json', 'calculator/'].map((f) => [...domainsOf(byFile(f))][0]);
    expect(new Set(homes).size).toBe(4);
    expect(plan.stats).toMatchObject({ sources: 5, sourcesKeptWhole: 5, sourcesCut: 2 });
    expect(plan.settings).toMatchObject({ sources: true, sameJob: DEFAULT_SETTINGS.sameJob });
  });

  it('leaves each source its own generic helper', () => {
    const think = tools.filter((t) => (t.variantOf ?? t.name) === 'think');
    expect(think.map((t) => t.source.replace(/^.*servers\//, '').replace(/#.*/, ''))).toEqual(['notes.mcp.json', 'weather.mcp.json']);
    for (const t of think) expect(domainOf.get(t.name)).toBe([...domainsOf(byFile(t.source.replace(/#.*/, '')))][0]);
    expect(domainOf.get(think[0].name)).not.toBe(domainOf.get(think[1].name));
  });

  it('merges sources that do the same job, and says what they share', () => {
    const weather = [...domainsOf([...byFile('weather.mcp.json'), ...byFile('weather-mirror.mcp.json')])];
    expect(weather).toHaveLength(1);
    const domain = plan.domains.find((d) => d.name === weather[0])!;
    expect(domain.sources!.map((s) => s.source.replace(/^.*servers\//, ''))).toEqual(['weather.mcp.json', 'weather-mirror.mcp.json']);
    expect(domain.shared).toEqual(expect.arrayContaining(['weather', 'city']));
    // The mirror's tools are the same tools: set aside as variants, one of each name kept.
    expect(domain.variants).toHaveLength(3);
  });

  it('cuts a large API along its tags, and one without tags along its path prefixes', () => {
    const shop = plan.sources!.find((s) => s.name.endsWith('shop.openapi.json'))!;
    expect(shop).toMatchObject({ treatment: 'cut', tools: 12 });
    expect(shop.cut!.reason).toBe('12 tools, more than the 8 a domain may hold; cut by tags');
    expect(shop.cut!.parts.flatMap((p) => p.where).sort()).toEqual(['tag customers', 'tag orders', 'tag products']);
    for (const tag of ['products', 'orders', 'customers']) expect(domainsOf(tools.filter((t) => t.tags?.[0] === tag).map((t) => t.name)).size).toBe(1);
    const library = plan.sources!.find((s) => s.name.endsWith('library.openapi.json'))!;
    expect(library.cut!.reason).toMatch(/cut by path prefixes$/);
    expect(library.cut!.parts.flatMap((p) => p.where).sort()).toEqual(['path /books', 'path /loans', 'path /members']);
    for (const prefix of ['/books', '/members', '/loans']) expect(domainsOf(tools.filter((t) => t.path?.startsWith(prefix)).map((t) => t.name)).size).toBe(1);
    // No domain holds parts of two sources, or a part and another source.
    for (const d of plan.domains) expect(d.sources!.length, d.name).toBeLessThanOrEqual(d.name === domainOf.get('get_forecast') ? 2 : 1);
  });

  it("keeps each server of one file of servers' tools whole, as it would keep their own files", () => {
    // The fixture's servers listed in one document, each tool naming its server in `group`.
    const files = ['notes.mcp.json', 'tasks.tools.jsonl', 'weather.mcp.json', 'calculator/'];
    const pooled = files.flatMap((file) => tools.filter((t) => t.source.includes(file)).map((t, i) => ({ ...t, source: `servers.json#/${file}/${i}`, group: file })));
    const one = partitionTools(pooled, settings).plan;
    const homeOf = new Map(one.domains.flatMap((d) => [...d.tools, ...d.variants.map((v) => v.tool)].map((t) => [t, d.name] as const)));
    const homes = files.map((file) => new Set(pooled.filter((t) => t.group === file).map((t) => homeOf.get(t.name) ?? 'isolated')));
    for (const h of homes) expect(h.size).toBe(1);
    expect(new Set(homes.map((h) => [...h][0])).size).toBe(files.length);
    expect(one.stats).toMatchObject({ sources: 4, sourcesKeptWhole: 4 });
  });

  it('places the tools of a file of unrelated functions one by one', () => {
    expect(plan.sources!.find((s) => s.name.endsWith('misc.tools.jsonl'))).toMatchObject({ treatment: 'loose', kind: 'gathered' });
    expect(domainsOf(byFile('misc.tools.jsonl')).size).toBe(3);
  });

  it('without sources, places every tool by similarity and lists no sources', () => {
    const off = partitionTools(tools, { ...settings, sources: false }).plan;
    expect(off.sources).toEqual([]);
    expect(off.stats).toMatchObject({ sources: 0, sourcesKeptWhole: 0, sourcesCut: 0 });
    expect(off.domains.every((d) => (d.sources ?? []).length === 0)).toBe(true);
  });

  it('reports per domain its sources and tools, the cut sources with reason and sections, and the merges', () => {
    const report = describeSources(plan);
    expect(report).toContain('Sources: 5 of 2 to 8 tools, 5 of them kept whole in one domain; 2 larger ones cut along their structure (or by similarity where they have none). ');
    expect(report).toContain('Placed tool by tool (collections whose tools share too little to be one source): misc.tools.jsonl (3).');
    const weather = domainOf.get('get_forecast')!;
    expect(report).toMatch(new RegExp(`\\n${weather}: 4 tools \\(\\+3 variants set aside\\) from weather\\.mcp\\.json \\(4\\), weather-mirror\\.mcp\\.json \\(3\\)\\n  merged: its sources share weather, city`));
    expect(report).toContain(`  tools: ${plan.domains.find((d) => d.name === weather)!.tools.join(', ')}`);
    expect(report).toContain('shop.openapi.json: 12 tools, more than the 8 a domain may hold; cut by tags');
    expect(report).toMatch(new RegExp(`\\n  ${domainOf.get('listProducts')} \\(4\\): tag products\\n`));
  });

  it('names each source by the fewest trailing parts of its path that tell it from the others', () => {
    const names = ['r@c:src/domains/retail/tools.py', 'r@c:src/domains/airline/tools.py', '/x/notes.mcp.json', 'r@c:envs/shop/tools/', 'r@c:envs/bank/tools/', '/d/bfcl.json#entry_1', '/d/bfcl.json', '/s/servers.json#figma', 'tools.py'];
    expect(shortSources(names)).toEqual(['retail/tools.py', 'airline/tools.py', 'notes.mcp.json', 'shop/tools/', 'bank/tools/', 'bfcl.json#entry_1', 'bfcl.json', 'servers.json#figma', 'tools.py']);
  });

  it('writes the same plan byte for byte, which older readers of the format still parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-sources-'));
    const corpus = join(dir, 'corpus.json');
    runIngest([fixtures], { out: corpus });
    const cli = (out: string): PartitionCommandOptions => ({ ...settings, out: join(dir, out) });
    await runPartition(corpus, cli('a.json'));
    await runPartition(corpus, cli('b.json'));
    const a = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(a);
    const written = PartitionPlan.parse(JSON.parse(a));
    expect(written.sources).toEqual(plan.sources);
    // A plan written before sources were kept: no sources, no source settings, no source counts.
    const { sources: _s, ...older } = JSON.parse(a) as Record<string, unknown> & { settings: Record<string, unknown>; stats: Record<string, unknown>; domains: Array<Record<string, unknown>> };
    const { sources: _o, sameJob: _j, ...olderSettings } = older.settings;
    const { sources: _c, sourcesKeptWhole: _w, sourcesCut: _x, ...olderStats } = older.stats;
    const parsed = PartitionPlan.parse({ ...older, settings: olderSettings, stats: olderStats, domains: older.domains.map(({ sources: _d, shared: _e, ...d }) => d) });
    expect(parsed.settings).toMatchObject({ sources: false, sameJob: 2 });
    expect(parsed.sources).toBeUndefined();
    expect(parsed.stats.sourcesKeptWhole).toBeUndefined();
    expect(describeSources(parsed)).toMatch(/^Sources: not used/);
  });
});
