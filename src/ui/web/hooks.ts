import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** Load with `fn` whenever `deps` change; the last answer wins (an older, slower one is dropped). */
export function useData<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const load = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => n === seq.current && setState({ data, loading: false }),
      (err: Error) => n === seq.current && setState({ error: err.message, loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

const typing = (e: KeyboardEvent) => {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
};

/**
 * Keyboard shortcuts (no modifier keys, not while typing in a field). A handler that returns
 * false leaves the key to others. `first` handlers run before the page's and stop the key there.
 */
export function useKeys(keys: Record<string, (e: KeyboardEvent) => boolean | void>, first = false): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e) && e.key !== 'Escape') return;
      const f = ref.current[e.key];
      if (f && f(e) !== false) {
        e.preventDefault();
        if (first) e.stopPropagation();
      }
    };
    window.addEventListener('keydown', on, { capture: first });
    return () => window.removeEventListener('keydown', on, { capture: first });
  }, []);
}

/** Keep the row at `index` in view (keyboard selection in long lists). */
export function scrollIntoViewIfNeeded(el: Element | null | undefined): void {
  if (!el) return;
  const r = el.getBoundingClientRect();
  if (r.top < 60 || r.bottom > window.innerHeight) el.scrollIntoView({ block: 'nearest' });
}
