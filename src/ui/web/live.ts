import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveChange } from './api.js';

type Listener = (change: LiveChange) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let state: 'connecting' | 'live' | 'off' = 'connecting';
const stateListeners = new Set<(s: typeof state) => void>();

function setState(s: typeof state) {
  state = s;
  stateListeners.forEach((l) => l(s));
}

/** One EventSource for the page; the browser reconnects it by itself. */
function connect(): void {
  if (source) return;
  source = new EventSource('api/live');
  source.addEventListener('hello', () => setState('live'));
  source.addEventListener('unavailable', () => {
    setState('off');
    source?.close();
  });
  source.addEventListener('change', (e) => {
    const change = JSON.parse((e as MessageEvent).data) as LiveChange;
    listeners.forEach((l) => l(change));
  });
  source.onerror = () => setState(source?.readyState === EventSource.CLOSED ? 'off' : 'connecting');
}

/** Call `onChange` for every change in the store (new runs, episodes that start, grow or end). */
export function useLive(onChange: Listener): void {
  const ref = useRef(onChange);
  ref.current = onChange;
  useEffect(() => {
    connect();
    const l: Listener = (c) => ref.current(c);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
}

export function useLiveState(): typeof state {
  const [s, set] = useState(state);
  useEffect(() => {
    connect();
    stateListeners.add(set);
    return () => void stateListeners.delete(set);
  }, []);
  return s;
}
