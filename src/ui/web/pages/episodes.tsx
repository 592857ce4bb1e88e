import { EpisodeList } from '../components/episode-list.js';

/** Every episode of the store, across runs, with the list filters (outcome, status, stop reason, task). */
export function EpisodesPage({ query }: { query: Record<string, string> }) {
  return (
    <div class="page">
      <div class="page-head">
        <h1>Episodes</h1>
        <span class="muted">all runs</span>
      </div>
      <EpisodeList query={query} base={['episodes']} />
    </div>
  );
}
