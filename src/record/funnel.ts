import type { TrajectoryEvent } from '../spec/trajectory.js';
import { isTransferTool } from '../spec/chat.js';
import { MALFORMED, toolActions, type StoredEpisode } from './conversation.js';
import { actionsMatch } from './reward.js';
import type { Action } from '../spec/task.js';

export const STAGES = ['validity', 'state', 'exact'] as const;
export type Stage = (typeof STAGES)[number];

export interface FunnelOptions {
  stages: readonly Stage[];
  /** Apply exact match to every task, not only read-only ones. */
  exactAll?: boolean;
  /** Word n-gram size of the repetition filter. */
  ngram?: number;
  /** Largest share of repeated n-grams in one assistant message. */
  maxRepeatedShare?: number;
}

export const DEFAULT_FUNNEL: FunnelOptions = { stages: STAGES, ngram: 4, maxRepeatedShare: 0.5 };

/** The first problem that makes an episode's dialogue unusable as training data, or undefined. */
export function validityProblem(events: TrajectoryEvent[], options: FunnelOptions = DEFAULT_FUNNEL): string | undefined {
  const pending = new Set<string>();
  let last: 'user' | 'assistant-text' | 'assistant-calls' | undefined;
  let users = 0;
  let answers = 0;
  const seen = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'error') continue;
    if (e.kind === 'tool_result') {
      if (!pending.delete(e.call_id)) return `a tool result answers no pending call (${e.call_id})`;
      if (MALFORMED.has(e.error)) return `a malformed tool call (${e.error}: ${e.tool || 'no name'})`;
      continue;
    }
    if (e.role === 'system') continue;
    if (pending.size > 0) return `tool call ${[...pending][0]} has no result`;
    if (e.role === 'user') {
      if (!e.content.trim()) return 'an empty user turn';
      if (last === 'user') return 'two user turns in a row';
      users++;
      last = 'user';
      continue;
    }
    const calls = e.tool_calls ?? [];
    if (!e.content.trim() && calls.length === 0) return 'an empty assistant turn';
    if (last === 'assistant-text') return 'two assistant messages in a row without the user';
    for (const c of calls) pending.add(c.id);
    // The agent answers the user in words, or by handing them to a human (a transfer ends the dialogue).
    if (e.generated && (calls.length === 0 || calls.some((c) => isTransferTool(c.name)))) answers++;
    last = calls.length ? 'assistant-calls' : 'assistant-text';
    const repeated = repetitionProblem(e.content, options);
    if (repeated) return repeated;
    const key = JSON.stringify([e.content, calls.map((c) => [c.name, c.arguments])]);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n >= 3 && e.generated) return 'the same assistant turn three times';
  }
  if (pending.size > 0) return `tool call ${[...pending][0]} has no result`;
  if (users === 0 || answers === 0) return 'no exchange between user and assistant';
  return undefined;
}

/** Degenerate text: most of a message's word n-grams are repeats. */
function repetitionProblem(text: string, options: FunnelOptions): string | undefined {
  const n = options.ngram ?? 4;
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const total = words.length - n + 1;
  if (total < 8) return undefined;
  const grams = new Set<string>();
  for (let i = 0; i < total; i++) grams.add(words.slice(i, i + n).join(' '));
  const share = 1 - grams.size / total;
  return share > (options.maxRepeatedShare ?? 0.5) ? `an assistant message repeats itself (${Math.round(share * 100)}% repeated ${n}-grams)` : undefined;
}

/**
 * Exact match: the calls that reached a tool equal the gold calls (gold may hold calls that fail
 * on purpose, as tau2's wrong guesses do), or, leaving out the calls that failed, they do: a
 * failed intermediate call does not cost an episode its exact match.
 */
function callsMatchGold(ep: StoredEpisode, gold: Action[]): boolean {
  return actionsMatch(toolActions(ep.events), gold) || actionsMatch(toolActions(ep.events, true), gold);
}

/** The stage an episode fails at (with the reason), or undefined when it passes every stage asked for. */
export function funnelFailure(ep: StoredEpisode, options: FunnelOptions = DEFAULT_FUNNEL): { stage: Stage; reason: string } | undefined {
  for (const stage of STAGES) {
    if (!options.stages.includes(stage)) continue;
    if (stage === 'validity') {
      if (ep.episode.status !== 'done') return { stage, reason: `the episode ${ep.episode.status === 'failed' ? `failed: ${ep.episode.error}` : 'never finished'}` };
      const problem = validityProblem(ep.events, options);
      if (problem) return { stage, reason: problem };
    } else if (stage === 'state') {
      if (!ep.episode.verdict) return { stage, reason: 'the episode has no task to compare with' };
      if (!ep.episode.verdict.held.state) return { stage, reason: 'the final state differs from the gold state' };
    } else {
      if (!ep.task) return { stage, reason: 'the episode has no task to compare with' };
      if (!options.exactAll && !ep.task.readOnly) continue;
      if (!callsMatchGold(ep, ep.task.task.gold.actions)) return { stage, reason: 'the tool calls differ from the gold calls' };
    }
  }
  return undefined;
}

export interface FunnelReport {
  total: number;
  /** Episodes left after each stage asked for, in order. */
  after: Array<{ stage: Stage; kept: number }>;
  kept: StoredEpisode[];
  /** Why each dropped episode was dropped. */
  dropped: Array<{ episode: number; stage: Stage; reason: string }>;
}

export function runFunnel(episodes: StoredEpisode[], options: FunnelOptions = DEFAULT_FUNNEL): FunnelReport {
  const kept: StoredEpisode[] = [];
  const dropped: FunnelReport['dropped'] = [];
  const failedAt = new Map<Stage, number>();
  for (const ep of episodes) {
    const failure = funnelFailure(ep, options);
    if (!failure) kept.push(ep);
    else {
      dropped.push({ episode: ep.episode.id, ...failure });
      failedAt.set(failure.stage, (failedAt.get(failure.stage) ?? 0) + 1);
    }
  }
  let left = episodes.length;
  const after = STAGES.filter((s) => options.stages.includes(s)).map((stage) => ({ stage, kept: (left -= failedAt.get(stage) ?? 0) }));
  return { total: episodes.length, after, kept, dropped };
}

/** Why episodes were dropped, one line per stage and reason with its count ("3 x state: ..."). */
export function droppedLines(dropped: ReadonlyArray<{ stage: string; reason: string }>): string[] {
  const reasons = new Map<string, number>();
  for (const d of dropped) reasons.set(`${d.stage}: ${d.reason}`, (reasons.get(`${d.stage}: ${d.reason}`) ?? 0) + 1);
  return [...reasons].map(([why, n]) => `${n} x ${why}`);
}
