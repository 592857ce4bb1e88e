/**
 * envscale from code: every stage of the pipeline as a function over plain data. The CLI
 * (src/cli.ts) is a thin shell over these.
 */
export * from './spec/index.js';
export * from './env/index.js';
export * from './corpus/index.js';
export * from './graph/index.js';
export { createDomainServer, type DomainServerOptions } from './mcp/server.js';
export { Episode, type EpisodeInit, type ToolCallEvent } from './episode/episode.js';
export { episodeOpener, type OpenerOptions, type OpenRequest } from './episode/opener.js';
export { listTools } from './episode/tools.js';
export { startHttpHost, type HttpHost, type HttpHostOptions } from './serve/host.js';
export { serveStdio } from './mcp/stdio.js';
export { replayThroughMcp, callThroughMcp } from './mcp/replay.js';
export { synthesizeOffline, type DomainOutcome } from './synth/pipeline.js';
export { verifySpec, keepVerified } from './synth/verify.js';
export type { ToolVerdict } from './spec/verification.js';
export { writeDomainFolder } from './synth/write.js';
export { sampleTasks, type SampleOptions, type SampleReport } from './tasks/sample.js';
export { checkTasks, FINDING_CODES, type Finding, type FindingCode, type TaskCheck } from './tasks/check.js';
export { dependencyGraph } from './tasks/dependency-graph.js';
export { evaluateEpisode, evaluateActions, type Verdict, type EpisodeOutcome } from './record/reward.js';
export { passHatK, passHatKTable } from './record/pass-k.js';
export { TrajectoryStore } from './record/store.js';
export { runFunnel, DEFAULT_FUNNEL } from './record/funnel.js';
export { exportEpisodes, exportRow, trainingDialogue, llamaFactoryEntry, FORMATS, type ExportFormat, type ExportResult } from './record/export.js';
export { runRollout, type RolloutOptions, type RolloutReport } from './rollout/run.js';
export { runQueuedRollout, type QueuedRolloutOptions } from './queue/coordinator.js';
export { startWorker, type WorkerOptions } from './queue/worker.js';
export { parseRedisUrl } from './queue/redis.js';
export { roleSpec } from './queue/roles.js';
export { makeAgent } from './rollout/agents.js';
export { makeUser } from './episode/users.js';
export { ChatModel, DEFAULT_ENDPOINT, ModelFailure } from './llm/chat-model.js';
export { ResponseCache } from './llm/cache.js';
export { importTau2 } from './importers/tau2/import.js';
export { runDemo, formatDemo } from './demo.js';
export { UserError } from './util/errors.js';
