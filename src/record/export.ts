import type { ExportMeta, PlayedBy, ToolDefinition } from '../spec/trajectory.js';
import { parseArguments } from '../spec/chat.js';
import { turnsOf, type StoredEpisode, type Turn } from './conversation.js';

export const FORMATS = ['openai', 'sharegpt', 'messages'] as const;
export type ExportFormat = (typeof FORMATS)[number];

type AssistantTurn = Extract<Turn, { role: 'assistant' }>;
type ToolTurn = Extract<Turn, { role: 'tool' }>;
type DialogueTurn = { role: 'user'; content: string } | AssistantTurn | ToolTurn;

/**
 * An episode's dialogue as it can be trained on, whatever the funnel let through: the system
 * prompt the agent saw (none for a served MCP session: its client never saw envscale's), the
 * fixed greeting apart, and the turns up to the last point where the dialogue is still well
 * formed (every call answered before the dialogue goes on, no malformed or empty turn), ending
 * on an assistant turn.
 */
export interface TrainingDialogue {
  system?: string;
  /** The fixed opening line of a rollout's agent (never trained; only the OpenAI format can mark it so). */
  greeting?: string;
  turns: DialogueTurn[];
  tools: ToolDefinition[];
}

/** The trainable dialogue of an episode, or why it has none. */
export function trainingDialogue(ep: StoredEpisode): TrainingDialogue | { problem: string } {
  const served = ep.run?.kind === 'serve';
  const all = turnsOf(ep.events);
  const system = served ? undefined : all.find((t) => t.role === 'system')?.content;
  const rest = all.filter((t): t is DialogueTurn => t.role !== 'system');
  let greeting: string | undefined;
  // The fixed greeting: what the agent "said" before the user spoke, written by envscale.
  while (rest.length && rest[0].role === 'assistant' && !(rest[0] as AssistantTurn).trainable && (rest[0] as AssistantTurn).toolCalls.length === 0) {
    greeting = rest.shift()!.content;
  }
  const turns: TrainingDialogue['turns'] = [];
  const pending = new Set<string>();
  for (const t of rest) {
    if (t.role === 'tool') {
      if (!pending.delete(t.callId)) break;
      turns.push(t);
      continue;
    }
    // The dialogue went on while a call had no result: it ends at that call.
    if (pending.size > 0) break;
    if (t.role === 'assistant') {
      if (!t.trainable || (!t.content.trim() && t.toolCalls.length === 0)) break;
      if (t.toolCalls.some((c) => 'problem' in parseArguments(c.arguments) || !c.name)) break;
      for (const c of t.toolCalls) pending.add(c.id);
    }
    turns.push(t);
  }
  // End on the last assistant turn; results after a final call are not needed to learn the call.
  while (turns.length && turns[turns.length - 1].role !== 'assistant') turns.pop();
  const firstUser = turns.findIndex((t) => t.role === 'user');
  if (!turns.some((t) => t.role === 'assistant')) {
    return { problem: ep.episode.status === 'done' ? 'no well-formed assistant turn to train on' : `no well-formed assistant turn to train on (the episode ${ep.episode.status === 'failed' ? 'failed' : 'never finished'})` };
  }
  if (firstUser < 0 || turns.findIndex((t) => t.role === 'assistant') < firstUser) {
    return { problem: 'the agent acted before any user message (a served session without a task)' };
  }
  return { ...(system !== undefined ? { system } : {}), ...(greeting !== undefined && !served ? { greeting } : {}), turns, tools: ep.tools };
}

const openAiTools = (tools: ToolDefinition[]) => tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } }));

/** OpenAI accepts function names of letters, digits, _ and -, at most 64 characters. */
const OPENAI_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * OpenAI chat fine-tuning: messages with tool_calls and tool messages, plus `tools`. `weight`
 * (0 or 1) on assistant messages says which are trained: not the fixed greeting.
 */
function toOpenAi(d: TrainingDialogue): object | string {
  const bad = d.tools.find((t) => !OPENAI_NAME.test(t.name));
  if (bad) return `tool name "${bad.name}" is not accepted by OpenAI (letters, digits, _ and -, at most 64)`;
  const messages: object[] = [];
  if (d.system !== undefined) messages.push({ role: 'system', content: d.system });
  if (d.greeting !== undefined) messages.push({ role: 'assistant', content: d.greeting, weight: 0 });
  for (const t of d.turns) {
    if (t.role === 'tool') messages.push({ role: 'tool', tool_call_id: t.callId, content: t.content });
    else if (t.role === 'user') messages.push({ role: 'user', content: t.content });
    else {
      const calls = t.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments || '{}' } }));
      messages.push({ role: 'assistant', ...(t.content || !calls.length ? { content: t.content } : {}), ...(calls.length ? { tool_calls: calls } : {}), weight: 1 });
    }
  }
  return { messages, tools: openAiTools(d.tools) };
}

/**
 * The layout Hugging Face chat templates and TRL take: `messages` and `tools`. Call arguments are
 * objects, as transformers and TRL document (templates such as Qwen2.5's and Llama 3.1's print
 * them with `tojson`, so a JSON string would be trained quoted); `tools` is a JSON string, TRL's
 * convention for tool datasets (SFTTrainer parses it). `load_dataset("json")` (datasets 4.7 or
 * later) keeps messages whose keys vary from row to row as JSON values, so each row comes back as
 * written. Which turns are trained is left to the trainer; the greeting is left out, since this
 * format cannot mark it untrained.
 */
function toMessages(d: TrainingDialogue): object {
  const messages: object[] = [];
  if (d.system !== undefined) messages.push({ role: 'system', content: d.system });
  for (const t of d.turns) {
    if (t.role === 'tool') messages.push({ role: 'tool', tool_call_id: t.callId, name: t.name, content: t.content });
    else if (t.role === 'user') messages.push({ role: 'user', content: t.content });
    else {
      const calls = t.toolCalls.map((c) => ({ id: c.id, type: 'function', function: callObject(c) }));
      messages.push({ role: 'assistant', content: t.content, ...(calls.length ? { tool_calls: calls } : {}) });
    }
  }
  return { messages, tools: JSON.stringify(openAiTools(d.tools)) };
}

type ShareFrom = 'human' | 'gpt' | 'function_call' | 'observation';
const SHARE_ODD: readonly ShareFrom[] = ['human', 'observation'];

/**
 * LLaMA-Factory's ShareGPT layout: `conversations` alternating human/observation with
 * gpt/function_call (an even count, so the last turn is trained), `system`, and `tools` as a JSON
 * string (each tool's parameters with `properties`, which its default tool prompt reads).
 * LLaMA-Factory trains the gpt and function_call turns only. An assistant turn that both talks
 * and calls tools keeps its calls (one function_call turn, a list when there are several,
 * answered by one observation turn: the result's text, or a JSON list of texts for several
 * calls). Consecutive user turns are merged; a dialogue that would break the alternation ends
 * before the break.
 */
function toShareGpt(d: TrainingDialogue): object | string {
  const drafts: Array<{ from: ShareFrom; values: string[] }> = [];
  for (const t of d.turns) {
    const [from, value]: [ShareFrom, string] =
      t.role === 'user'
        ? ['human', t.content]
        : t.role === 'tool'
          ? ['observation', t.content]
          : t.toolCalls.length
            ? ['function_call', JSON.stringify(t.toolCalls.length === 1 ? callObject(t.toolCalls[0]) : t.toolCalls.map(callObject))]
            : ['gpt', t.content];
    const prev = drafts[drafts.length - 1];
    if (prev && prev.from === from && from !== 'function_call') prev.values.push(value);
    else drafts.push({ from, values: [value] });
  }
  let end = drafts.findIndex((x, i) => SHARE_ODD.includes(x.from) !== (i % 2 === 0));
  if (end < 0) end = drafts.length;
  end -= end % 2;
  if (end === 0) return 'the dialogue does not open with the user and alternate as ShareGPT requires';
  const conversations = drafts.slice(0, end).map(({ from, values }) => ({ from, value: from === 'observation' && values.length > 1 ? JSON.stringify(values) : values.join('\n') }));
  const tools = d.tools.map((t) => ({ name: t.name, description: t.description, parameters: { ...t.parameters, properties: (t.parameters as { properties?: object }).properties ?? {} } }));
  return { conversations, system: d.system ?? '', tools: JSON.stringify(tools) };
}

/** A call as chat templates and LLaMA-Factory take it: the arguments as an object (trainingDialogue kept only calls whose arguments parse). */
function callObject(c: AssistantTurn['toolCalls'][number]): { name: string; arguments: Record<string, unknown> } {
  const parsed = parseArguments(c.arguments);
  return { name: c.name, arguments: 'args' in parsed ? parsed.args : {} };
}

const WRITERS: Record<ExportFormat, (d: TrainingDialogue) => object | string> = { openai: toOpenAi, sharegpt: toShareGpt, messages: toMessages };

/** One episode as a row of the format, or why it cannot be one. */
export function exportRow(ep: StoredEpisode, format: ExportFormat): { row: object } | { problem: string } {
  const dialogue = trainingDialogue(ep);
  if ('problem' in dialogue) return dialogue;
  const row = WRITERS[format](dialogue);
  return typeof row === 'string' ? { problem: row } : { row };
}

export interface ExportResult {
  /** JSON Lines, one row per episode written. */
  text: string;
  /** Where each row came from, line for line with `text`. */
  meta: ExportMeta[];
  written: number;
  /** Episodes with no valid row in the format, with the reason. */
  skipped: Array<{ episode: number; reason: string }>;
}

/** One JSON line per episode that makes a valid row; the others are skipped with the reason. */
export function exportEpisodes(episodes: StoredEpisode[], format: ExportFormat): ExportResult {
  const lines: string[] = [];
  const meta: ExportMeta[] = [];
  const skipped: ExportResult['skipped'] = [];
  for (const ep of episodes) {
    const out = exportRow(ep, format);
    if ('row' in out) {
      lines.push(`${JSON.stringify(out.row)}\n`);
      meta.push(exportMeta(ep));
    } else skipped.push({ episode: ep.episode.id, reason: out.problem });
  }
  return { text: lines.join(''), meta, written: lines.length, skipped };
}

/** Who wrote the episode's assistant turns (see PlayedBy). */
export function playedBy(ep: StoredEpisode): PlayedBy {
  if (ep.run?.kind !== 'rollout') return 'client';
  return ep.run.agent?.spec === 'oracle' ? 'oracle' : 'model';
}

function exportMeta(ep: StoredEpisode): ExportMeta {
  const { id, run_id, domain, task_id, trial, reward } = ep.episode;
  return { episode: id, run: run_id, domain, task_id, trial, reward, played_by: playedBy(ep), agent: ep.run?.agent?.spec ?? null, user: ep.run?.user?.spec ?? null };
}

/**
 * LLaMA-Factory reads a dataset through its entry in `dataset_info.json`; without `columns` it
 * drops the system prompt and the tools. The entry for a ShareGPT file written by envscale.
 */
export function llamaFactoryEntry(fileName: string): object {
  return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system', tools: 'tools' } };
}
