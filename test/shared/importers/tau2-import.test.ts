import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDomain, readTasks } from '../../../src/env/load.js';
import { exportRetailState, retailStateText } from '../../../src/importers/tau2/export.js';
import { buildSpec, importTau2 } from '../../../src/importers/tau2/import.js';
import { parseDb, parseTasks, parseTools, readTau2Folder, type Tau2Source } from '../../../src/importers/tau2/source.js';
import { convertTask } from '../../../src/importers/tau2/tasks.js';
import { RETAIL_BEHAVIOUR } from '../../../src/importers/tau2/behaviour.js';
import { pyDumps, pyFloatRepr, PyFloat } from '../../../src/importers/tau2/pyjson.js';
import type { Domain } from '../../../src/env/domain.js';
import { TAU2_RETAIL } from '../paths.js';

const DATA = TAU2_RETAIL;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

let work: string;
let out: string;
let domain: Domain;
let source: Tau2Source;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'envscale-tau2-'));
  out = join(work, 'tau2-retail');
  importTau2(DATA, out);
  source = readTau2Folder(DATA);
  domain = loadDomain(out);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tau2 import: the domain folder', () => {
  it('serves the 16 tools with the names, descriptions and parameter schemas of tools.json', () => {
    const tools = readJson(join(DATA, 'tools.json')) as Array<{ function: { name: string; description: string; parameters: unknown } }>;
    expect(tools).toHaveLength(16);
    expect([...domain.tools.keys()]).toEqual(tools.map((t) => t.function.name));
    for (const t of tools) {
      const spec = domain.tools.get(t.function.name)!.spec;
      expect(spec.description).toBe(t.function.description);
      expect(spec.parameters).toEqual(t.function.parameters);
    }
    expect(Object.keys(RETAIL_BEHAVIOUR).sort()).toEqual(tools.map((t) => t.function.name).sort());
  });

  it('has the policy, the seed rows of db.json and all 114 tasks with gold hashes', () => {
    expect(readFileSync(join(out, 'policy.md'), 'utf8')).toBe(readFileSync(join(DATA, 'policy.md'), 'utf8'));
    const seed = readJson(join(out, 'seed.json'));
    expect(seed.products).toHaveLength(50);
    expect(seed.variants).toHaveLength(591);
    expect(seed.users).toHaveLength(500);
    expect(seed.orders).toHaveLength(1000);
    const tasks = readTasks(out);
    expect(tasks).toHaveLength(114);
    expect(tasks.filter((t) => t.gold.actions.length > 0)).toHaveLength(112);
    expect(tasks.every((t) => /^[0-9a-f]{64}$/.test(t.gold.state_hash ?? ''))).toBe(true);
  });

  it('turns a tau2 task into gold actions, the user scenario, communicate strings and the reward basis', () => {
    const source = (readJson(join(DATA, 'tasks.json')) as Array<Record<string, any>>).find((t) => t.id === '16')!; // eslint-disable-line @typescript-eslint/no-explicit-any
    const task = readTasks(out).find((t) => t.id === '16')!;
    const criteria = source.evaluation_criteria;
    expect(task.gold.actions).toEqual(criteria.actions.map((a: { name: string; arguments: unknown }) => ({ tool: a.name, args: a.arguments })));
    expect(task.communicate).toEqual(criteria.communicate_info);
    expect(task.user.instructions).toContain(source.user_scenario.instructions.reason_for_call);
    expect(task.user.known).toEqual({ known_info: source.user_scenario.instructions.known_info });
    // tau2 scores retail on the DB (and NL assertions, which need a judge): not on communicate_info.
    expect(task.evaluation).toEqual({ state: true, communicate: false, actions: false });
    expect(task.tags).toContain('nl_assertions');
  });

  it('commits none of tau2\'s texts: the behaviour module holds no descriptions', () => {
    const tools = readJson(join(DATA, 'tools.json')) as Array<{ function: { description: string } }>;
    const behaviour = JSON.stringify(RETAIL_BEHAVIOUR);
    for (const t of tools) expect(behaviour).not.toContain(t.function.description.slice(0, 40));
  });
});

describe('tau2 import: exporting the state', () => {
  it('round-trips byte for byte: an unchanged import exports exactly db.json', () => {
    expect(retailStateText(domain.openSession().reader)).toBe(readFileSync(join(DATA, 'db.json'), 'utf8'));
  });

  it('shows a write: the changed order carries the fields tau2 sets', () => {
    const s = domain.openSession();
    expect(s.call('cancel_pending_order', { order_id: '#W5199551', reason: 'ordered by mistake' }).ok).toBe(true);
    const state = JSON.parse(pyDumps(exportRetailState(s.reader)));
    expect(state.orders['#W5199551'].status).toBe('cancelled');
    expect(state.orders['#W5199551'].cancel_reason).toBe('ordered by mistake');
    expect(state.orders['#W5199551'].payment_history).toHaveLength(2);
    expect('cancel_reason' in state.orders['#W2611340']).toBe(false);
    s.close();
  });

  it('writes floats as Python does', () => {
    expect([99, 41.91999999999999, 0.0001, 1e16, 1.5e-7, -0.5, 123456789.125].map(pyFloatRepr)).toEqual(['99.0', '41.91999999999999', '0.0001', '1e+16', '1.5e-07', '-0.5', '123456789.125']);
    expect(pyDumps({ a: [new PyFloat(2), 2, 'é'] })).toBe('{"a": [2.0, 2, "\\u00e9"]}');
  });
});

describe('tau2 import: malformed input is refused, naming the record', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const edited = (file: string, change: (data: any) => void) => {
    const data = readJson(join(DATA, file));
    change(data);
    return data;
  };

  it.each([
    ['a price that is not a number', (db: any) => (db.orders['#W2611340'].items[1].price = 'cheap'), /db\.json: orders\["#W2611340"\]\.items\[1\]\.price: .*fix that record/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['a key that differs from the id', (db: any) => (db.users.noah_brown_6181.user_id = 'noah'), /users\["noah_brown_6181"\] has user_id "noah"/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an unknown payment source', (db: any) => (db.users.noah_brown_6181.payment_methods.paypal_5727330.source = 'cash'), /users\["noah_brown_6181"\]\.payment_methods\.paypal_5727330/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an order of an unknown user', (db: any) => (db.orders['#W2611340'].user_id = 'nobody'), /orders\["#W2611340"\] belongs to user "nobody"/], // eslint-disable-line @typescript-eslint/no-explicit-any
  ])('refuses db.json with %s', (_what, change, message) => {
    expect(() => parseDb(edited('db.json', change), 'db.json')).toThrow(message);
  });

  it('refuses a gold action calling an unknown tool, and a tool without envscale behaviour', () => {
    const tasks = parseTasks(edited('tasks.json', (t) => (t[3].evaluation_criteria.actions[0].name = 'refund_everything')), 'tasks.json');
    expect(() => convertTask(tasks[3], new Set(Object.keys(RETAIL_BEHAVIOUR)), [], 'tasks.json')).toThrow(/tasks\.json: task "3": action 0 calls refund_everything, which is not in tools\.json/);
    const tools = parseTools(edited('tools.json', (t) => (t[0].function.name = 'launch_rocket')), 'tools.json');
    expect(() => buildSpec({ ...source, tools })).toThrow(/tool launch_rocket is not one of tau2's retail tools/);
  });

  it('writes nothing when the input is bad, and says how to make a missing tools.json', () => {
    // The shared data is read-only: copy what the importer reads into new, writable files.
    const dir = join(work, 'broken');
    mkdirSync(dir);
    for (const f of ['db.json', 'tasks.json', 'policy.md']) writeFileSync(join(dir, f), readFileSync(join(DATA, f)));
    const dest = join(work, 'never-written');
    expect(() => importTau2(dir, dest)).toThrow(/tools\.json does not exist; generate it in your tau2-bench checkout with: python -c/);
    writeFileSync(join(dir, 'tools.json'), '[{"type": "function"}]');
    expect(() => importTau2(dir, dest)).toThrow(/tools\.json: \[0\]\.function: /);
    expect(existsSync(dest)).toBe(false);
  });
});
