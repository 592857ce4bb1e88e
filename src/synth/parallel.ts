import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { synthesizeOffline, type DomainOutcome } from './pipeline.js';

/**
 * Offline synthesis of many domains across worker threads. Each domain is synthesized and
 * verified from its own inputs alone (per-domain seed), so outcomes are the same whichever
 * worker handles a domain; they are returned in plan order whatever order they finish in.
 */

export interface PlannedJob {
  planned: PlannedDomain;
  tools: ToolSpec[];
}
export interface WorkerJob extends PlannedJob {
  index: number;
  seed: number;
}
export type WorkerReply = { index: number; outcome: DomainOutcome } | { index: number; error: string };

/** Default worker count: one per core, the main thread only hands out domains and writes. */
export const defaultWorkers = (): number => availableParallelism();

/** Compiled worker next to this module; under a TypeScript runner (tests) there is none, so one worker means in-process. */
const WORKER_URL = new URL('./synth-worker.js', import.meta.url);

/**
 * Synthesize every job; `onOutcome` sees each outcome as it finishes (e.g. to write its folder).
 * With one worker (or one job) everything runs on this thread.
 */
export async function synthesizeAll(jobs: PlannedJob[], seed: number, workers: number, onOutcome: (outcome: DomainOutcome, index: number) => void): Promise<DomainOutcome[]> {
  const outcomes: DomainOutcome[] = new Array(jobs.length);
  const threads = Math.min(workers, jobs.length);
  if (threads <= 1) {
    jobs.forEach((job, i) => {
      outcomes[i] = synthesizeOffline(job.planned, job.tools, seed);
      onOutcome(outcomes[i], i);
    });
    return outcomes;
  }
  let next = 0;
  const pool = Array.from({ length: threads }, () => new Worker(WORKER_URL));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= jobs.length) return resolve();
              const index = next++;
              worker.postMessage({ ...jobs[index], index, seed } satisfies WorkerJob);
            };
            worker.on('message', (reply: WorkerReply) => {
              if ('error' in reply) return reject(new Error(`synthesizing ${jobs[reply.index].planned.name} failed: ${reply.error}`));
              outcomes[reply.index] = reply.outcome;
              onOutcome(reply.outcome, reply.index);
              send();
            });
            worker.on('error', reject);
            // Workers are terminated only after every promise has settled: any earlier exit is a crash.
            worker.on('exit', (code) => reject(new Error(`a synthesis worker stopped early (exit code ${code})`)));
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return outcomes;
}
