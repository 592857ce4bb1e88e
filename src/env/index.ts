export { Domain, DomainError, type CompiledTool } from './domain.js';
export { Session, UnknownToolError } from './session.js';
export type { ToolResult } from './executor.js';
export { loadDomain, readDomainSpec, readTasks, resolveDomainDir, domainSearchPath, parseOrExplain } from './load.js';
export { diffStates, formatDiff, type StateDiff, type TableDiff, type StateView } from './diff.js';
export { stateHash, computeSums, hashSums } from './state-hash.js';
export { openTaskSession, runActions, replayGold, type ReplayResult } from './replay.js';
