import { parentPort } from 'node:worker_threads';
import { synthesizeIsolated } from './pipeline.js';
import type { WorkerJob, WorkerReply } from './parallel.js';

/** A worker thread of `synthesizeAll`: synthesizes and verifies the domains it is sent, one at a time. */
parentPort!.on('message', (job: WorkerJob) => {
  const reply: WorkerReply = { index: job.index, outcome: synthesizeIsolated(job.planned, job.tools, job.seed) };
  parentPort!.postMessage(reply);
});
