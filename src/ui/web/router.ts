import { useEffect, useState } from 'preact/hooks';

/** Pages live in the URL's hash (#/episodes/42?run=5), so the viewer works wherever it is mounted and every view has a link. */
export interface Route {
  parts: string[];
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const [path, qs = ''] = hash.replace(/^#/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: Object.fromEntries(new URLSearchParams(qs)) };
}

/** A hash link: path parts and a query (empty values left out). */
export function href(parts: Array<string | number>, query: Record<string, string | number | undefined> = {}): string {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '') as Array<[string, string]>).toString();
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else location.hash = to.slice(1);
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
