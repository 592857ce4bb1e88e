import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RunSpec } from '../spec/queue.js';
import type { Task } from '../spec/task.js';
import { publishOnce, readPublished } from './domain-bundle.js';

const key = (hash: string) => `envscale:run:${hash}`;

/** The hash of a spec's JSON text as the coordinator wrote it (a parsed copy may order keys otherwise). */
export function runSpecHash(spec: unknown): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** Put the run's shared part in Redis (once per content) and return the hash its jobs name it by. */
export async function publishRunSpec(redis: Redis, spec: RunSpec): Promise<string> {
  const hash = runSpecHash(spec);
  await publishOnce(redis, key(hash), spec);
  return hash;
}

/** A run as a worker plays its jobs: the spec, checked, and its tasks by id. */
export interface LoadedRun {
  spec: RunSpec;
  tasks: Map<string, Task>;
}

/** Runs a worker keeps: enough for several coordinators at once; an older one is read again if needed. */
const KEPT = 16;

/** A worker's way to the runs its jobs name: each fetched, checked against its hash and parsed once. */
export class RunSource {
  private readonly loading = new Map<string, Promise<LoadedRun>>();

  constructor(private readonly redis: Redis) {}

  get(hash: string): Promise<LoadedRun> {
    let p = this.loading.get(hash);
    if (!p) {
      p = this.fetch(hash);
      this.loading.set(hash, p);
      if (this.loading.size > KEPT) this.loading.delete(this.loading.keys().next().value!);
      // A failure is not remembered: the next job asks again (the run may have been published since).
      p.catch(() => this.loading.delete(hash));
    }
    return p;
  }

  private async fetch(hash: string): Promise<LoadedRun> {
    const value = await readPublished(this.redis, key(hash));
    if (value === undefined) throw new Error(`the run ${hash.slice(0, 12)} is not in Redis (expired or lost); rerun the rollout command to publish it again`);
    if (runSpecHash(value) !== hash) throw new Error(`the run in Redis does not match its hash ${hash.slice(0, 12)}; rerun the rollout command to publish it again`);
    const parsed = RunSpec.safeParse(value);
    if (!parsed.success) throw new Error(`the run ${hash.slice(0, 12)} in Redis is not one this envscale can play (${parsed.error.issues[0].message}); run the same envscale version on the coordinator and the workers`);
    return { spec: parsed.data, tasks: new Map(parsed.data.tasks.map((t) => [t.id, t])) };
  }
}
