import { render, type ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './styles.css';
import { useKeys } from './hooks.js';
import { useLiveState } from './live.js';
import { ComparePage } from './pages/compare.js';
import { DomainsPage } from './pages/domains.js';
import { DomainPage } from './pages/domain.js';
import { EpisodePage } from './pages/episode.js';
import { EpisodesPage } from './pages/episodes.js';
import { RunPage, RunsPage } from './pages/runs.js';
import { href, navigate, useRoute, type Route } from './router.js';

/** Pages that draw graphs load sigma.js on demand, so the runs and episode pages stay light. */
function Lazy({ load, props }: { load: () => Promise<ComponentType<any>>; props: Record<string, unknown> }) {
  const [Page, setPage] = useState<ComponentType<any> | null>(null);
  useEffect(() => {
    load().then((p) => setPage(() => p));
  }, [load]);
  return Page ? <Page {...props} /> : <div class="muted loading">Loading…</div>;
}
const partition = () => import('./pages/partition.js').then((m) => m.PartitionPage);

function page(route: Route) {
  const [section, id] = route.parts;
  const q = route.query;
  switch (section) {
    case undefined:
    case 'runs':
      return id ? <RunPage id={Number(id)} query={q} /> : <RunsPage query={q} />;
    case 'episodes':
      return id ? <EpisodePage id={Number(id)} query={q} /> : <EpisodesPage query={q} />;
    case 'domains':
      return id ? <DomainPage name={id} query={q} /> : <DomainsPage />;
    case 'partition':
      return <Lazy load={partition} props={{ query: q }} />;
    case 'compare':
      return <ComparePage query={q} />;
    default:
      return <div class="error-box">Nothing at #{route.parts.join('/')}.</div>;
  }
}

const SECTIONS: Array<[string, string, string]> = [
  ['runs', 'Runs', 'r'],
  ['episodes', 'Episodes', 'e'],
  ['domains', 'Domains', 'd'],
  ['partition', 'Partition', 'p'],
  ['compare', 'Compare', 'c'],
];

function Help({ close }: { close: () => void }) {
  const keys: Array<[string, string]> = [
    ['g then r / e / d / p / c', 'go to runs, episodes, domains, partition, compare'],
    ['j / k  or  ↓ / ↑', 'next / previous row in a list'],
    ['Enter  or  o', 'open the selected row'],
    ['n / p', 'next / previous page of a list'],
    ['→ / ←  or  j / k', 'next / previous episode (on an episode)'],
    ['u  or  Esc', 'up: back to the list'],
    ['c', 'copy the episode as JSON'],
    ['/', 'search or filter'],
    ['?', 'this help'],
  ];
  return (
    <div class="overlay" onClick={close}>
      <div class="help-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard</h2>
        <table class="grid">
          {keys.map(([k, v]) => (
            <tr>
              <td class="mono">{k}</td>
              <td>{v}</td>
            </tr>
          ))}
        </table>
        <button onClick={close}>Close</button>
      </div>
    </div>
  );
}

function App() {
  const route = useRoute();
  const live = useLiveState();
  const [help, setHelp] = useState(false);
  const prefix = useRef(false);
  const section = route.parts[0] ?? 'runs';
  useKeys({
    '?': () => setHelp((h) => !h),
    Escape: () => (help ? setHelp(false) : false),
    g: () => {
      prefix.current = true;
      setTimeout(() => (prefix.current = false), 1200);
    },
    ...Object.fromEntries(
      SECTIONS.map(([name, , key]) => [
        key,
        () => {
          // Without the g prefix these keys belong to the page (p: previous page, c: copy...).
          if (!prefix.current) return false;
          prefix.current = false;
          navigate(href([name]));
        },
      ]),
    ),
  }, true);
  useEffect(() => {
    document.title = `envscale · ${route.parts.join(' ') || 'runs'}`;
  }, [route]);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/runs">
          envscale <span class="muted">viewer</span>
        </a>
        <nav>
          {SECTIONS.map(([name, label]) => (
            <a href={`#/${name}`} class={section === name ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class={`live is-${live}`} title={live === 'live' ? 'live: new episodes appear as they are recorded' : live === 'off' ? 'no store to follow' : 'connecting'}>
          ● {live === 'live' ? 'live' : live === 'off' ? 'no store' : '…'}
        </span>
        <button class="help-button" onClick={() => setHelp(true)} title="keyboard shortcuts (?)">
          ?
        </button>
      </header>
      <main>{page(route)}</main>
      {help && <Help close={() => setHelp(false)} />}
    </>
  );
}

render(<App />, document.getElementById('app')!);
