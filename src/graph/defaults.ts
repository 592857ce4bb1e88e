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
  // the labeled sets of scripts/eval-partition.ts: copies of one API (tau-bench's and tau2-bench's
  // retail and airline tools) reach 0.94-0.97; the closest distinct systems, BFCL's key-value and
  // vector memory (same operations and names, different stores), 0.82; every other pair of sources
  // stays below 0.66. Louvain alone joins sources far below that: at resolution 1 any two APIs
  // that share some vocabulary gain modularity together in a large pool.
  sameJob: 0.88,
};
