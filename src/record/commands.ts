import { existsSync } from 'node:fs';
import { formatDiff } from '../env/diff.js';
import { loadDomain } from '../env/load.js';
import type { EpisodeRecord, TrajectoryEvent } from '../spec/trajectory.js';
import { UserError, messageOf } from '../util/errors.js';
import { writeFileAtomic } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { readEpisode, toolActions, type StoredEpisode } from './conversation.js';
import { exportLines, FORMATS, type ExportFormat } from './export.js';
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
  const stages = parseStages(opts.funnel);
  withStore(opts.store, (store) => {
    const records = store.episodes({ runId: opts.run }).filter((e) => !opts.domain?.length || opts.domain.includes(e.domain));
    const report = runFunnel(records.map((r) => readEpisode(store, r)), { stages, exactAll: opts.exactAll });
    writeFileAtomic(opts.out, exportLines(report.kept, opts.format as ExportFormat));
    console.log(markdownTable(['stage', 'episodes left'], [['all episodes', report.total], ...report.after.map((a) => [a.stage, a.kept])]));
    const dropped = droppedLines(report.dropped);
    if (dropped.length) console.log(`\ndropped:\n${dropped.map((l) => `  ${l}`).join('\n')}`);
    console.log(`\nwrote ${report.kept.length} ${opts.format} examples to ${opts.out}`);
  });
}
