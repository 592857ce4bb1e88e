import { z } from 'zod';
import { ToolSpec } from './tool.js';

/** A record that ingestion skipped or changed, located by file and JSON pointer (and line for JSON Lines). */
export const IngestIssue = z.object({
  file: z.string(),
  /** 1-based line number, for JSON Lines files. */
  line: z.number().int().optional(),
  /** JSON pointer (RFC 6901) of the record inside the file (inside the line for JSON Lines). */
  pointer: z.string(),
  reason: z.string(),
});
export type IngestIssue = z.infer<typeof IngestIssue>;

export const IngestFileSummary = z.object({
  file: z.string(),
  /** Detected format, e.g. `openai`, `mcp`, `openapi-3.0`, `swagger-2.0`, `bfcl`, `functions`. */
  format: z.string(),
  tools: z.number().int(),
  skipped: z.number().int(),
});

/** What ingestion did: every input record is either a tool, a skipped entry, or a duplicate. */
export const IngestReport = z.object({
  files: z.array(IngestFileSummary),
  /** Files that were read but hold no tool collection in any known format. */
  unrecognized: z.array(z.object({ file: z.string(), reason: z.string() })),
  skipped: z.array(IngestIssue),
  /** Exact duplicates (same name, description and parameters) kept once. */
  duplicates: z.array(z.object({ source: z.string(), duplicateOf: z.string() })),
  /** Tools whose name was sanitized or suffixed to be valid and unique. */
  renamed: z.array(z.object({ from: z.string(), to: z.string(), source: z.string() })),
  /** Notes that changed a tool without skipping it (cut recursive `$ref`, unresolved external `$ref`). */
  notes: z.array(IngestIssue),
});
export type IngestReport = z.infer<typeof IngestReport>;

/** corpus.json: the normalized tools of one ingest run. */
export const CorpusFile = z.object({
  format: z.literal('envscale-corpus'),
  version: z.literal(1),
  tools: z.array(ToolSpec),
  report: IngestReport,
});
export type CorpusFile = z.infer<typeof CorpusFile>;

/** How partition was run; stored in the plan so a run can be repeated exactly. */
export const PartitionSettings = z.object({
  similarity: z.enum(['lexical', 'embeddings']),
  model: z.string().optional(),
  threshold: z.number(),
  k: z.number().int().positive(),
  resolution: z.number().positive(),
  seed: z.number().int(),
  maxSize: z.number().int().positive(),
  minSize: z.number().int().positive(),
  /** Cosine to a domain's centroid above which a tiny or isolated tool joins that domain. */
  attachThreshold: z.number(),
  /** Cosine of TF-IDF centroids at or above which adjacent Louvain communities merge; above 1, never. */
  mergeSimilarity: z.number(),
  /** Move single tools to the community, then the domain, whose centroid fits them better (refine.ts); plans written before the step did not. */
  refine: z.boolean().default(false),
  /** Keep every variant of a name in a domain (see graph/variants.ts); plans written before the rule kept them. */
  keepVariants: z.boolean().default(true),
});
export type PartitionSettings = z.infer<typeof PartitionSettings>;

export const PlannedDomain = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  /** The most distinctive terms of the domain's tools, best first. */
  terms: z.array(z.string()),
  /** The top-level Louvain community the domain came from (oversize communities give several domains). */
  community: z.number().int(),
  tools: z.array(z.string()),
  /** Tools set aside because the domain keeps another variant of their name (`of`). */
  variants: z.array(z.object({ tool: z.string(), of: z.string() })).default([]),
});
export type PlannedDomain = z.infer<typeof PlannedDomain>;

/** plan.json: domains, each a list of tool names of the corpus, with the statistics of the run. */
export const PartitionPlan = z.object({
  format: z.literal('envscale-plan'),
  version: z.literal(1),
  /** sha256 of the corpus tools (names, descriptions, parameters) the plan was built from. */
  corpusHash: z.string(),
  settings: PartitionSettings,
  stats: z.object({
    tools: z.number().int(),
    edges: z.number().int(),
    communities: z.number().int(),
    domains: z.number().int(),
    /** Modularity of the top-level Louvain partition. */
    modularity: z.number(),
    /** Communities above maxSize that were split again. */
    oversizeSplit: z.number().int(),
    /** Tools in communities below minSize that joined a domain. */
    attached: z.number().int(),
    /** Tools moved to another top-level community whose vocabulary fits them better (refine.ts); 0 in plans written before the step. */
    regrouped: z.number().int().default(0),
    /** Tools moved afterwards to a neighbouring domain whose vocabulary fits them better (refine.ts); 0 in plans written before the step. */
    moved: z.number().int().default(0),
    /** Tools set aside as variants of a name their domain already has. */
    variants: z.number().int().default(0),
    /** Domain sizes: `[low, high, count]` buckets. */
    sizeHistogram: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()])),
  }),
  /** The rule applied to tiny communities and isolated tools, in words. */
  singletonRule: z.string(),
  domains: z.array(PlannedDomain),
  /** Tools similar to no domain (kept apart, not dropped). */
  isolated: z.array(z.string()),
});
export type PartitionPlan = z.infer<typeof PartitionPlan>;
