export const pct = (v: number | null | undefined, digits = 0) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(digits)}%`);
export const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(digits));
export const int = (v: number) => v.toLocaleString('en-US');

export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  return iso.replace('T', ' ').slice(0, 19);
}

export function duration(start: string | null, end: string | null): string {
  if (!start || !end) return '–';
  const ms = Date.parse(end) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Text that holds JSON, parsed (for pretty printing tool results), or undefined. */
export function asJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** A compact one-line rendering of a value for table cells. */
export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A stable colour per index (golden-angle hues), readable on light and dark backgrounds. */
export function colour(i: number): string {
  const h = (i * 137.508) % 360;
  const s = 0.62;
  const l = 0.5;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))))
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
