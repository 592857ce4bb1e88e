import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { DomainFile, DomainSpec, SeedFile } from '../spec/domain.js';
import { TaskFile, type Task } from '../spec/task.js';
import { readJsonFile } from '../util/files.js';
import { UserError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import { Domain } from './domain.js';

/** One sentence for a schema mismatch: the file, where in it, and what is wrong. */
export function parseOrExplain<S extends z.ZodType>(schema: S, data: unknown, file: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the top level';
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
  throw new UserError(`${file}: at ${where}: ${issue.message}${more}.`);
}

/** The files a domain folder is read from (tasks.json aside): what makes one domain. */
export const DOMAIN_FILES = ['domain.json', 'seed.json', 'policy.md'] as const;

/** Read a domain folder: domain.json, policy.md, seed.json (optional), validated. */
export function readDomainSpec(dir: string): DomainSpec {
  const file = parseOrExplain(DomainFile, readJsonFile(join(dir, 'domain.json')), join(dir, 'domain.json'));
  const policyPath = join(dir, 'policy.md');
  const seedPath = join(dir, 'seed.json');
  const policy = existsSync(policyPath) ? readFileSync(policyPath, 'utf8') : '';
  const seed = existsSync(seedPath) ? parseOrExplain(SeedFile, readJsonFile(seedPath), seedPath) : {};
  return { ...file, policy, seed };
}

/** Read a domain's tasks.json (empty when the domain has none). */
export function readTasks(dir: string, file = join(dir, 'tasks.json')): Task[] {
  if (!existsSync(file)) {
    // A domain may have no tasks.json; a task file named on the command line must exist.
    if (resolve(file) === resolve(dir, 'tasks.json')) return [];
    throw new UserError(`The task file ${file} does not exist; pass one written by "envscale tasks <domain> -o <file>", or leave out --tasks to use the domain's own.`);
  }
  return parseOrExplain(TaskFile, readJsonFile(file), file);
}

/** Where domains are looked up by name, in order; last, the curated domains that ship with envscale. */
export function domainSearchPath(): string[] {
  const extra = process.env.ENVSCALE_DOMAINS ? process.env.ENVSCALE_DOMAINS.split(':') : [];
  return [...new Set([...extra, resolve('domains'), resolve('.envscale', 'domains'), join(packageRoot(), 'domains')])];
}

/** A domain argument is a folder path, or a name found on the search path. */
export function resolveDomainDir(ref: string): string {
  if (existsSync(join(ref, 'domain.json'))) return resolve(ref);
  for (const root of domainSearchPath()) {
    const dir = join(root, ref);
    if (existsSync(join(dir, 'domain.json'))) return dir;
  }
  if (existsSync(ref) && statSync(ref).isDirectory()) throw new UserError(`${ref} is a folder without a domain.json; point at a domain folder.`);
  throw new UserError(`No domain named ${ref} in ${domainSearchPath().join(', ')}; run "envscale domains" to see what is there.`);
}

const loaded = new Map<string, Domain>();

/** Load (once per process) and compile a domain by name or folder. */
export function loadDomain(ref: string): Domain {
  const dir = realpathSync(resolveDomainDir(ref));
  let domain = loaded.get(dir);
  if (!domain) {
    domain = new Domain(readDomainSpec(dir), dir);
    loaded.set(dir, domain);
  }
  return domain;
}
