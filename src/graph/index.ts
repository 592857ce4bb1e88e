export { partitionTools, corpusHash, DEFAULT_SETTINGS, type PartitionOptions, type PartitionResult } from './partition.js';
export { DEFAULT_WEIGHTS, PLAIN_WEIGHTS, toolTerms, toolText, type FeatureWeights } from './features.js';
export { splitIdentifier, contentWords } from './tokens.js';
export { tfidf, sparseDot } from './vectors.js';
export { sparseSpace, denseSpace, exactSpace, topNeighbours, neighbourEdges, type Edge } from './neighbours.js';
export { adjustedRandIndex, purity } from './metrics.js';
export { scoreAgainstLabels } from './evaluate.js';
export { embedTexts } from './embeddings.js';
export { toGexf, toGraphologyJson } from './export.js';
