import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { int } from '../format.js';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return <div class="muted loading">{what}…</div>;
}

export function ErrorBox({ message }: { message: string }) {
  return (
    <div class="error-box" role="alert">
      {message}
    </div>
  );
}

/** A reward as a coloured pill: 1 passes, below 1 fails, none is unscored. */
export function Reward({ value, status }: { value: number | null; status?: string }) {
  if (status === 'running') return <span class="pill running">running</span>;
  if (status === 'failed') return <span class="pill fail">failed</span>;
  if (value === null) return <span class="pill muted">–</span>;
  return <span class={`pill ${value === 1 ? 'pass' : 'fail'}`}>{value === 1 ? '1 ✓' : `${value} ✗`}</span>;
}

export function Pill({ kind, children, title }: { kind: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`pill ${kind}`} title={title}>
      {children}
    </span>
  );
}

export function Pager({ offset, limit, total, onPage }: { offset: number; limit: number; total: number; onPage: (offset: number) => void }) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <div class="pager">
      <button disabled={offset === 0} onClick={() => onPage(0)} title="first page">
        «
      </button>
      <button disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))} title="previous page (p)">
        ‹ prev
      </button>
      <span class="muted">
        {total === 0 ? 'none' : `${int(offset + 1)}–${int(Math.min(total, offset + limit))} of ${int(total)}`} · page {page}/{pages}
      </span>
      <button disabled={offset + limit >= total} onClick={() => onPage(offset + limit)} title="next page (n)">
        next ›
      </button>
      <button disabled={offset + limit >= total} onClick={() => onPage((pages - 1) * limit)} title="last page">
        »
      </button>
    </div>
  );
}

/** A section that can be folded; `open` by default. */
export function Fold({ title, open = true, children, extra }: { title: ComponentChildren; open?: boolean; children: ComponentChildren; extra?: ComponentChildren }) {
  const [shown, setShown] = useState(open);
  return (
    <section class="fold">
      <h3 onClick={() => setShown(!shown)} class="fold-head">
        <span class="caret">{shown ? '▾' : '▸'}</span> {title} {extra}
      </h3>
      {shown && <div class="fold-body">{children}</div>}
    </section>
  );
}

export function Copy({ text, label = 'Copy', title }: { text: () => string; label?: string; title?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    const value = text();
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard access needs a secure context or permission: fall back to a hidden text area.
      const ta = document.createElement('textarea');
      ta.value = value;
      document.body.append(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button onClick={copy} title={title} data-copy>
      {done ? 'Copied ✓' : label}
    </button>
  );
}

/** A row of figures, each with its label under it. */
export function Stats({ items, small }: { items: Array<[ComponentChildren, string]>; small?: boolean }) {
  return (
    <div class={`stats ${small ? 'small' : ''}`}>
      {items.map(([value, label]) => (
        <div>
          <b>{value}</b>
          <span>{label}</span>
        </div>
      ))}
    </div>
  );
}
