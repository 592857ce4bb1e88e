import type { StateDiff } from '../api.js';
import { cell } from '../format.js';

const keyText = (key: Record<string, unknown>) =>
  Object.entries(key)
    .map(([k, v]) => `${k}=${cell(v)}`)
    .join(', ');

/**
 * Row-level differences between two states, table by table: rows only in the second state, rows
 * only in the first, and changed columns of rows whose key stayed. `from`/`to` name the states.
 */
export function DiffView({ diff, from, to, empty = 'no differences' }: { diff: StateDiff; from: string; to: string; empty?: string }) {
  if (diff.length === 0) return <div class="muted">{empty}</div>;
  return (
    <div class="diff">
      {diff.map((t) => (
        <div class="diff-table" data-table={t.table}>
          <div class="diff-title">
            <b>{t.table}</b>{' '}
            <span class="muted">
              {t.added.length > 0 && `${t.added.length} only in ${to} `}
              {t.removed.length > 0 && `${t.removed.length} only in ${from} `}
              {t.changed.length > 0 && `${t.changed.length} changed`}
            </span>
          </div>
          <table class="grid diff-grid">
            <thead>
              <tr>
                <th></th>
                <th>row</th>
                <th>column</th>
                <th>{from}</th>
                <th>{to}</th>
              </tr>
            </thead>
            <tbody>
              {t.changed.flatMap((c) =>
                Object.entries(c.columns).map(([col, v], i) => (
                  <tr class="changed" data-key={keyText(c.key)}>
                    <td class="sign">{i === 0 ? '~' : ''}</td>
                    <td class="mono">{i === 0 ? keyText(c.key) : ''}</td>
                    <td class="mono">{col}</td>
                    <td class="mono before">{value(v.before)}</td>
                    <td class="mono after">{value(v.after)}</td>
                  </tr>
                )),
              )}
              {t.added.map((r) => (
                <tr class="added">
                  <td class="sign">+</td>
                  <td class="mono" colSpan={3}>
                    {rowText(r)}
                  </td>
                  <td class="after">only in {to}</td>
                </tr>
              ))}
              {t.removed.map((r) => (
                <tr class="removed">
                  <td class="sign">−</td>
                  <td class="mono" colSpan={3}>
                    {rowText(r)}
                  </td>
                  <td class="before">only in {from}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

/** A cell value; null is shown as such, not as an empty cell. */
const value = (v: unknown) => (v === null || v === undefined ? <span class="muted">null</span> : cell(v));

const rowText = (r: Record<string, unknown>) =>
  Object.entries(r)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${cell(v)}`)
    .join(' · ');

/** "2 rows in tasks, 1 in comments". */
export function diffSummary(diff: StateDiff): string {
  return diff.map((t) => `${t.added.length + t.removed.length + t.changed.length} row${t.added.length + t.removed.length + t.changed.length === 1 ? '' : 's'} in ${t.table}`).join(', ');
}
