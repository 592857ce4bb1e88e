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
};
