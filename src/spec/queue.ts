import { z } from 'zod';
import { Task } from './task.js';
import { EpisodeEnd, TrajectoryEvent } from './trajectory.js';

/**
 * What travels through Redis when a rollout runs on queue workers (src/queue): one job per
 * (task, trial) and the episode each job sends back. Keys never travel: workers read theirs
 * from their own environment.
 */

/** How a role (agent or user) reaches its model; `strict` so a key can never ride along. */
export const RoleEndpoint = z
  .object({
    baseURL: z.string().optional(),
    temperature: z.number(),
    timeoutMs: z.number(),
    maxRetries: z.number().int(),
    retryBaseMs: z.number(),
  })
  .strict();
export type RoleEndpoint = z.infer<typeof RoleEndpoint>;

/** `oracle`, `scripted` or `openai:<model>`, with its endpoint settings. */
export const RoleSpec = z.object({ spec: z.string(), endpoint: RoleEndpoint });
export type RoleSpec = z.infer<typeof RoleSpec>;

/**
 * What every episode of a run shares. The coordinator puts it in Redis once, under the hash of its
 * content (src/queue/run-spec.ts); the jobs name it, and a worker reads and checks it once.
 */
export const RunSpec = z.object({
  format: z.literal('envscale-run'),
  version: z.literal(1),
  /** The run key (src/rollout/run.ts runKey). */
  run: z.string(),
  /** The domain by name and content hash; its files are in Redis under that hash. */
  domain: z.object({ name: z.string(), hash: z.string() }),
  tasks: z.array(Task),
  /** Trial t is played with seed + t. */
  seed: z.number().int(),
  limits: z.object({ maxTurns: z.number().int(), maxErrors: z.number().int() }),
  agent: RoleSpec,
  user: RoleSpec,
});
export type RunSpec = z.infer<typeof RunSpec>;

/** The job of one trial: which run, task and trial, nothing the run's other jobs share. */
export const EpisodeJob = z.object({
  format: z.literal('envscale-episode-job'),
  version: z.literal(2),
  /** The content hash of the run's RunSpec. */
  spec: z.string(),
  task: z.string(),
  trial: z.number().int(),
});
export type EpisodeJob = z.infer<typeof EpisodeJob>;

/** An episode as a worker recorded it: every event with its time, then how it ended. */
export const EpisodeJobResult = z.object({
  /** host:pid of the worker that played it. */
  worker: z.string(),
  episode: z.object({
    startedAt: z.string(),
    endedAt: z.string(),
    events: z.array(z.object({ at: z.string(), event: TrajectoryEvent })),
    end: EpisodeEnd,
  }),
  /** A model endpoint failure no later episode can get past (the coordinator stops the run). */
  fatal: z.string().optional(),
});
export type EpisodeJobResult = z.infer<typeof EpisodeJobResult>;
export type EpisodeJobResultInput = z.input<typeof EpisodeJobResult>;
