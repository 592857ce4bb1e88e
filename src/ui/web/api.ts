/** The viewer's JSON endpoints, typed with the server's own types. Paths are relative to the page. */
import type { StateDiff } from '../../env/diff.js';
import type { EpisodeDetail } from '../app.js';
import type { DomainDetail, DomainSummary } from '../domains.js';
import type { LiveChange } from '../live.js';
import type { PlanDomain, PlanGraph } from '../plan-view.js';
import type { CompareCell, EpisodeRow, RunFunnel, RunSummary } from '../store-reader.js';

export type { CompareCell, DomainDetail, DomainSummary, EpisodeDetail, EpisodeRow, LiveChange, PlanDomain, PlanGraph, RunFunnel, RunSummary, StateDiff };
export type PlanGraphView = PlanGraph & { domains: Array<PlanGraph['domains'][number] & { synthesized: boolean }> };
export type PlanDomainView = PlanDomain & { synthesized: boolean };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  const res = await fetch(`api/${path}${qs ? `?${qs}` : ''}`, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }))) as T & { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export const api = {
  info: () => getJson<{ store: string | null; storeOpen: boolean; plan: string | null; live: boolean }>('info'),
  runs: (offset = 0, limit = 500) => getJson<{ total: number; runs: RunSummary[] }>('runs', { offset, limit }),
  run: (id: number) => getJson<RunSummary>(`runs/${id}`),
  funnel: (id: number) => getJson<RunFunnel>(`runs/${id}/funnel`),
  episodes: (query: Record<string, string | number | undefined>) => getJson<{ total: number; episodes: EpisodeRow[] }>('episodes', query),
  episode: (id: number, query: Record<string, string | undefined>) => getJson<EpisodeDetail>(`episodes/${id}`, query),
  compare: (a: number, b: number) => getJson<{ a: RunSummary; b: RunSummary; tasks: Array<{ task: string; a: CompareCell; b: CompareCell }> }>('compare', { a, b }),
  domains: () => getJson<{ domains: DomainSummary[] }>('domains'),
  domain: (name: string) => getJson<DomainDetail>(`domains/${encodeURIComponent(name)}`),
  rows: (name: string, table: string, query: Record<string, string | number | undefined>) =>
    getJson<{ columns: string[]; total: number; rows: Array<Record<string, unknown>> }>(`domains/${encodeURIComponent(name)}/tables/${encodeURIComponent(table)}`, query),
  plan: () => getJson<PlanGraphView>('plan'),
  planDomain: (name: string) => getJson<PlanDomainView>(`plan/domains/${encodeURIComponent(name)}`),
};
