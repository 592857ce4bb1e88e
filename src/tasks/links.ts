import type { Action } from '../spec/task.js';

/**
 * Whether a value can carry a step's meaning to a later one: booleans, numbers under 100 and
 * strings under 3 characters match by accident far too often to show that two steps are linked.
 */
export function meaningful(value: unknown): value is string | number {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) >= 100;
  return typeof value === 'string' && value.trim().length >= 3;
}

/** Every meaningful scalar in a value (arguments or a tool result), however deeply nested, as text. */
export function meaningfulValues(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (meaningful(value)) out.add(String(value));
  else if (Array.isArray(value)) for (const v of value) meaningfulValues(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) meaningfulValues(v, out);
  return out;
}

/** Whether arguments reuse one of the meaningful values seen before. */
export function reuses(args: unknown, earlier: ReadonlySet<string>): boolean {
  return [...meaningfulValues(args)].some((v) => earlier.has(v));
}

/**
 * For each action, whether its arguments reuse a meaningful value that an earlier action used or
 * returned (the first action has nothing before it and counts as linked). `results` holds what
 * each action returned (undefined for a failed call).
 */
export function reusedValues(actions: Action[], results: unknown[]): boolean[] {
  const earlier = new Set<string>();
  return actions.map((action, i) => {
    const linked = i === 0 || reuses(action.args, earlier);
    meaningfulValues(action.args, earlier);
    meaningfulValues(results[i], earlier);
    return linked;
  });
}
