import { parentPort } from 'node:worker_threads';
import { synthesizeOffline } from './pipeline.js';
import type { WorkerJob, WorkerReply } from './parallel.js';

/** A worker thread of `synthesizeAll`: synthesizes and verifies the domains it is sent, one at a time. */
parentPort!.on('message', (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    reply = { index: job.index, outcome: synthesizeOffline(job.planned, job.tools, job.seed) };
  } catch (err) {
    reply = { index: job.index, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
