import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { loadDomain, readTasks } from '../src/env/load.js';
import { episodeOpener } from '../src/episode/opener.js';
import { markdownTable } from '../src/util/table.js';
import { startEchoHttp, startJsonEcho } from './echo-server.js';
import { closedLoop, JsonClient, openLoop, percentile, startServeChild } from './load.js';
import { fmt } from './measure.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const PROJECTS = resolve(repoRoot, 'domains', 'projects');
const TASK = 'projects-003-close-navigation';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3) * 1000;

/** Ten tool calls: the task's gold calls (two of them writes), then reads of what they touched. */
function tenCalls(): Array<{ tool_name: string; arguments: Record<string, unknown> }> {
  const gold = readTasks(PROJECTS).find((t) => t.id === TASK)!.gold.actions.map((a) => ({ tool_name: a.tool, arguments: a.args }));
  const reads = [
    { tool_name: 'get_task', arguments: { task_id: 'T-1006' } },
    { tool_name: 'get_project', arguments: { project_id: 'P-101' } },
    { tool_name: 'list_tasks', arguments: { assignee_id: 'M-008' } },
    { tool_name: 'get_member_workload', arguments: { member_id: 'M-008' } },
    { tool_name: 'list_projects', arguments: {} },
    { tool_name: 'get_task', arguments: { task_id: 'T-1001' } },
  ];
  return [...gold, ...reads];
}

const ms = (v: number) => fmt.ms(v);

/**
 * The episodes API under load: reset + 10 steps + reward for 1,000 concurrent episodes over HTTP
 * against the same work in process (the ratio is the HTTP cost), step latency with 100 episodes
 * open, step throughput against a bare node:http JSON echo and the SDK's MCP echo floor, MCP on
 * episode URLs, and the resident memory of the server process with 1,000 episodes open.
 */
export async function episodesBench(): Promise<string> {
  const rows: Array<[string, string, string, string]> = [];
  const calls = tenCalls();
  // 1,000 episodes in flight share 256 keep-alive connections, as a trainer's HTTP pool would.
  const http = new JsonClient(256);
  const server = await startServeChild([PROJECTS, '--max-episodes', '20000', '--episode-ttl', '3600', '--max-sessions', '5000']);
  const base = server.url;
  try {
    const rssIdle = server.rss();
    const stepLatencies: number[] = [];
    const episodeOverHttp = async () => {
      const created = await http.expect(201, 'POST', `${base}/v1/episodes`, { domain: 'projects', task: TASK, user: 'scripted' });
      for (const c of calls) {
        const s = performance.now();
        await http.expect(200, 'POST', `${created.url}/step`, { action: { type: 'call_tool', ...c } });
        stepLatencies.push(performance.now() - s);
      }
      const status = await http.expect(200, 'GET', created.url);
      if (status.reward !== 1) throw new Error(`expected reward 1 for the gold calls, got ${status.reward}`);
      return created.url as string;
    };
    await Promise.all(Array.from({ length: 50 }, episodeOverHttp)).then((urls) => Promise.all(urls.map((u) => http.expect(204, 'DELETE', u))));

    // 1,000 episodes at once over HTTP, kept open to weigh them.
    stepLatencies.length = 0;
    let t0 = performance.now();
    const urls = await Promise.all(Array.from({ length: 1000 }, episodeOverHttp));
    const httpSeconds = (performance.now() - t0) / 1000;
    stepLatencies.sort((a, b) => a - b);
    const rssOpen = server.rss();

    // The same work in process: the episode engine with no HTTP in between.
    const domain = loadDomain(PROJECTS);
    const open = episodeOpener({ defaultUser: 'scripted' });
    const local = async () => {
      const episode = await open(domain, { task: TASK, user: 'scripted' });
      for (const c of calls) await episode.act(() => episode.callTool(c.tool_name, c.arguments));
      if (episode.score()?.reward !== 1) throw new Error('in-process episode did not reach reward 1');
      return episode;
    };
    await Promise.all(Array.from({ length: 50 }, local)).then((eps) => eps.forEach((e) => e.close()));
    t0 = performance.now();
    const held = await Promise.all(Array.from({ length: 1000 }, local));
    const localSeconds = (performance.now() - t0) / 1000;
    held.forEach((e) => e.close());

    rows.push(['reset + 10 steps + reward, 1,000 concurrent episodes over HTTP', `${fmt.rate(1000 / httpSeconds).replace('/s', ' episodes/s')}`, `in process ${fmt.rate(1000 / localSeconds).replace('/s', ' episodes/s')}: HTTP takes ${fmt.ratio(httpSeconds / localSeconds)} as long`, '']);
    rows.push(['  step latency at 1,000 concurrent (p50 / p99)', `${ms(percentile(stepLatencies, 0.5))} / ${ms(percentile(stepLatencies, 0.99))}`, '', '']);
    rows.push(['server RSS with 1,000 open projects episodes (10 steps each)', fmt.mb(rssOpen), `idle server ${fmt.mb(rssIdle)}: ${fmt.mb((rssOpen - rssIdle) / 1000)} per episode`, '< 1 GB']);
    await Promise.all(urls.map((u) => http.expect(204, 'DELETE', u)));

    // 100 episodes open: latency as agents see it (they think between steps), then throughput.
    const hundred = await Promise.all(Array.from({ length: 100 }, () => http.expect(201, 'POST', `${base}/v1/episodes`, { domain: 'projects' })));
    const read = (w: number) => http.expect(200, 'POST', `${hundred[w].url}/step`, { action: { type: 'call_tool', tool_name: 'get_task', arguments: { task_id: 'T-1006' } } });
    const paced = await openLoop(read, 100, 50, SECONDS);
    rows.push(['step latency, 100 episodes each stepping every 50 ms (p50 / p99)', `${ms(percentile(paced.latencies, 0.5))} / ${ms(percentile(paced.latencies, 0.99))}`, `${fmt.rate(paced.rate)} offered`, 'p50 < 2 ms']);
    const steps = await closedLoop((w) => read(w), 100, SECONDS);
    const bare = await startJsonEcho();
    const echo = await closedLoop(() => http.expect(200, 'POST', bare.url, { action: { type: 'call_tool', tool_name: 'get_task', arguments: { task_id: 'T-1006' } } }), 100, SECONDS);
    await bare.close();
    rows.push(['tool calls/s, step API, 100 concurrent episodes, 1 server process', fmt.rate(steps.rate), `node:http JSON echo ${fmt.rate(echo.rate)}: ${fmt.pct(steps.rate / echo.rate)}`, '>= 3,000/s']);
    rows.push(['  step latency at saturation (p50 / p99)', `${ms(percentile(steps.latencies, 0.5))} / ${ms(percentile(steps.latencies, 0.99))}`, `echo ${ms(percentile(echo.latencies, 0.5))} / ${ms(percentile(echo.latencies, 0.99))}`, '']);

    // MCP clients on the episodes' URLs, against the SDK's own echo server on the same stack.
    const mcpClients = async (urls: string[], modern: boolean) =>
      Promise.all(
        urls.map(async (u) => {
          const c = new Client({ name: 'bench', version: '1' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
          await c.connect(new StreamableHTTPClientTransport(new URL(u)));
          return c;
        }),
      );
    const floor = await startEchoHttp();
    for (const modern of [false, true]) {
      const echoClients = await mcpClients(Array(100).fill(floor.url), modern);
      const echoRate = await closedLoop((w) => echoClients[w].callTool({ name: 'echo', arguments: { task_id: 'T-1006' } }), 100, SECONDS);
      const mcp = await mcpClients(
        hundred.map((h) => h.mcp_url),
        modern,
      );
      const mcpRate = await closedLoop((w) => mcp[w].callTool({ name: 'get_task', arguments: { task_id: 'T-1006' } }), 100, SECONDS);
      rows.push([
        `tool calls/s, MCP on episode URLs, 100 ${modern ? '2026-07-28 (session-less)' : '2025 (session)'} clients`,
        fmt.rate(mcpRate.rate),
        `SDK echo floor ${fmt.rate(echoRate.rate)}: ${fmt.pct(mcpRate.rate / echoRate.rate)}`,
        '',
      ]);
      await Promise.all([...echoClients, ...mcp].map((c) => c.close()));
    }
    await floor.close();
  } finally {
    http.close();
    await server.stop();
  }
  return markdownTable(['measure', 'envscale', 'baseline (same run)', 'target'], rows);
}
