import { useState } from 'preact/hooks';

/** JSON, pretty-printed with its tokens coloured; long values fold to a few lines until opened. */
export function Json({ value, fold = 24 }: { value: unknown; fold?: number }) {
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  const lines = text.split('\n');
  const [open, setOpen] = useState(lines.length <= fold);
  const shown = open ? text : lines.slice(0, fold).join('\n');
  return (
    <div class="json-wrap">
      <pre class="json">{tokens(shown)}</pre>
      {lines.length > fold && (
        <button class="link" onClick={() => setOpen(!open)}>
          {open ? 'fold' : `… ${lines.length - fold} more lines`}
        </button>
      )}
    </div>
  );
}

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

function tokens(text: string) {
  const out: Array<string | preact.JSX.Element> = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    if (m[1]) out.push(<span class={m[2] ? 'j-key' : 'j-str'}>{m[1]}</span>, m[2] ?? '');
    else if (m[3]) out.push(<span class="j-lit">{m[3]}</span>);
    else out.push(<span class="j-num">{m[4]}</span>);
    last = m.index! + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}
