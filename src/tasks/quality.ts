import type { Domain } from '../env/domain.js';
import { replayGold } from '../env/replay.js';
import type { Task } from '../spec/task.js';
import type { TaskCheck } from './check.js';
import { reusedValues } from './links.js';
import { namedIdentifiers, wordsOf } from './wording.js';

/**
 * How an instruction opens, as a phrase that does not depend on the values in it: its first three
 * words, lowercased, with quoted text, names (capitalized words after the first, other than "I")
 * and words holding digits or an @ each replaced by one placeholder.
 */
export function openingPhrase(text: string): string {
  const masked = text.replace(/"[^"]*"|“[^”]*”/g, ' QUOTED ').trim();
  return masked
    .split(/\s+/)
    .slice(0, 3)
    .map((raw, i) => {
      const word = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
      if (word === 'QUOTED') return '"…"';
      if (/[\d@]/.test(word)) return '#';
      if (i > 0 && /^\p{Lu}/u.test(word) && !/^I($|')/.test(word)) return 'X';
      return word.toLowerCase();
    })
    .join(' ');
}

/** Distinct opening phrases per 100 instructions: the mean over full runs of 100 (a shorter list is scaled). */
export function openingsPer100(texts: string[]): number {
  if (texts.length === 0) return 0;
  if (texts.length < 100) return (100 * new Set(texts.map(openingPhrase)).size) / texts.length;
  const runs = Math.floor(texts.length / 100);
  let total = 0;
  for (let r = 0; r < runs; r++) total += new Set(texts.slice(r * 100, r * 100 + 100).map(openingPhrase)).size;
  return total / runs;
}

export interface TaskQuality {
  tasks: number;
  /** Steps after the first, in tasks of two steps or more, and how many reuse an earlier value. */
  laterSteps: number;
  linkedSteps: number;
  /** Tasks that pass check-tasks, and all findings by code. */
  passing: number;
  findings: Record<string, number>;
  /** Mean instruction length in words. */
  meanWords: number;
  /** Instructions that spell out a tool or parameter name. */
  namingTools: number;
  openingsPer100: number;
}

/** The figures of `npm run eval:tasks` for a set of tasks and their check-tasks results. */
export function measureTasks(domain: Domain, tasks: Task[], checks: TaskCheck[]): TaskQuality {
  let laterSteps = 0;
  let linkedSteps = 0;
  for (const task of tasks) {
    if (task.gold.actions.length < 2) continue;
    const { results } = replayGold(domain, task);
    const links = reusedValues(task.gold.actions, results.map((r) => (r.result.ok ? r.result.value : undefined)));
    laterSteps += links.length - 1;
    linkedSteps += links.slice(1).filter(Boolean).length;
  }
  const findings: Record<string, number> = {};
  for (const c of checks) for (const p of c.problems) findings[p.code] = (findings[p.code] ?? 0) + 1;
  const instructions = tasks.map((t) => t.user.instructions);
  return {
    tasks: tasks.length,
    laterSteps,
    linkedSteps,
    passing: checks.filter((c) => c.problems.length === 0).length,
    findings,
    meanWords: instructions.reduce((s, t) => s + wordsOf(t).length, 0) / Math.max(1, tasks.length),
    namingTools: instructions.filter((t) => namedIdentifiers(domain, t).length > 0).length,
    openingsPer100: openingsPer100(instructions),
  };
}
