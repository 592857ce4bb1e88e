import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { loadDomain, readTasks } from '../src/env/load.js';
import { episodeOpener } from '../src/episode/opener.js';
import { markdownTable } from '../src/util/table.js';
import { treeCpuMs } from '../src/util/proc.js';
import { startEchoHttp } from './echo-server.js';
import { closedLoop, JsonClient, openLoop, percentile, RawConnection, startChild, startServeChild, type ServeChild } from './load.js';
import { fmt } from './measure.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const PROJECTS = resolve(repoRoot, 'domains', 'projects');
const TASK = 'projects-003-close-navigation';
const HOST_CHILD = fileURLToPath(new URL('./host-child.js', import.meta.url));
const ECHO_CHILD = fileURLToPath(new URL('./echo-child.js', import.meta.url));
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
    // Throughput: 100 episodes stepping back to back on this server (one process per domain), on
    // one with two processes per domain, and on the same host without domain processes (its
    // episodes in the server's process: the difference is what the process boundary costs), against
    // a bare node:http JSON echo in a process of its own. Each server's CPU per call (its whole
    // process tree) and the load generator's say where the time goes on a shared machine, and give
    // the ceiling on two idle cores: 2 s of CPU per second over the CPU one call takes, both ends.
    const action = { action: { type: 'call_tool', tool_name: 'get_task', arguments: { task_id: 'T-1006' } } };
    const two = await startServeChild([PROJECTS, '--domain-processes', '2', '--max-episodes', '20000']);
    const inProcess = await startChild([HOST_CHILD, PROJECTS]);
    const bare = await startChild([ECHO_CHILD]);
    const episodesOn = async (s: ServeChild) => (await Promise.all(Array.from({ length: 100 }, () => http.expect(201, 'POST', `${s.url}/v1/episodes`, { domain: 'projects' })))).map((e) => `${e.url}/step`);
    const targets: Array<{ name: string; server: ServeChild; urls: string[] }> = [
      { name: 'echo', server: bare, urls: Array(100).fill(`${bare.url}/`) },
      { name: 'one', server, urls: hundred.map((h) => `${h.url}/step`) },
      { name: 'two', server: two, urls: await episodesOn(two) },
      { name: 'local', server: inProcess, urls: await episodesOn(inProcess) },
    ];
    const runs = new Map<string, Array<{ rate: number; latencies: number[]; serverUs: number; clientUs: number }>>();
    const loads: number[] = [];
    // The load comes from one bare keep-alive socket per episode (RawConnection), so that the server, not the client, is measured.
    const payload = JSON.stringify(action);
    const connections = new Map(targets.map((t) => [t.name, t.urls.map((u) => ({ conn: new RawConnection(u), path: new URL(u).pathname }))]));
    const stepOn = async (name: string, w: number) => {
      const { conn, path } = connections.get(name)![w];
      const res = await conn.post(path, payload);
      if (res.status !== 200) throw new Error(`${name}: step answered ${res.status}: ${res.body.toString()}`);
    };
    for (let round = 0; round < 2; round++) {
      loads.push(loadavg()[0]);
      for (const t of round ? [...targets].reverse() : targets) {
        const cpu0 = treeCpuMs(t.server.child.pid!);
        const own0 = process.cpuUsage();
        const r = await closedLoop((w) => stepOn(t.name, w), 100, SECONDS);
        const own = process.cpuUsage(own0);
        const n = r.latencies.length;
        (runs.get(t.name) ?? runs.set(t.name, []).get(t.name)!).push({ ...r, serverUs: ((treeCpuMs(t.server.child.pid!) - cpu0) * 1000) / n, clientUs: (own.user + own.system) / n });
      }
    }
    const mean = (name: string, f: (r: { rate: number; serverUs: number; clientUs: number }) => number) => runs.get(name)!.reduce((a, r) => a + f(r), 0) / runs.get(name)!.length;
    const cpu = (name: string) => `${mean(name, (r) => r.serverUs).toFixed(0)} µs`;
    const ceiling = (name: string) => fmt.rate(2e6 / (mean(name, (r) => r.serverUs) + mean(name, (r) => r.clientUs)));
    for (const list of connections.values()) for (const { conn } of list) conn.close();
    const echoRate = mean('echo', (r) => r.rate);
    const echoText = `node:http JSON echo ${fmt.rate(echoRate)}, ${cpu('echo')} CPU/call`;
    for (const [name, label] of [['one', 'serve --http (1 process per domain)'], ['two', 'serve --http --domain-processes 2']]) {
      const clientShare = mean(name, (r) => r.clientUs) / (mean(name, (r) => r.clientUs) + mean(name, (r) => r.serverUs));
      rows.push([
        `tool calls/s, step API, 100 concurrent episodes, ${label}`,
        `${fmt.rate(mean(name, (r) => r.rate))}; server CPU ${cpu(name)}/call; load generator ${mean(name, (r) => r.clientUs).toFixed(0)} µs/call (${fmt.pct(clientShare)} of the CPU both take); 2 idle cores: ${ceiling(name)}, server alone on 2 cores: ${fmt.rate(2e6 / mean(name, (r) => r.serverUs))}`,
        `${echoText}: ${fmt.pct(mean(name, (r) => r.rate) / echoRate)}; echo on 2 idle cores: ${ceiling('echo')}`,
        '>= 3,000/s',
      ]);
    }
    // The boundary's cost is a difference of two noisy figures: it is reported only when it is larger
    // than how much either figure moved between its two rounds (on a loaded machine it often is not).
    const boundary = mean('one', (r) => r.serverUs) - mean('local', (r) => r.serverUs);
    const spread = Math.max(...['one', 'local'].map((name) => Math.abs(runs.get(name)![0].serverUs - runs.get(name)![1].serverUs)));
    const boundaryText = boundary > spread ? `the process boundary costs ${boundary.toFixed(0)} µs CPU per step` : `the process boundary's cost is not resolved: ${boundary.toFixed(0)} µs, within the ${spread.toFixed(0)} µs the rounds differ by`;
    rows.push(['  the same host with its episodes in its own process', `${fmt.rate(mean('local', (r) => r.rate))}; server CPU ${cpu('local')}/call`, boundaryText, '']);
    const steps = runs.get('one')!.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const echoLat = runs.get('echo')!.flatMap((r) => r.latencies).sort((a, b) => a - b);
    rows.push(['  step latency at saturation (p50 / p99)', `${ms(percentile(steps, 0.5))} / ${ms(percentile(steps, 0.99))}`, `echo ${ms(percentile(echoLat, 0.5))} / ${ms(percentile(echoLat, 0.99))}; load average ${loads.map((l) => l.toFixed(1)).join(', ')}`, '']);
    await Promise.all([two.stop(), inProcess.stop(), bare.stop()]);

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
