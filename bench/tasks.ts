import { resolve } from 'node:path';
import { loadDomain } from '../src/env/load.js';
import { replayGold } from '../src/env/replay.js';
import { evaluateActions } from '../src/record/reward.js';
import { checkTasks } from '../src/tasks/check.js';
import { sampleTasks } from '../src/tasks/sample.js';
import { markdownTable } from '../src/util/table.js';
import { fmt, time } from './measure.js';

/** Task synthesis and evaluation at 1,000 tasks on the curated projects domain. */
export async function tasksBench(): Promise<string> {
  const domain = loadDomain(resolve(import.meta.dirname, '../../domains/projects'));
  let sampled = sampleTasks(domain, { n: 1000, seed: 1 });
  const sample = await time(() => (sampled = sampleTasks(domain, { n: 1000, seed: 1 })), 1, 0);
  const { tasks } = sampled;
  let failing = 0;
  const check = await time(() => (failing = checkTasks(domain, tasks).filter((c) => c.problems.length > 0).length), 1, 0);
  const replay = await time(() => tasks.forEach((t) => replayGold(domain, t)), 1, 0);
  const said = (t: (typeof tasks)[number]) => [{ role: 'assistant', content: t.communicate.join(' ') }];
  let rewarded = 0;
  const evaluate = await time(() => (rewarded = tasks.filter((t) => evaluateActions(domain, t, t.gold.actions, said(t)).reward === 1).length), 1, 0);
  const rows: Array<[string, string, string, string]> = [
    ['sample 1,000 tasks', fmt.ms(sample.medianMs), `${sampled.report.walks} walks, ${sampled.report.writes} write / ${sampled.report.readOnly} read-only`, ''],
    ['check-tasks on them', fmt.ms(check.medianMs), `${tasks.length - failing} of ${tasks.length} pass`, ''],
    ['sample + verify 1,000 tasks', fmt.ms(sample.medianMs + check.medianMs), '', '< 10 s'],
    ['gold replay alone (baseline)', fmt.ms(replay.medianMs), '', ''],
    ['gold replay + evaluation of 1,000 tasks', fmt.ms(evaluate.medianMs), `${rewarded} of ${tasks.length} rewarded 1; ${fmt.ratio(evaluate.medianMs / replay.medianMs)} the replay alone`, '< 5 s'],
  ];
  return markdownTable(['measure', 'time', 'detail', 'target'], rows);
}
