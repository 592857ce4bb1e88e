import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { formatDiff } from '../env/diff.js';
import { loadDomain } from '../env/load.js';
import type { EpisodeRecord, ExportMeta, PlayedBy, TrajectoryEvent } from '../spec/trajectory.js';
import { UserError, messageOf } from '../util/errors.js';
import { checkOutputDir, readJsonFile, writeFileAtomic } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { readEpisode, toolActions, type StoredEpisode } from './conversation.js';
import { exportEpisodes, FORMATS, llamaFactoryEntry, type ExportFormat } from './export.js';
import { droppedLines, runFunnel, STAGES, type Stage } from './funnel.js';
import { evaluateActions } from './reward.js';
import { TrajectoryStore } from './store.js';

function withStore<T>(path: string, body: (store: TrajectoryStore) => T): T {
  const store = TrajectoryStore.open(path, { readonly: true });
  try {
    return body(store);
  } finally {
    store.close();
  }
}

const reward = (e: EpisodeRecord) => (e.reward === null ? '-' : String(e.reward));

/** Runs with their episode counts and mean reward, then the episodes of one run (default: the latest). */
export function runsCommand(opts: { store: string; run?: number }): void {
  withStore(opts.store, (store) => {
    const runs = store.runs();
    if (runs.length === 0) return void console.log(`No runs in ${opts.store} yet.`);
    const rows = runs.map((r) => {
      const eps = store.episodes({ runId: r.id });
      const done = eps.filter((e) => e.status === 'done');
      const mean = done.length ? (done.reduce((a, e) => a + (e.reward ?? 0), 0) / done.length).toFixed(3) : '-';
      return [r.id, r.kind, r.domain, r.agent?.spec ?? '-', r.user?.spec ?? '-', r.created_at.slice(0, 19), `${done.length}/${eps.length}`, mean];
    });
    console.log(markdownTable(['run', 'kind', 'domain', 'agent', 'user', 'created', 'done', 'mean reward'], rows));
    const runId = opts.run ?? runs[runs.length - 1].id;
    if (!store.run(runId)) throw new UserError(`No run ${runId} in ${opts.store}; the runs are listed above.`);
    const eps = store.episodes({ runId });
    console.log(`\nEpisodes of run ${runId} ("envscale show <episode>" prints one):\n`);
    console.log(
      markdownTable(
        ['episode', 'task', 'trial', 'status', 'reward', 'stop', 'turns', 'tool calls', 'tool errors'],
        eps.map((e) => [e.id, e.task_id ?? '-', e.trial, e.status, reward(e), e.stop_reason ?? '-', e.counts?.turns ?? '-', e.counts?.tool_calls ?? '-', e.counts?.tool_errors ?? '-']),
      ),
    );
  });
}

const clip = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s);
const indent = (s: string) => s.replace(/\n/g, '\n    ');

function eventLine(e: TrajectoryEvent): string {
  if (e.kind === 'message') {
    if (e.role === 'system') return `system: (${e.content.length} chars of instructions and policy)`;
    const calls = (e.tool_calls ?? []).map((c) => `\n  -> ${c.name || '(no name)'} ${c.arguments}`).join('');
    return `${e.role}: ${indent(e.content)}${calls}`.replace(/: \n/, ':\n');
  }
  if (e.kind === 'tool_result') {
    const status = e.ok ? 'ok' : `error (${e.error})`;
    const hash = e.state_hash ? `, state ${e.state_hash.slice(0, 12)}` : '';
    return `  <- ${e.tool || '(no name)'} ${status} in ${e.ms.toFixed(1)} ms${hash}: ${indent(clip(e.content))}`;
  }
  return `  !! ${e.source}${e.retry ? ` (retry ${e.retry})` : ''}: ${e.message}`;
}

/** The state diff of an episode against its task's gold, by replaying its calls on a fresh state. */
function goldDiff(ep: StoredEpisode, domainDir: unknown): string {
  if (!ep.task) return 'no task: nothing to compare with';
  let domain;
  try {
    domain = loadDomain(typeof domainDir === 'string' && existsSync(domainDir) ? domainDir : ep.episode.domain);
  } catch (err) {
    return `cannot load domain ${ep.episode.domain} to replay the calls (${messageOf(err)})`;
  }
  const verdict = evaluateActions(domain, ep.task.task, toolActions(ep.events));
  return verdict.held.state ? 'the final state matches the gold state' : `gold -> final:\n${verdict.diff ? formatDiff(verdict.diff) : '(differs)'}`;
}

export function showCommand(id: number, opts: { store: string; json?: boolean }): void {
  withStore(opts.store, (store) => {
    const record = store.episode(id);
    if (!record) throw new UserError(`No episode ${id} in ${opts.store}; "envscale runs --store ${opts.store}" lists them.`);
    const ep = readEpisode(store, record);
    if (opts.json) return void console.log(JSON.stringify({ episode: ep.episode, task: ep.task?.task, events: ep.events }, null, 2));
    const e = ep.episode;
    console.log(`episode ${e.id} (run ${e.run_id}): ${e.domain} ${e.task_id ?? '(no task)'} trial ${e.trial}, ${e.status}, stop: ${e.stop_reason ?? '-'}, reward ${reward(e)}`);
    if (e.counts) console.log(Object.entries(e.counts).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', '));
    if (e.error) console.log(`error: ${e.error}`);
    if (ep.task) console.log(`\nuser instructions: ${ep.task.task.user.instructions}`);
    console.log('');
    for (const event of ep.events) console.log(eventLine(event));
    if (e.verdict) console.log(`\nverdict: ${e.verdict.explanation}`);
    console.log(`\nstate: ${goldDiff(ep, store.run(e.run_id)?.settings.domain_dir)}`);
  });
}

export interface ExportCommandOptions {
  store: string;
  format: string;
  funnel: string;
  exactAll?: boolean;
  domain?: string[];
  run?: number;
  out: string;
}

function parseStages(text: string): Stage[] {
  if (text === 'none') return [];
  const stages = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = stages.find((s) => !(STAGES as readonly string[]).includes(s));
  if (bad) throw new UserError(`Unknown funnel stage "${bad}"; use a comma-separated list of ${STAGES.join(', ')}, or none.`);
  return stages as Stage[];
}

export function exportCommand(opts: ExportCommandOptions): void {
  if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UserError(`Unknown export format "${opts.format}"; use ${FORMATS.join(', ')}.`);
  const format = opts.format as ExportFormat;
  const stages = parseStages(opts.funnel);
  checkOutputDir(dirname(opts.out));
  withStore(opts.store, (store) => {
    if (opts.run !== undefined && !store.run(opts.run)) throw new UserError(`No run ${opts.run} in ${opts.store}; "envscale runs --store ${opts.store}" lists the runs.`);
    const all = store.episodes({ runId: opts.run });
    const where = opts.run === undefined ? opts.store : `run ${opts.run} of ${opts.store}`;
    if (all.length === 0) throw new UserError(`${where} has no episodes; record some with "envscale rollout" or "envscale serve --store".`);
    const records = all.filter((e) => !opts.domain?.length || opts.domain.includes(e.domain));
    if (records.length === 0) throw new UserError(`${where} has no episodes of ${opts.domain!.join(', ')}; its episodes are of ${[...new Set(all.map((e) => e.domain))].join(', ')}.`);
    const report = runFunnel(records.map((r) => readEpisode(store, r)), { stages, exactAll: opts.exactAll });
    const result = exportEpisodes(report.kept, format);
    const info = format === 'sharegpt' ? datasetInfo(opts.out) : undefined;
    const rows = [['all episodes', report.total], ...report.after.map((a) => [a.stage, a.kept]), [`valid ${format} rows`, result.written]];
    console.log(markdownTable(['stage', 'episodes left'], rows));
    const dropped = [...droppedLines(report.dropped), ...droppedLines(result.skipped.map((s) => ({ ...s, stage: 'row' })))];
    if (dropped.length) console.log(`\ndropped:\n${dropped.map((l) => `  ${l}`).join('\n')}`);
    if (result.written === 0) throw new UserError(`None of the ${report.total} episodes of ${where} made a ${format} row (the reasons are above), so nothing was written to ${opts.out}; "envscale show <episode>" prints one.`);
    const metaPath = exportMetaPath(opts.out);
    writeFileAtomic(opts.out, result.text);
    writeFileAtomic(metaPath, result.meta.map((m) => `${JSON.stringify(m)}\n`).join(''));
    console.log(`\nwrote ${result.written} ${format} examples to ${opts.out}, and where each came from to ${metaPath}`);
    console.log(playedByLine(result.meta));
    if (info) {
      writeFileAtomic(info.path, `${JSON.stringify({ ...info.entries, [info.name]: llamaFactoryEntry(basename(opts.out)) }, null, 2)}\n`);
      console.log(`wrote the LLaMA-Factory entry "${info.name}" to ${info.path} (dataset_dir: ${dirname(info.path)}, dataset: ${info.name})`);
    }
  });
}

/** `data/train.jsonl` -> `data/train.meta.jsonl`: beside the rows, never inside them, so each trainer reads its rows as it expects. */
export function exportMetaPath(out: string): string {
  const ext = extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}.meta.jsonl`;
}

const PLAYED_BY_NOTE: Record<PlayedBy, string> = {
  oracle: "envscale's oracle agent, which replays the gold actions: its messages are templates, not a model's",
  model: 'a model through envscale',
  client: "a served session's own agent",
};

/** One line saying who played the exported episodes, so oracle data is never mistaken for a model's. */
function playedByLine(meta: ExportMeta[]): string {
  const counts = new Map<PlayedBy, number>();
  for (const m of meta) counts.set(m.played_by, (counts.get(m.played_by) ?? 0) + 1);
  return `played by: ${[...counts].map(([who, n]) => `${n} ${who} (${PLAYED_BY_NOTE[who]})`).join(', ')}`;
}

/** The dataset_info.json beside a ShareGPT file, read before anything is written; its other entries are kept. */
function datasetInfo(out: string): { path: string; name: string; entries: Record<string, unknown> } {
  const path = join(dirname(out), 'dataset_info.json');
  const name = basename(out).replace(/\.[^.]*$/, '') || basename(out);
  if (!existsSync(path)) return { path, name, entries: {} };
  const entries = readJsonFile(path);
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw new UserError(`${path} is not a JSON object of dataset entries; fix or move it, and export again.`);
  return { path, name, entries: entries as Record<string, unknown> };
}
