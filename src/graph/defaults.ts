import type { PartitionSettings } from '../spec/plan.js';

/** Default partition settings, in a module of its own so the CLI can show them without loading the graph code. */
export const DEFAULT_SETTINGS: Omit<PartitionSettings, 'similarity' | 'model'> = {
  threshold: 0.2,
  k: 10,
  // Ordinary modularity: communities that belong to one API are joined afterwards (see merge.ts).
  resolution: 1,
  seed: 42,
  maxSize: 40,
  minSize: 3,
  attachThreshold: 0.1,
  // Measured on every labeled set of scripts/eval-partition.ts with one setting: 0.3 to 0.375 gave
  // the same or nearly the same partitions on all of them; 0.35 sits in the middle of that
  // plateau. Below 0.3 unrelated APIs that share generic vocabulary merge; above 0.4 the resources
  // of one large API stay apart.
  mergeSimilarity: 0.35,
  refine: true,
  keepVariants: false,
  sources: true,
  // Centroid cosine at which two sources do the same job and share a domain (jobs.ts). Measured on
  // the labeled sets of scripts/eval-partition.ts and the MCP pool of fixtures/mcp-pool: copies of
  // one API (tau-bench's and tau2-bench's retail and airline tools) reach 0.94-0.97; two weather
  // servers written apart 0.64-0.70, BFCL's key-value and vector memory APIs (the same operations on
  // different stores) 0.71; the closest servers of different jobs (a store and a payment service)
  // 0.51, and no two specs of the shared OpenAPI sets pass 0.31. 0.88 kept the weather servers
  // apart; 0.6 changed nothing else on those sets. Louvain alone joins sources far below that: at
  // resolution 1 any two APIs that share some vocabulary gain modularity together in a large pool.
  sameJob: 0.6,
};
