import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Server } from '@modelcontextprotocol/server';
import { Domain } from '../src/env/domain.js';
import { buildImage } from '../src/env/image.js';
import { readDomainSpec } from '../src/env/load.js';
import { stateHash } from '../src/env/state-hash.js';
import { createDomainServer } from '../src/mcp/server.js';
import { Episode } from '../src/episode/episode.js';
import { startHttpHost } from '../src/serve/host.js';
import { markdownTable } from '../src/util/table.js';
import { echoServer, startEchoHttp } from './echo-server.js';
import { largeDomainSpec } from './large-domain.js';
import { fmt, throughput, time } from './measure.js';

type Row = [string, string, string, string];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5) * 1000;

async function inMemoryClient(server: Server): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  await client.connect(a);
  return client;
}

async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Session cost, hashing, call throughput and memory of the engine and its MCP server. */
export async function foundationBench(): Promise<string> {
  const rows: Row[] = [];
  const spec = largeDomainSpec(10);

  // Baseline: rebuild the state from the domain's seed files on disk.
  const dir = mkdtempSync(join(tmpdir(), 'envscale-bench-'));
  const { seed, policy, ...file } = spec;
  writeFileSync(join(dir, 'domain.json'), JSON.stringify(file));
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));
  writeFileSync(join(dir, 'policy.md'), policy);
  const rebuild = await time(() => buildImage(readDomainSpec(dir)), 3, 1);
  rmSync(dir, { recursive: true });

  const domain = new Domain(spec);
  const bytes = domain.image.bytes;
  const rawOpen = await time(() => new Database(bytes).close(), 300);
  const open = await time(() => domain.openSession().close(), 20_000, 100);
  let n = 0;
  const firstWrite = await time(() => {
    const s = domain.openSession();
    s.call('set_note', { order_id: `O${n++}`, note: 'ring twice' });
    s.close();
  }, 300);
  // The same two, with every copy kept open: each one then needs fresh pages from the OS, as when
  // many sessions write at once (above, closing each copy lets the allocator reuse its memory).
  const held: Array<{ close(): void }> = [];
  const rawOpenHeld = await time(() => void held.push(new Database(bytes)), 20, 0);
  held.splice(0).forEach((db) => db.close());
  const firstWriteHeld = await time(() => {
    const s = domain.openSession();
    s.call('set_note', { order_id: `O${n++}`, note: 'ring twice' });
    held.push(s);
  }, 20, 0);
  held.splice(0).forEach((x) => x.close());
  rows.push(['open a session', fmt.ms(open.medianMs), `rebuild from seed files ${fmt.ms(rebuild.medianMs)}; raw open of the ${fmt.mb(bytes.length)} image ${fmt.ms(rawOpen.medianMs)}`, `< 0.5 ms`]);
  rows.push(['open + first write (fork), memory reused', fmt.ms(firstWrite.medianMs), `raw open ${fmt.ms(rawOpen.medianMs)}: ${fmt.ratio(firstWrite.medianMs / rawOpen.medianMs)}`, '<= 1.5x raw open']);
  rows.push(['open + first write (fork), copies kept open', fmt.ms(firstWriteHeld.medianMs), `raw open kept open ${fmt.ms(rawOpenHeld.medianMs)}: ${fmt.ratio(firstWriteHeld.medianMs / rawOpenHeld.medianMs)}`, '<= 1.5x raw open']);

  // Hash after a write: incremental, against rehashing every row.
  const s = domain.openSession();
  s.call('set_note', { order_id: 'O1', note: 'warm' });
  let k = 0;
  // The hash's cost after a write: the per-row digests made while the write runs (the write's
  // own time includes them) plus combining the table sums when the hash is asked for.
  const write = await time(() => s.call('set_note', { order_id: 'O2', note: `w${k++}` }), 2000);
  const combine: number[] = [];
  for (let i = 0; i < 2000; i++) {
    s.call('set_note', { order_id: 'O3', note: `h${k++}` });
    const t0 = performance.now();
    s.stateHash();
    combine.push(performance.now() - t0);
  }
  combine.sort((a, b) => a - b);
  const combineMs = combine[combine.length >> 1];
  const fullHash = await time(() => stateHash(s.reader, domain.spec.tables), 3, 1);
  rows.push(['state hash after a write', `${fmt.ms(combineMs)} (whole write with row digests: ${fmt.ms(write.medianMs)})`, `hash every row ${fmt.ms(fullHash.medianMs)}`, '< 1 ms, O(rows changed)']);

  // Calls per second.
  const read = (i: number) => ({ order_id: `O${(i * 7919) % 1000}` });
  const directRead = await throughput(() => s.call('get_order', read(k++)), SECONDS);
  const directWrite = await throughput(() => s.call('set_note', { order_id: 'O4', note: `d${k++}` }), SECONDS);

  const echoMem = await inMemoryClient(echoServer());
  const echoMemRate = await throughput(() => echoMem.callTool({ name: 'echo', arguments: read(k++) }), SECONDS);
  const memEpisode = await Episode.open({ domain });
  const mem = await inMemoryClient(createDomainServer(memEpisode));
  const memRead = await throughput(() => mem.callTool({ name: 'get_order', arguments: read(k++) }), SECONDS);
  const memWrite = await throughput(() => mem.callTool({ name: 'set_note', arguments: { order_id: 'O5', note: `m${k++}` } }), SECONDS);

  const echoHttp = await startEchoHttp();
  const echoOne = await httpClient(echoHttp.url);
  const echoHttpRate = await throughput(() => echoOne.callTool({ name: 'echo', arguments: read(k++) }), SECONDS);
  const echoMany = await Promise.all(Array.from({ length: 50 }, () => httpClient(echoHttp.url)));
  const echoHttp50 = await throughput((w) => echoMany[w].callTool({ name: 'echo', arguments: read(k++) }), SECONDS, 50);

  const host = await startHttpHost({ domains: [domain], port: 0 });
  const url = `${host.url}/mcp/${domain.name}`;
  const one = await httpClient(url);
  const httpRead = await throughput(() => one.callTool({ name: 'get_order', arguments: read(k++) }), SECONDS);
  const httpWrite = await throughput(() => one.callTool({ name: 'set_note', arguments: { order_id: 'O6', note: `x${k++}` } }), SECONDS);
  const many = await Promise.all(Array.from({ length: 50 }, () => httpClient(url)));
  const http50Read = await throughput((w) => many[w].callTool({ name: 'get_order', arguments: read(k++) }), SECONDS, 50);
  // Each session's first write forks its state (measured above); this measures writes after that.
  await Promise.all(many.map((c, w) => c.callTool({ name: 'set_note', arguments: { order_id: `O${w}`, note: 'fork' } })));
  const http50Write = await throughput((w) => many[w].callTool({ name: 'set_note', arguments: { order_id: `O${w}`, note: `y${k++}` } }), SECONDS, 50);

  // serve --http runs each domain's sessions in a process of its own: one more hop (IPC) per message.
  const isolated = await startHttpHost({ domains: [domain], port: 0, isolate: {} });
  const remote = await httpClient(`${isolated.url}/mcp/${domain.name}`);
  const isoRead = await throughput(() => remote.callTool({ name: 'get_order', arguments: read(k++) }), SECONDS);
  const isoWrite = await throughput(() => remote.callTool({ name: 'set_note', arguments: { order_id: 'O7', note: `z${k++}` } }), SECONDS);
  await remote.close();
  await isolated.close();

  rows.push(['calls/s, engine direct (read / write)', `${fmt.rate(directRead)} / ${fmt.rate(directWrite)}`, '', '']);
  rows.push(['calls/s, MCP in-memory (read / write)', `${fmt.rate(memRead)} / ${fmt.rate(memWrite)}`, `echo floor ${fmt.rate(echoMemRate)}: ${fmt.pct(memRead / echoMemRate)} / ${fmt.pct(memWrite / echoMemRate)}`, '>= 40% of floor']);
  rows.push(['calls/s, MCP HTTP 1 session (read / write)', `${fmt.rate(httpRead)} / ${fmt.rate(httpWrite)}`, `echo floor ${fmt.rate(echoHttpRate)}: ${fmt.pct(httpRead / echoHttpRate)} / ${fmt.pct(httpWrite / echoHttpRate)}`, '>= 60% of floor']);
  rows.push(['calls/s, MCP HTTP 1 session in a domain process, as serve --http (read / write)', `${fmt.rate(isoRead)} / ${fmt.rate(isoWrite)}`, `in-process host ${fmt.rate(httpRead)} / ${fmt.rate(httpWrite)}: ${fmt.pct(isoRead / httpRead)} / ${fmt.pct(isoWrite / httpWrite)}`, '>= 90% of in-process']);
  rows.push(['calls/s, MCP HTTP 50 sessions (read / write after the first)', `${fmt.rate(http50Read)} / ${fmt.rate(http50Write)}`, `echo floor ${fmt.rate(echoHttp50)}: ${fmt.pct(http50Read / echoHttp50)} / ${fmt.pct(http50Write / echoHttp50)}`, '>= 60% of floor']);
  for (const c of [echoMem, mem, echoOne, one, ...echoMany, ...many]) await c.close();
  await host.close();
  await echoHttp.close();
  memEpisode.close();
  s.close();

  // Memory: 1,000 open sessions, each with its MCP server, 100 of which have written.
  gc();
  const rss0 = process.memoryUsage().rss;
  const sessions = await Promise.all(
    Array.from({ length: 1000 }, async () => {
      const episode = await Episode.open({ domain });
      return { session: episode.state, server: createDomainServer(episode) };
    }),
  );
  sessions.slice(0, 100).forEach(({ session }, i) => session.call('set_note', { order_id: `O${i}`, note: 'mem' }));
  gc();
  const rss1 = process.memoryUsage().rss;
  rows.push(['resident memory, 1,000 sessions (100 written)', fmt.mb(rss1), `${fmt.mb(rss1 - rss0)} added by the sessions; image ${fmt.mb(bytes.length)}`, '< 3 GB']);
  for (const { session } of sessions) session.close();

  return markdownTable(['measure', 'envscale', 'baseline (same run)', 'target'], rows);
}
