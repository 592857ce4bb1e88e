import { loadDomain, readTasks } from './env/load.js';
import { replayThroughMcp } from './mcp/replay.js';
import { markdownTable } from './util/table.js';
import { UserError } from './util/errors.js';

export interface DemoRow {
  task: string;
  calls: number;
  failedCalls: number;
  matches: boolean;
}

export interface DemoReport {
  domain: string;
  rows: DemoRow[];
  ms: number;
}

/** Serve a domain in-process and replay every task's gold actions through a real MCP client. */
export async function runDemo(ref: string): Promise<DemoReport> {
  const started = performance.now();
  const domain = loadDomain(ref);
  const tasks = readTasks(domain.dir!);
  if (tasks.length === 0) throw new UserError(`Domain ${domain.name} has no tasks.json to replay.`);
  const rows: DemoRow[] = [];
  for (const task of tasks) {
    const replay = await replayThroughMcp(domain, task);
    rows.push({
      task: task.id,
      calls: replay.results.length,
      failedCalls: replay.results.filter((r) => r.isError).length,
      matches: replay.stateHash === task.gold.state_hash,
    });
  }
  return { domain: domain.name, rows, ms: performance.now() - started };
}

export function formatDemo(report: DemoReport): string {
  const table = markdownTable(
    ['task', 'calls', 'failed calls', 'state hash matches gold'],
    report.rows.map((r) => [r.task, r.calls, r.failedCalls, r.matches ? 'yes' : 'NO']),
  );
  const ok = report.rows.filter((r) => r.matches).length;
  return `Replayed the gold actions of ${report.rows.length} ${report.domain} tasks through MCP in ${report.ms.toFixed(0)} ms.\n\n${table}\n\n${ok}/${report.rows.length} tasks reach their gold state.`;
}
