import { z } from 'zod';
import { JsonSchema, ParametersSchema } from './json-schema.js';
import { ToolName } from './tool.js';

const Identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'identifiers are lower-case letters, digits and _, starting with a letter');

/** Column types; `json` holds any JSON value as text, `boolean` is stored as 0/1. */
export const ColumnType = z.enum(['text', 'integer', 'real', 'boolean', 'json']);
export type ColumnType = z.infer<typeof ColumnType>;

export const Column = z.object({
  name: Identifier,
  type: ColumnType,
  /** Nullable unless `required`. Primary key columns are always required. */
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  /** A foreign key: `table` or `table.column` (default: that table's primary key). */
  references: z.string().optional(),
  description: z.string().optional(),
});
export type Column = z.infer<typeof Column>;

export const Table = z.object({
  name: Identifier,
  description: z.string().optional(),
  columns: z.array(Column).min(1),
  /** Primary key columns, in order. Rows are identified by it in diffs. */
  primaryKey: z.array(Identifier).min(1),
  /** Extra indexes, each a list of columns. */
  indexes: z.array(z.array(Identifier).min(1)).optional(),
});
export type Table = z.infer<typeof Table>;

const Sql = z.string().min(1);
/** Text the agent sees when a step fails; `{name}` is replaced by the argument or bound value of that name. */
const Message = z.string().min(1);

/**
 * A query step. Its first row's columns are bound for later steps as `:<as>__<column>`.
 * `expect: row` fails with `error` when the query finds nothing; `expect: none` fails when it finds something.
 */
export const QueryStep = z.object({
  query: Sql,
  as: Identifier.optional(),
  expect: z.enum(['row', 'none', 'any']).default('any'),
  error: Message.optional(),
});
/** A check step: fails with `error` unless the query's first value is true (non-zero, non-null). */
export const CheckStep = z.object({ check: Sql, error: Message });
/** A statement that changes state; `expect: change` fails with `error` when it changes no row. */
export const RunStep = z.object({
  run: Sql,
  expect: z.enum(['change', 'any']).default('any'),
  error: Message.optional(),
});
export const Step = z.union([QueryStep, CheckStep, RunStep]);
export type Step = z.infer<typeof Step>;
export type QueryStep = z.infer<typeof QueryStep>;
export type CheckStep = z.infer<typeof CheckStep>;
export type RunStep = z.infer<typeof RunStep>;

/**
 * What the tool returns. `rows`: all rows as objects; `row`: the first row (null if none);
 * `value`: the first column of the first row as text; `json`: the first column parsed as JSON.
 * JSON and boolean columns of the domain's tables come back typed in `rows` and `row`.
 */
export const Output = z.union([
  z.object({ rows: Sql }),
  z.object({ row: Sql }),
  z.object({ value: Sql }),
  z.object({ json: Sql }),
]);
export type Output = z.infer<typeof Output>;

export const DomainTool = z.object({
  name: ToolName,
  title: z.string().optional(),
  description: z.string(),
  /** Read tools run on a read-only view; the engine refuses any statement in them that could write. */
  kind: z.enum(['read', 'write']),
  parameters: ParametersSchema,
  steps: z.array(Step).default([]),
  output: Output.optional(),
  /**
   * The JSON Schema of what the tool returns, an object schema (MCP `outputSchema`): served with
   * the tool, checked at load, and met by every output verification samples. The MCP server then
   * returns the result as `structuredContent` as well as text.
   */
  outputSchema: JsonSchema.optional(),
  /** Where the tool came from when synthesized or imported. */
  source: z.string().optional(),
});
export type DomainTool = z.infer<typeof DomainTool>;

/** An edge of the tool dependency graph: results of `from` can feed the arguments of `to`. */
export const Dependency = z.object({ from: ToolName, to: ToolName });
export type Dependency = z.infer<typeof Dependency>;

/** `domain.json`: everything about a domain but its policy text, seed rows and tasks. */
export const DomainFile = z.object({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'domain names are lower-case letters, digits, _ and -'),
  description: z.string(),
  /** The simulated "now" of the domain, returned by the SQL function now(). */
  clock: z.iso.datetime({ offset: true }),
  tables: z.array(Table).min(1),
  tools: z.array(DomainTool).min(1),
  /** First value of each named sequence of the SQL function seq(name) (default 1). */
  sequences: z.record(Identifier, z.number().int()).default({}),
  /**
   * The tool dependency graph task sampling walks, when reviewed (e.g. confirmed by a model):
   * exactly these edges. Without it the graph is derived from the tools' SQL.
   */
  dependencies: z.array(Dependency).optional(),
}).superRefine((file, ctx) => {
  const tools = new Set(file.tools.map((t) => t.name));
  file.dependencies?.forEach((d, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!tools.has(d[end])) ctx.addIssue({ code: 'custom', path: ['dependencies', i, end], message: `${d[end]} is not a tool of this domain` });
    }
  });
});
export type DomainFile = z.infer<typeof DomainFile>;

/** `seed.json`: rows per table, as objects keyed by column name. */
export const SeedFile = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));
export type SeedFile = z.infer<typeof SeedFile>;

/** A whole domain in memory: `domain.json` plus `policy.md` and `seed.json`. */
export const DomainSpec = DomainFile.safeExtend({
  policy: z.string(),
  seed: SeedFile,
});
export type DomainSpec = z.infer<typeof DomainSpec>;
