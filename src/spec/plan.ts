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
  /** Keep each source (spec, tool list, class; graph/sources.ts) whole up to maxSize and cut larger ones along their structure; plans written before did not. */
  sources: z.boolean().default(false),
  /** Centroid cosine at or above which two sources do the same job and share a domain (graph/jobs.ts); above 1, never. */
  sameJob: z.number().default(2),
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
  /** The sources (plan `sources`) its tools and variants come from, with how many, most first; tools of no source are not counted. Absent in plans written before sources were kept. */
  sources: z.array(z.object({ source: z.string(), tools: z.number().int() })).optional(),
  /** With two or more sources: the terms they share most (strong in at least two of them), best first. */
  shared: z.array(z.string()).optional(),
});
export type PlannedDomain = z.infer<typeof PlannedDomain>;

/** A source group (graph/sources.ts) and what the partition did with it. */
export const PlannedSource = z.object({
  /** The origin its tools share, as ingest recorded it: a document (file, JSON Lines line), a record, a file or a folder. */
  name: z.string(),
  tools: z.number().int(),
  /** `listed` together in one document or record, or `gathered` from one-tool documents of a file or folder. */
  kind: z.enum(['listed', 'gathered']),
  /** `whole`: kept as one unit; `cut`: larger than maxSize, cut along its structure; `loose`: gathered, or larger than maxSize, and its tools share too little to be one source (a collection), so placed tool by tool. */
  treatment: z.enum(['whole', 'cut', 'loose']),
  /** The domains holding its tools (variants with their kept tool), most tools first; its isolated tools are in none. */
  domains: z.array(z.object({ domain: z.string(), tools: z.number().int() })),
  /** For a cut source: why, and each part with its domain and the sections it holds (`tag Orders`, `path /orders > entity item_id`, `similar tools`). */
  cut: z
    .object({
      reason: z.string(),
      parts: z.array(z.object({ domain: z.string().optional(), tools: z.number().int(), where: z.array(z.string()) })),
    })
    .optional(),
});
export type PlannedSource = z.infer<typeof PlannedSource>;

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
    /** Lone tools that left a domain holding a source they did not fit (graph/lone.ts); absent in plans written before the step. */
    loneApart: z.number().int().optional(),
    /** Tools set aside as variants of a name their domain already has. */
    variants: z.number().int().default(0),
    /** Sources (whole or cut, not loose) of 2 to maxSize tools; absent in plans written before sources were kept. */
    sources: z.number().int().optional(),
    /** Of those, the ones whose tools are all in one domain. */
    sourcesKeptWhole: z.number().int().optional(),
    /** Sources larger than maxSize, cut along their structure. */
    sourcesCut: z.number().int().optional(),
    /** Domain sizes: `[low, high, count]` buckets. */
    sizeHistogram: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()])),
  }),
  /** The rule applied to tiny communities and isolated tools, in words. */
  singletonRule: z.string(),
  domains: z.array(PlannedDomain),
  /** Every source group of two or more tools, in the order of its first tool; absent in plans written before sources were kept. */
  sources: z.array(PlannedSource).optional(),
  /** Tools similar to no domain (kept apart, not dropped). */
  isolated: z.array(z.string()),
});
export type PartitionPlan = z.infer<typeof PartitionPlan>;
