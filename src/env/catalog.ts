import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DomainFile } from '../spec/domain.js';
import { readJsonFile } from '../util/files.js';
import { domainSearchPath, parseOrExplain, readTasks } from './load.js';

export interface DomainEntry {
  name: string;
  dir: string;
  tools: number;
  reads: number;
  writes: number;
  tasks: number;
}

/** The domains on the search path, from their files alone (nothing is compiled). */
export function listDomains(roots = domainSearchPath()): DomainEntry[] {
  const seen = new Set<string>();
  const out: DomainEntry[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const dir = join(root, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'domain.json'))) continue;
      const file = parseOrExplain(DomainFile, readJsonFile(join(dir, 'domain.json')), join(dir, 'domain.json'));
      if (seen.has(file.name)) continue;
      seen.add(file.name);
      const reads = file.tools.filter((t) => t.kind === 'read').length;
      out.push({ name: file.name, dir, tools: file.tools.length, reads, writes: file.tools.length - reads, tasks: readTasks(dir).length });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
