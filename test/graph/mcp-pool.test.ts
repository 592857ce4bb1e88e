import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/corpus/ingest.js';
import { scoreAgainstLabels, serverListSet } from '../../src/graph/evaluate.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../src/graph/partition.js';
import { describeSources } from '../../src/graph/run.js';

// The project's invented pool of 32 MCP servers (fixtures/mcp-pool/README.md), with the default settings (40-tool domains).
const folder = resolve(fileURLToPath(import.meta.url), '../../../fixtures/mcp-pool/servers');
const set = serverListSet('MCP server lists', folder);
const { plan, communities } = partitionTools(set.tools, DEFAULT_SETTINGS);
const domainOf = new Map(plan.domains.flatMap((d) => [...d.tools, ...d.variants.map((v) => v.tool)].map((t) => [t, d.name] as const)));
const toolsOf = (server: string) => set.tools.filter((t) => t.group === server);
const homes = (server: string) => new Set(toolsOf(server).map((t) => domainOf.get(t.name) ?? `isolated:${t.name}`));
const home = (server: string) => {
  const h = [...homes(server)];
  expect(h, server).toHaveLength(1);
  return h[0];
};

describe('a pool of MCP server lists', () => {
  it('reads every list shape, naming each server', () => {
    const { report } = ingest([folder]);
    const formats = Object.fromEntries(report.files.map((f) => [f.file.slice(folder.length + 1), f.format]));
    expect(formats).toMatchObject({
      'registry-export.json': 'mcp servers', // [{name, description, tools}]
      'claude-tools.json': 'anthropic servers', // {servers: {name: {tools with input_schema}}}
      'catalog.json': 'mcp servers', // {servers: [{server_name, tools}]}
      'one-server/hotel-booking.json': 'mcp', // a JSON-RPC tools/list response
      'one-server/currency-rates.json': 'anthropic',
    });
    expect(report.skipped).toEqual([]);
    // 32 servers: named by their list, or by their file when a tools/list result names none.
    expect(new Set(set.tools.map((t) => t.group)).size).toBe(32);
    expect(toolsOf('hubspot-crm')).toHaveLength(10); // {name, tools} on its own
    expect(toolsOf('fetch')).toHaveLength(1); // a JSON Lines line {name, tools}
  });

  it('keeps every server of 2 to 40 tools whole, with domains pure by source', () => {
    const s = scoreAgainstLabels(set.tools, plan, communities, set.jobs);
    expect(s).toMatchObject({ keptWhole: 1, keptWholeOf: 25, sourcePurity: 1 });
    expect(plan.stats).toMatchObject({ sources: 25, sourcesKeptWhole: 25, sourcesCut: 1 });
    // No domain holds two servers but the weather ones.
    for (const d of plan.domains) expect(d.sources!.length, d.name).toBeLessThanOrEqual(d.name === home('weather-now') ? 2 : 1);
  });

  it('merges the two weather servers, and the one-tool weather server with them', () => {
    expect(home('open-forecast')).toBe(home('weather-now'));
    expect(home('quick-weather')).toBe(home('weather-now'));
    expect(plan.domains.find((d) => d.name === home('weather-now'))!.shared).toEqual(expect.arrayContaining(['weather', 'city', 'forecast']));
    expect(describeSources(plan)).toMatch(/weather-now \(5\), registry-export\.json#open-forecast \(4\), 1 lone tool\n {2}merged: its sources share /);
  });

  it('keeps same-named tools of unrelated servers with their own server, and each server its own generic helper', () => {
    // think: weather-now's and todo-list's; get_booking and cancel_booking: hotels' and flights'; list_issues: three trackers'.
    for (const server of ['todo-list', 'hotel-booking', 'flight-search', 'sentry-issues', 'linear-tracker', 'slack-bridge', 'zendesk-support']) home(server);
    expect(home('todo-list')).not.toBe(home('weather-now'));
    expect(home('hotel-booking')).not.toBe(home('flight-search'));
    expect(new Set([home('sentry-issues'), home('linear-tracker')]).size).toBe(2);
    expect(plan.domains.reduce((n, d) => n + d.variants.length, 0)).toBe(0);
  });

  it('places each one-tool server with its job, or apart when no other server does it', () => {
    expect(scoreAgainstLabels(set.tools, plan, communities, set.jobs)).toMatchObject({ loneWithJob: 1, loneOf: 6 });
    // clock and tz-convert share "convert" with the currency server and "current" with many, but fit each other.
    expect(home('clock')).toBe(home('tz-convert'));
    expect(plan.domains.find((d) => d.name === home('clock'))!.tools).toHaveLength(2);
    // fetch and sequential-thinking share a word or two with filesystem and to-do, and fit neither.
    for (const server of ['fetch', 'sequential-thinking', 'qr-codes']) expect(home(server)).toMatch(/^isolated:/);
    expect(plan.stats.loneApart).toBe(5);
    const report = describeSources(plan);
    expect(report).toContain('; 5 did not and were placed among the other lone tools.');
    expect(report).toMatch(/\n\w+: 2 tools from 2 lone tools\n {2}tools: convert_time, get_current_time\n/);
    expect(report).toContain('kept apart, in no domain): fetch, generate_qr_code, sequentialthinking');
  });

  it('cuts the 45-tool server into as few parts as fit, each a domain of its own', () => {
    const github = plan.sources!.find((s) => s.name.endsWith('#github-lite'))!;
    expect(github).toMatchObject({ treatment: 'cut', tools: 45 });
    expect(github.cut!.reason).toBe('45 tools, more than the 40 a domain may hold; cut by similarity');
    expect(homes('github-lite').size).toBe(2);
    for (const d of homes('github-lite')) expect(plan.domains.find((x) => x.name === d)!.sources).toHaveLength(1);
  });
});
