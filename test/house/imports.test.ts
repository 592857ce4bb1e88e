import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder under src/ a file belongs to ('' for files directly in src/, such as the CLI entry). */
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0] : '';
};

/** Folder -> the folders its files import from (static and dynamic relative imports). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), m[1]));
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)!.set(to, relative(SRC, file));
    }
  }
  return graph;
}

/** One cycle of the graph as a path a -> b -> ... -> a (with the file behind each edge), or undefined. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next].map((n, i, all) => (i < all.length - 1 ? `${n} (${graph.get(n)!.get(all[i + 1])})` : n));
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

describe('the house', () => {
  it('has no import cycle between the folders of src/', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/y.ts']])],
      ['c', new Map([['a', 'c/z.ts']])],
    ]);
    expect(findCycle(graph)).toEqual(['a (a/x.ts)', 'b (b/y.ts)', 'c (c/z.ts)', 'a']);
  });

  it('keeps spec and util at the bottom: they import no other folder but each other', () => {
    const graph = folderGraph();
    for (const low of ['spec', 'util']) expect([...(graph.get(low)?.keys() ?? [])].filter((f) => f !== 'spec' && f !== 'util')).toEqual([]);
  });
});
