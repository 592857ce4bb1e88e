import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { failedOutcome, synthesizeIsolated, type DomainOutcome } from './pipeline.js';

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
export interface WorkerReply {
  index: number;
  outcome: DomainOutcome;
}

/** Default worker count: one per core, the main thread only hands out domains and writes. */
export const defaultWorkers = (): number => availableParallelism();

/** Compiled worker next to this module; under a TypeScript runner (tests) there is none, so one worker means in-process. */
const WORKER_URL = new URL('./synth-worker.js', import.meta.url);

/**
 * Synthesize every job; `onOutcome` sees each outcome as it finishes (e.g. to write its folder).
 * With one worker (or one job) everything runs on this thread. A domain that fails (an internal
 * error, or a worker that dies on it) becomes a failed outcome and the others go on; a dead worker
 * is replaced.
 */
export async function synthesizeAll(jobs: PlannedJob[], seed: number, workers: number, onOutcome: (outcome: DomainOutcome, index: number) => void): Promise<DomainOutcome[]> {
  const outcomes: DomainOutcome[] = new Array(jobs.length);
  const threads = Math.min(workers, jobs.length);
  if (threads <= 1) {
    jobs.forEach((job, i) => {
      outcomes[i] = synthesizeIsolated(job.planned, job.tools, seed);
      onOutcome(outcomes[i], i);
    });
    return outcomes;
  }
  let next = 0;
  let finished = 0;
  const live = new Set<Worker>();
  await new Promise<void>((resolve) => {
    const settle = (index: number, outcome: DomainOutcome) => {
      outcomes[index] = outcome;
      onOutcome(outcome, index);
      if (++finished === jobs.length) resolve();
    };
    const start = () => {
      const worker = new Worker(WORKER_URL);
      live.add(worker);
      let current: number | undefined;
      const send = () => {
        if (next >= jobs.length) {
          current = undefined;
          return;
        }
        current = next++;
        worker.postMessage({ ...jobs[current], index: current, seed } satisfies WorkerJob);
      };
      worker.on('message', (reply: WorkerReply) => {
        settle(reply.index, reply.outcome);
        send();
      });
      // Workers are terminated only once every job has settled: an earlier exit is a crash on the
      // domain in hand, which fails alone; a new worker takes the remaining jobs.
      const died = (why: string) => {
        if (!live.delete(worker)) return;
        if (current !== undefined) {
          const index = current;
          current = undefined;
          settle(index, failedOutcome(jobs[index].planned, jobs[index].tools, why));
        }
        if (next < jobs.length) start();
      };
      worker.on('error', (err) => died(err.message));
      worker.on('exit', (code) => died(`a synthesis worker stopped (exit code ${code})`));
      send();
    };
    for (let i = 0; i < threads; i++) start();
  });
  const stopping = [...live];
  live.clear();
  await Promise.all(stopping.map((w) => w.terminate()));
  return outcomes;
}
