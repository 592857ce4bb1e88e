import type { PartitionSettings } from '../spec/plan.js';
import { SAME_JOB } from './jobs.js';

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
  sameJob: SAME_JOB,
};
