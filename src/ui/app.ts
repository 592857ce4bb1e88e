import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Domain } from '../env/domain.js';
import { loadDomain } from '../env/load.js';
import { DEFAULT_FUNNEL, funnelFailure } from '../record/funnel.js';
import type { Task } from '../spec/task.js';
import { EpisodeStatus, StopReason, type EpisodeRecord, type RunRecord, type ToolDefinition, type TrajectoryEvent } from '../spec/trajectory.js';
import { UserError, messageOf } from '../util/errors.js';
import { readAssets, type Asset } from './assets.js';
import { tokenGuard, loopbackGuard } from './auth.js';
import { DomainCatalog, domainDetail, tableRows } from './domains.js';
import { pairWithGold, replayEpisodeState, type CallPair, type EpisodeState } from './episode-state.js';
import { StorePoller, type LiveChange, type LiveSource } from './live.js';
import { PlanView } from './plan-view.js';
import { StoreReader, type EpisodeQuery } from './store-reader.js';

export interface UiOptions {
  /** Trajectory store (opened read-only, never created; picked up when it appears). */
  store?: string;
  /** Domain folders, or folders of domain folders (default: the domain search path). */
  domains?: string[];
  /** plan.json of `envscale partition`; graph.json and corpus.json beside it are read too. */
  plan?: string;
  /** The tool graph (graphology JSON) when it is not graph.json beside the plan. */
  graph?: string;
  /** Require this token (bearer header, or once in the URL for a browser, then a cookie). */
  token?: string;
  /** Refuse requests whose Host or Origin is not localhost (for a loopback bind; default true). */
  loopbackOnly?: boolean;
  /** Where live updates come from (default: polling the store); false for none. */
  live?: LiveSource | false;
  /** Front-end files (default: the package's dist/ui). */
  assetDir?: string;
  /** Aborting it releases the store connection and ends live streams. */
  signal?: AbortSignal;
}

/** Everything the episode page shows. */
export interface EpisodeDetail {
  episode: EpisodeRecord;
  run: RunRecord | null;
  task: Task | null;
  /** Whether the task's gold actions only read (then exact match counts in the funnel). */
  readOnly: boolean | null;
  tools: ToolDefinition[];
  events: TrajectoryEvent[];
  /** The episode's calls beside the gold actions (null without a task). */
  versus: CallPair[] | null;
  /** The funnel stage that drops the episode, and why; null when it passes. */
  funnel: { stage: string; reason: string } | null;
  /** Rebuilt by replay (null while the episode runs, or when the domain cannot be loaded: see stateError). */
  state: EpisodeState | null;
  stateError: string | null;
  neighbours: { prev: number | null; next: number | null; index: number; total: number };
}

const HEARTBEAT_MS = 15_000;
const CACHED_EPISODES = 64;

const optionalText = z.string().min(1).optional();
const PageQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const EpisodeFilter = z.object({
  run: z.coerce.number().int().positive().optional(),
  domain: optionalText,
  status: EpisodeStatus.optional(),
  outcome: z.enum(['pass', 'fail', 'unscored']).optional(),
  task: optionalText,
  stop: StopReason.optional(),
});
const Order = z.object({ order: z.enum(['asc', 'desc']).default('asc') });
const Compare = z.object({ a: z.coerce.number().int().positive(), b: z.coerce.number().int().positive() });
const TableQuery = z.object({ q: optionalText });

/** A query string read with a schema; a bad value is a 400 with one sentence. Empty values count as absent. */
function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new BadRequest(`Bad query parameter ${issue.path.join('.') || '(query)'}: ${issue.message}.`);
}

class BadRequest extends Error {}
class NotFound extends Error {}

const idParam = (c: Context, name = 'id'): number => {
  const n = Number(c.req.param(name));
  if (!Number.isInteger(n) || n <= 0) throw new BadRequest(`${c.req.param(name)} is not an id: ids are positive whole numbers.`);
  return n;
};

/**
 * The viewer: JSON endpoints over a trajectory store, domain folders and a partition plan, live
 * updates as server-sent events, and the front end. Read-only by construction: the store is
 * opened read-only, domains are served from their seed image's read-only connection, and
 * there is no route that takes a body. Mount it where it should live (`/ui`).
 */
export function createUiApp(options: UiOptions = {}): Hono {
  const reader = new StoreReader(options.store);
  const runDomainDirs = () =>
    (reader.store?.db.prepare("SELECT DISTINCT json_extract(settings, '$.domain_dir') FROM runs WHERE json_extract(settings, '$.domain_dir') IS NOT NULL").pluck().all() as string[]) ?? [];
  const planDomains = options.plan ? [join(dirname(options.plan), 'domains')] : [];
  const catalog = new DomainCatalog([...(options.domains ?? []), ...planDomains], runDomainDirs);
  const plan = options.plan ? new PlanView(options.plan, options.graph) : undefined;
  const poller = options.live === undefined && options.store ? new StorePoller(reader) : undefined;
  const live = options.live === false ? undefined : (options.live ?? poller);
  const states = new Map<number, EpisodeState>();
  let assets: Map<string, Asset> | undefined;
  options.signal?.addEventListener('abort', () => {
    poller?.stop();
    reader.close();
  });

  /** The domain an episode ran on: the folder its run recorded, else the catalog's domain of that name. */
  const episodeDomain = (domainName: string, runId: number): Domain => {
    const dir = reader.store?.run(runId)?.settings.domain_dir;
    return typeof dir === 'string' && existsSync(join(dir, 'domain.json')) ? loadDomain(dir) : catalog.load(domainName);
  };

  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof NotFound) return c.json({ error: err.message }, 404);
    if (err instanceof BadRequest || err instanceof UserError) return c.json({ error: err.message }, 400);
    return c.json({ error: `Internal error: ${messageOf(err)}` }, 500);
  });
  app.notFound((c) => c.json({ error: `Nothing at ${new URL(c.req.url).pathname}.` }, 404));
  if (options.loopbackOnly ?? true) app.use(loopbackGuard());
  if (options.token) app.use(tokenGuard(options.token));
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], connectSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"] },
      referrerPolicy: 'no-referrer',
    }),
  );

  app.get('/api/info', (c) =>
    c.json({
      store: options.store ?? null,
      storeOpen: reader.store !== undefined,
      plan: options.plan ?? null,
      live: live !== undefined,
    }),
  );

  app.get('/api/runs', (c) => c.json(reader.runs(query(c, PageQuery))));

  app.get('/api/runs/:id', (c) => {
    const run = reader.run(idParam(c));
    if (!run) throw new NotFound(`No run ${c.req.param('id')} in the store.`);
    return c.json(run);
  });

  app.get('/api/runs/:id/funnel', async (c) => {
    const funnel = await reader.funnel(idParam(c));
    if (!funnel) throw new NotFound(`No run ${c.req.param('id')} in the store.`);
    return c.json(funnel);
  });

  app.get('/api/episodes', (c) => {
    const filter: EpisodeQuery = query(c, EpisodeFilter);
    const { order } = query(c, Order);
    return c.json(reader.episodes(filter, query(c, PageQuery), order));
  });

  app.get('/api/episodes/:id', (c) => {
    const id = idParam(c);
    const ep = reader.episode(id);
    if (!ep) throw new NotFound(`No episode ${id} in the store.`);
    const e = ep.episode;
    let state: EpisodeState | null = e.status === 'running' ? null : (states.get(id) ?? null);
    let stateError: string | null = null;
    if (!state) {
      try {
        state = replayEpisodeState(episodeDomain(e.domain, e.run_id), ep.task?.task, ep.events, e.final_hash);
        if (e.status !== 'running') {
          states.set(id, state);
          if (states.size > CACHED_EPISODES) states.delete(states.keys().next().value!);
        }
      } catch (err) {
        stateError = `The state cannot be rebuilt: ${messageOf(err)}`;
      }
    }
    const detail: EpisodeDetail = {
      episode: e,
      run: reader.store?.run(e.run_id) ?? null,
      task: ep.task?.task ?? null,
      readOnly: ep.task?.readOnly ?? null,
      tools: ep.tools,
      events: ep.events,
      versus: ep.task ? pairWithGold(ep.events, ep.task.task.gold.actions) : null,
      funnel: funnelFailure(ep, DEFAULT_FUNNEL) ?? null,
      state,
      stateError,
      neighbours: reader.neighbours(id, query(c, EpisodeFilter)),
    };
    return c.json(detail);
  });

  app.get('/api/compare', (c) => {
    const { a, b } = query(c, Compare);
    const runs = [reader.run(a), reader.run(b)];
    runs.forEach((r, i) => {
      if (!r) throw new NotFound(`No run ${[a, b][i]} in the store.`);
    });
    return c.json({ a: runs[0], b: runs[1], tasks: reader.compare(a, b) });
  });

  app.get('/api/domains', (c) => c.json({ domains: catalog.list() }));

  const domainNamed = (name: string): Domain => {
    if (!catalog.dirOf(name)) throw new NotFound(`No domain named ${name}; the viewer knows ${catalog.list().map((d) => d.name).join(', ') || 'none'} (add folders with --domains).`);
    return catalog.load(name);
  };

  app.get('/api/domains/:name', (c) => c.json(domainDetail(domainNamed(c.req.param('name')))));

  app.get('/api/domains/:name/tables/:table', (c) => {
    const domain = domainNamed(c.req.param('name'));
    const table = c.req.param('table');
    if (!domain.spec.tables.some((t) => t.name === table)) throw new NotFound(`Domain ${domain.name} has no table ${table}.`);
    return c.json(tableRows(domain, table, query(c, TableQuery).q, query(c, PageQuery)));
  });

  const planView = (): PlanView => {
    if (!plan) throw new NotFound('No plan: start the viewer with --plan plan.json to see a partition.');
    return plan;
  };

  app.get('/api/plan', (c) => {
    const graph = planView().graph();
    const known = new Set(catalog.list().map((d) => d.name));
    return c.json({ ...graph, domains: graph.domains.map((d) => ({ ...d, synthesized: known.has(d.name) })) });
  });

  app.get('/api/plan/domains/:name', (c) => {
    const detail = planView().domain(c.req.param('name'));
    return c.json({ ...detail, synthesized: catalog.dirOf(detail.name) !== undefined });
  });

  app.get('/api/live', (c) =>
    streamSSE(c, async (stream) => {
      if (!live) {
        await stream.writeSSE({ event: 'unavailable', data: '{}' });
        return;
      }
      const queue: LiveChange[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = live.subscribe((change) => {
        queue.push(change);
        wake?.();
      });
      const end = () => {
        unsubscribe();
        wake?.();
      };
      stream.onAbort(end);
      options.signal?.addEventListener('abort', () => void stream.close(), { once: true });
      try {
        await stream.writeSSE({ event: 'hello', data: '{}' });
        while (!stream.aborted && !stream.closed) {
          const change = queue.shift();
          if (change) {
            await stream.writeSSE({ event: 'change', data: JSON.stringify(change) });
            continue;
          }
          const idle = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), HEARTBEAT_MS);
            wake = () => (clearTimeout(timer), resolve(false));
          });
          if (idle && !stream.aborted && !stream.closed) await stream.write(': keep-alive\n\n');
        }
      } finally {
        end();
      }
    }),
  );

  // The front end: index.html for the page (routes live in the URL's hash), hashed bundles under assets/.
  const asset = (c: Context, path: string) => {
    assets ??= readAssets(options.assetDir);
    const found = assets.get(path);
    if (!found) {
      if (assets.size === 0) return c.text('The viewer front end is not built: run "npm run build" in the envscale folder.', 500);
      throw new NotFound(`Nothing at ${new URL(c.req.url).pathname}.`);
    }
    c.header('content-type', found.type);
    c.header('cache-control', found.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(new Uint8Array(found.body));
  };
  app.get('/*', (c) => {
    // The path below wherever the app is mounted; relative asset paths need the page's URL to end in a slash.
    const url = new URL(c.req.url);
    const path = url.pathname.slice(c.req.routePath.replace(/\/\*$/, '').length);
    if (path === '') return c.redirect(`${url.pathname}/${url.search}`, 301);
    return asset(c, path === '/' ? '/index.html' : path);
  });

  return app;
}
