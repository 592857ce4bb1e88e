import { readdirSync, readFileSync } from 'node:fs';

/** A process and all its descendants, from /proc (Linux): a server with the processes it started (serve --http runs each domain in one). */
function processTree(root: number): Set<number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (tree.has(ppid) && !tree.has(pid)) (tree.add(pid), (grew = true));
  }
  return tree;
}

/** Sum of a value read from /proc for each process of the tree; a process that ended meanwhile counts 0. */
function sumOverTree(root: number, read: (pid: number) => number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      total += read(pid);
    } catch {
      // Gone.
    }
  }
  return total;
}

/** Resident memory of a process and all its descendants, in bytes. */
export function treeRss(root: number): number {
  return sumOverTree(root, (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024);
}

/** CPU time (user + system) a process and its living descendants have used, in milliseconds. */
export function treeCpuMs(root: number): number {
  return sumOverTree(root, (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  });
}
