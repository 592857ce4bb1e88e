import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/corpus/ingest.js';
import { Domain } from '../src/env/domain.js';
import { readDomainSpec } from '../src/env/load.js';
import { DEFAULT_SETTINGS, partitionTools } from '../src/graph/partition.js';
import { synthesizeAll } from '../src/synth/parallel.js';
import { plannedJobs } from '../src/synth/planned-tools.js';
import { writeDomainFolder } from '../src/synth/write.js';
import { DomainCatalog } from '../src/serve/domains.js';
import { markdownTable } from '../src/util/table.js';
import { enlarge } from './enlarge.js';
import { JsonClient, percentile, startServeChild } from './load.js';
import { fmt } from './measure.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

/**
 * The domains of the 30,000-tool plan (the partition benchmark's: the shared corpora enlarged,
 * partitioned with default settings), synthesized offline and written as domain folders. Built
 * once per machine under the temp folder (it takes minutes), outside every timed part.
 */
async function buildPlanDomains(): Promise<string> {
  const dir = join(tmpdir(), 'envscale-bench-plan-30000');
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const base = ingest([join(repoRoot, '../shared/corpora')]).tools;
  const work = join(tmpdir(), `envscale-bench-pool-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const lines = enlarge(base, 30_000).map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  writeFileSync(join(work, 'tools.jsonl'), `${lines.join('\n')}\n`);
  const { tools } = ingest([work]);
  rmSync(work, { recursive: true, force: true });
  const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
  const outcomes = await synthesizeAll(plannedJobs(plan.domains, tools), 1, 2, () => undefined);
  for (const o of outcomes) if (o.spec) writeDomainFolder(dir, o.spec, o.verdicts);
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/**
 * Serving a folder of synthesized domains: start-up, a domain's load on its first episode, and
 * unloading idle ones. Baselines in the same run: loading every domain at start (what serving
 * did before), and an episode on a domain already loaded.
 */
export async function domainsBench(): Promise<string> {
  const dir = await buildPlanDomains();
  const names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const rows: Array<[string, string, string, string]> = [];

  // Baseline: load every domain, as serve did at start before.
  const t0 = performance.now();
  let tools = 0;
  for (const name of names) {
    const domain = new Domain(readDomainSpec(join(dir, name)), join(dir, name));
    tools += domain.tools.size;
    domain.close();
  }
  const eagerMs = performance.now() - t0;

  // The floor: the same process serving one small domain (Node, envscale's modules, listening).
  const floor = await startServeChild([resolve(repoRoot, 'fixtures', 'domains', 'tiny')]);
  await floor.stop();
  // Each domain in use has a process of its own (serve/workers.ts): room for every sampled domain at once.
  const server = await startServeChild([dir, '--domain-idle', '2', '--max-episodes', '100000', '--max-domain-processes', '128']);
  const http = new JsonClient(16);
  try {
    rows.push([
      `serve a folder of ${names.length} domains (${tools.toLocaleString('en-US')} tools): start to listening`,
      fmt.ms(server.startMs),
      `loading every domain at start: ${(eagerMs / 1000).toFixed(1)} s; serving one small domain: ${fmt.ms(floor.startMs)}`,
      '< 1 s',
    ]);
    const rssStart = server.rss();

    // First episode of a domain (loads it) against the second (already loaded), for a sample of domains.
    const sample = names.filter((_, i) => i % Math.max(1, Math.floor(names.length / 100)) === 0).slice(0, 100);
    const first: number[] = [];
    const second: number[] = [];
    const urls: string[] = [];
    for (const name of sample) {
      for (const list of [first, second]) {
        const s = performance.now();
        const created = await http.expect(201, 'POST', `${server.url}/v1/episodes`, { domain: name });
        list.push(performance.now() - s);
        urls.push(created.url);
      }
    }
    first.sort((a, b) => a - b);
    second.sort((a, b) => a - b);
    rows.push([`first episode of a domain (loads it), ${sample.length} domains: p50 / p95 / max`, `${fmt.ms(percentile(first, 0.5))} / ${fmt.ms(percentile(first, 0.95))} / ${fmt.ms(first[first.length - 1])}`, `second episode (loaded): p50 ${fmt.ms(percentile(second, 0.5))}`, 'p50 < 100 ms']);
    const rssLoaded = server.rss();
    for (const u of urls) await http.expect(204, 'DELETE', u);
    // Idle domains unload after --domain-idle (2 s here); the sweep runs every second.
    await new Promise((r) => setTimeout(r, 5000));
    const rssAfter = server.rss();
    rows.push([`server RSS: at start / ${sample.length} domains loaded / after they idled`, `${fmt.mb(rssStart)} / ${fmt.mb(rssLoaded)} / ${fmt.mb(rssAfter)}`, 'freed memory stays with the process', '']);
  } finally {
    http.close();
    await server.stop();
  }

  // Unloading, counted in a catalog of this process: the same domains loaded, then left idle.
  const catalog = new DomainCatalog(
    names.slice(0, 100).map((name) => ({ name, dir: join(dir, name) })),
    1000,
  );
  for (const name of names.slice(0, 100)) catalog.get(name);
  const loaded = catalog.loaded;
  await new Promise((r) => setTimeout(r, 2500));
  rows.push(['domains loaded, then after 1 s idle (catalog sweep)', `${loaded} -> ${catalog.loaded}`, '', 'idle domains unloaded']);
  catalog.close();
  return markdownTable(['measure', 'envscale', 'baseline (same run)', 'target'], rows);
}
