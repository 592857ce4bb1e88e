import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Domain } from '../src/env/domain.js';
import { readDomainSpec, readTasks } from '../src/env/load.js';
import { stateHash } from '../src/env/state-hash.js';
import { importTau2 } from '../src/importers/tau2/import.js';
import { replayOverMcp } from '../src/importers/tau2/replay.js';
import { evaluateEpisode } from '../src/record/reward.js';
import { markdownTable } from '../src/util/table.js';
import { fmt, time } from './measure.js';

/** tau2's retail data: next to the checkout, as in CI, unless TAU2_DATA points elsewhere. */
const DATA = process.env.TAU2_DATA ?? resolve('../shared/data/tau2-retail');

/**
 * tau2-bench retail in envscale against tau2's own figures on this machine class (from the issue):
 * building an environment 43-83 ms, hashing its state 32-40 ms, replaying and scoring a task
 * 0.3-0.5 s.
 */
export async function tau2Bench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'envscale-bench-tau2-'));
  const out = join(dir, 'tau2-retail');
  try {
    const imported = await time(() => importTau2(DATA, out), 1, 0);
    const load = await time(() => new Domain(readDomainSpec(out)).close(), 3, 1);
    const domain = new Domain(readDomainSpec(out), out);
    const tasks = readTasks(out).filter((t) => t.gold.actions.length > 0);

    const open = await time(() => domain.openSession().close(), 20_000, 100);
    const firstWrite = await time(() => {
      const f = domain.openSession();
      f.call('modify_user_address', { user_id: 'noah_brown_6181', address1: '1 Main St', address2: '', city: 'Springfield', state: 'IL', country: 'USA', zip: '62701' });
      f.close();
    }, 30);
    const s = domain.openSession();
    s.call('modify_user_address', { user_id: 'noah_brown_6181', address1: '1 Main St', address2: '', city: 'Springfield', state: 'IL', country: 'USA', zip: '62701' });
    let n = 0;
    const writeOnly = await time(() => s.call('modify_pending_order_address', { order_id: '#W5199551', address1: `${n++} Elm St`, address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '78712' }), 500);
    const writeHash = await time(() => {
      s.call('modify_pending_order_address', { order_id: '#W5199551', address1: `${n++} Elm St`, address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '78712' });
      return s.stateHash();
    }, 500);
    const fullHash = await time(() => stateHash(s.reader, domain.spec.tables), 10, 2);
    s.close();

    let matched = 0;
    let rewarded = 0;
    const replayAll = await time(
      async () => {
        matched = 0;
        rewarded = 0;
        for (const task of tasks) {
          const { session, actions } = await replayOverMcp(domain, task);
          if (session.stateHash() === task.gold.state_hash) matched++;
          const verdict = evaluateEpisode(domain, task, { session, actions: actions.map((a) => ({ tool: a.name, args: a.arguments })), messages: [] });
          if (verdict.reward === 1) rewarded++;
          session.close();
        }
      },
      3,
      1,
    );
    domain.close();

    const rows = [
      ['import tau2 data (db.json, tools, 114 tasks with gold hashes)', fmt.ms(imported.medianMs), '', ''],
      ['build the environment (load the imported domain)', fmt.ms(load.medianMs), 'tau2: 43-83 ms', ''],
      ['new session state', fmt.ms(open.medianMs), 'tau2 rebuilds its environment: 43-83 ms', '< 0.5 ms'],
      ['new session + first write (forks the state)', fmt.ms(firstWrite.medianMs), '', ''],
      ['state hash after a write (incremental)', fmt.ms(Math.max(0, writeHash.medianMs - writeOnly.medianMs)), `rehash every row: ${fmt.ms(fullHash.medianMs)}; tau2: 32-40 ms`, ''],
      [
        `replay + score ${tasks.length} tasks through MCP`,
        `${fmt.ms(replayAll.medianMs)} (${fmt.ms(replayAll.medianMs / tasks.length)} per task)`,
        'tau2: 0.3-0.5 s per task',
        '< 2 s in all',
      ],
      ['tasks reaching the gold hash / rewarded 1.0', `${matched} / ${rewarded} of ${tasks.length}`, '', `${tasks.length}`],
    ];
    return markdownTable(['measure', 'envscale', 'tau2 / baseline', 'target'], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
