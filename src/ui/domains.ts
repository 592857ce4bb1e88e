import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Domain } from '../env/domain.js';
import { domainSearchPath, loadDomain, readTasks } from '../env/load.js';
import { fromColumnValue } from '../env/values.js';
import type { DomainTool } from '../spec/domain.js';
import type { Task } from '../spec/task.js';
import { VerificationFile, type ToolVerdict } from '../spec/verification.js';
import { dependencyGraph } from '../tasks/dependency-graph.js';
import { paramSources } from '../tasks/param-sources.js';
import { UserError, messageOf } from '../util/errors.js';
import { forceLayout, type Point } from './layout.js';
import type { Page } from './store-reader.js';

export interface DomainSummary {
  name: string;
  dir: string;
  description: string;
  tables: number;
  tools: number;
  tasks: number;
  /** From verification.json (synthesized domains): tools that passed and failed. */
  verified: { ok: number; failed: number } | null;
  /** Set when the folder cannot be read as a domain. */
  problem?: string;
}

export interface DomainDetail {
  name: string;
  dir: string;
  description: string;
  clock: string;
  policy: string;
  tables: Array<{ name: string; description?: string; columns: Domain['spec']['tables'][number]['columns']; primaryKey: string[]; rows: number }>;
  tools: Array<DomainTool & { verdict: ToolVerdict | null }>;
  /** Tools that verification dropped (not in domain.json), with the reason. */
  dropped: ToolVerdict[];
  graph: { reviewed: boolean; nodes: Array<{ id: string; kind: string } & Point>; edges: Array<{ from: string; to: string; params: string[] }> };
  tasks: Task[];
}

const isDomainDir = (dir: string) => existsSync(join(dir, 'domain.json'));

/** Domain folders under a root: the root itself when it is one, else its sub-folders that are. */
function domainDirsUnder(root: string): string[] {
  if (isDomainDir(root)) return [resolve(root)];
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && isDomainDir(join(root, d.name)))
    .map((d) => resolve(root, d.name))
    .sort();
}

function readVerdicts(dir: string): ToolVerdict[] | null {
  const file = join(dir, 'verification.json');
  if (!existsSync(file)) return null;
  try {
    const parsed = VerificationFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.tools : null;
  } catch {
    return null;
  }
}

/**
 * The domains the viewer shows: named folders first, then the domains runs were recorded on, then
 * the domain search path. A name seen twice is the first folder's.
 */
export class DomainCatalog {
  private readonly summaries = new Map<string, { mtime: number; summary: DomainSummary }>();

  constructor(
    private readonly roots: string[],
    /** Domain folders known from elsewhere (the store's runs), asked for at each listing. */
    private readonly extraDirs: () => string[] = () => [],
  ) {}

  private dirs(): Map<string, string> {
    const byName = new Map<string, string>();
    const candidates = [...this.roots.flatMap(domainDirsUnder), ...this.extraDirs().filter(isDomainDir), ...domainSearchPath().flatMap(domainDirsUnder)];
    for (const dir of candidates) {
      const name = this.summary(dir).name;
      if (!byName.has(name)) byName.set(name, dir);
    }
    return byName;
  }

  list(): DomainSummary[] {
    return [...this.dirs().values()].map((dir) => this.summary(dir));
  }

  dirOf(name: string): string | undefined {
    return this.dirs().get(name);
  }

  /** The loaded domain of that name, or a UserError naming what is there. */
  load(name: string): Domain {
    const dir = this.dirOf(name);
    if (!dir) throw new UserError(`No domain named ${name}; the viewer knows ${[...this.dirs().keys()].join(', ') || 'none'} (add folders with --domains).`);
    return loadDomain(dir);
  }

  /** What the domain list shows, read from the files without compiling the domain; cached until domain.json changes. */
  private summary(dir: string): DomainSummary {
    const file = join(dir, 'domain.json');
    const mtime = statSync(file).mtimeMs;
    const cached = this.summaries.get(dir);
    if (cached?.mtime === mtime) return cached.summary;
    let summary: DomainSummary;
    try {
      const spec = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; description?: string; tables?: unknown[]; tools?: unknown[] };
      const tasksFile = join(dir, 'tasks.json');
      const tasks = existsSync(tasksFile) ? (JSON.parse(readFileSync(tasksFile, 'utf8')) as unknown[]).length : 0;
      const verdicts = readVerdicts(dir);
      summary = {
        name: spec.name ?? dir,
        dir,
        description: spec.description ?? '',
        tables: spec.tables?.length ?? 0,
        tools: spec.tools?.length ?? 0,
        tasks,
        verified: verdicts && { ok: verdicts.filter((v) => v.ok).length, failed: verdicts.filter((v) => !v.ok).length },
      };
    } catch (err) {
      summary = { name: dir, dir, description: '', tables: 0, tools: 0, tasks: 0, verified: null, problem: messageOf(err) };
    }
    this.summaries.set(dir, { mtime, summary });
    return summary;
  }
}

/** Everything the domain page shows, from the loaded (validated, compiled) domain. */
export function domainDetail(domain: Domain): DomainDetail {
  const dir = domain.dir!;
  const verdicts = readVerdicts(dir) ?? [];
  const verdictOf = new Map(verdicts.map((v) => [v.tool, v]));
  const graph = dependencyGraph(domain, paramSources(domain));
  const at = forceLayout(graph);
  return {
    name: domain.name,
    dir,
    description: domain.spec.description,
    clock: domain.spec.clock,
    policy: domain.spec.policy,
    tables: domain.spec.tables.map((t) => ({
      name: t.name,
      description: t.description,
      columns: t.columns,
      primaryKey: t.primaryKey,
      rows: domain.base.prepare(`SELECT count(*) FROM "${t.name}"`).pluck().get() as number,
    })),
    tools: domain.spec.tools.map((t) => ({ ...t, verdict: verdictOf.get(t.name) ?? null })),
    dropped: verdicts.filter((v) => !v.ok && !domain.tools.has(v.tool)),
    graph: {
      reviewed: domain.spec.dependencies !== undefined,
      nodes: graph.mapNodes((id, a) => ({ id, kind: a.kind as string, ...at.get(id)! })),
      edges: graph.mapEdges((_e, a, from, to) => ({ from, to, params: a.params as string[] })),
    },
    tasks: readTasks(dir),
  };
}

/** Rows of a table in the domain's seed state, paged; `q` keeps rows where some column contains it. */
export function tableRows(domain: Domain, tableName: string, q: string | undefined, page: Page): { columns: string[]; total: number; rows: Array<Record<string, unknown>> } {
  const table = domain.spec.tables.find((t) => t.name === tableName);
  if (!table) throw new UserError(`Domain ${domain.name} has no table ${tableName}; it has ${domain.spec.tables.map((t) => t.name).join(', ')}.`);
  // Names come from the validated spec (identifiers), values only as bound parameters.
  const where = q ? `WHERE ${table.columns.map((c) => `"${c.name}" LIKE :q ESCAPE '\\'`).join(' OR ')}` : '';
  const params = q ? { q: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } : {};
  const total = domain.base.prepare(`SELECT count(*) FROM "${table.name}" ${where}`).pluck().get(params) as number;
  const raw = domain.base
    .prepare(`SELECT ${table.columns.map((c) => `"${c.name}"`).join(', ')} FROM "${table.name}" ${where} ORDER BY rowid LIMIT :limit OFFSET :offset`)
    .raw(true)
    .all({ ...params, limit: page.limit, offset: page.offset }) as unknown[][];
  const rows = raw.map((r) => Object.fromEntries(table.columns.map((c, i) => [c.name, fromColumnValue(c.type, r[i])])));
  return { columns: table.columns.map((c) => c.name), total, rows };
}
