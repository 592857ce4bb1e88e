import Database from 'better-sqlite3';
import type { ValidateFunction } from 'ajv';
import type { ColumnType, DomainSpec, DomainTool, Step } from '../spec/domain.js';
import type { InitialStatement } from '../spec/task.js';
import { UserError } from '../util/errors.js';
import { compileArguments, compileOutputSchema } from './arguments.js';
import { buildImage, SeedError, type DomainImage } from './image.js';
import { checkStatement, SqlRuleError, type CheckedStatement } from './sql-check.js';
import { registerFunctions } from './sql-functions.js';
import { Session } from './session.js';

/** A spec that cannot be served; the message names domain, tool, step and reason. */
export class DomainError extends UserError {}

export type CompiledStep =
  | { kind: 'query'; stmt: CheckedStatement; as?: string; expect: 'row' | 'none' | 'any'; error?: string }
  | { kind: 'check'; stmt: CheckedStatement; error: string }
  | { kind: 'run'; stmt: CheckedStatement; expect: 'change' | 'any'; error?: string };

export interface CompiledOutput {
  shape: 'rows' | 'row' | 'value' | 'json';
  stmt: CheckedStatement;
  /** Per result column: its name and, when it comes straight from a table column, that column's type. */
  columns: Array<{ name: string; type?: ColumnType }>;
}

export interface CompiledTool {
  spec: DomainTool;
  validate: ValidateFunction;
  steps: CompiledStep[];
  output?: CompiledOutput;
  /** Validates a result against the tool's declared output schema, when it declares one. */
  validateOutput?: ValidateFunction;
  /** Whether any statement may delete rows: the MCP destructiveHint. */
  deletes: boolean;
}

const stepKind = (step: Step) => ('query' in step ? 'query' : 'check' in step ? 'check' : 'run');

/**
 * A loaded domain: its validated spec, its seed image, a shared read-only view of the seed state,
 * and its tools compiled and checked once. Sessions are forks of the image.
 */
export class Domain {
  readonly name: string;
  readonly image: DomainImage;
  /** The seed state, read-only, shared by every session that has not written yet. */
  readonly base: Database.Database;
  readonly tools: ReadonlyMap<string, CompiledTool>;
  private readonly allowedRoots: Set<number>;
  private readonly columnTypes: Map<string, Map<string, ColumnType>>;

  constructor(
    readonly spec: DomainSpec,
    readonly dir?: string,
  ) {
    this.name = spec.name;
    try {
      this.image = buildImage(spec);
    } catch (err) {
      if (err instanceof SeedError) throw new DomainError(`Domain ${spec.name}: ${err.message}.`);
      throw err;
    }
    this.base = new Database(this.image.bytes);
    this.base.pragma('query_only = ON');
    registerFunctions(this.base, { now: spec.clock });
    const roots = this.base
      .prepare("SELECT rootpage FROM sqlite_schema WHERE type IN ('table', 'index') AND tbl_name NOT LIKE '\\_es\\_%' ESCAPE '\\' AND rootpage > 0")
      .pluck()
      .all() as number[];
    this.allowedRoots = new Set(roots);
    this.columnTypes = new Map(spec.tables.map((t) => [t.name, new Map(t.columns.map((c) => [c.name, c.type]))]));
    const tools = new Map<string, CompiledTool>();
    for (const tool of spec.tools) {
      if (tools.has(tool.name)) throw new DomainError(`Domain ${spec.name}: tool ${tool.name} is declared twice.`);
      tools.set(tool.name, this.compileTool(tool));
    }
    this.tools = tools;
  }

  /** A new session on the seed state. Cheap: it shares the seed until its first write. */
  openSession(): Session {
    return new Session(this);
  }

  /** Check statements that set up a task's initial state (write rules, no tool context). */
  checkInitial(statements: InitialStatement[], where: string): CheckedStatement[] {
    return statements.map((s, i) => {
      const checked = this.check(s.sql, true, `${where}, initial statement ${i + 1}`);
      const missing = checked.params.find((p) => !(p in s.params));
      if (missing) throw new DomainError(`Domain ${this.name}: ${where}, initial statement ${i + 1} uses :${missing} but its params do not set it.`);
      return checked;
    });
  }

  close(): void {
    this.base.close();
  }

  private check(sql: string, write: boolean, where: string): CheckedStatement {
    try {
      return checkStatement(this.base, sql, { write, allowedRoots: this.allowedRoots });
    } catch (err) {
      if (err instanceof SqlRuleError) throw new DomainError(`Domain ${this.name}: ${where}: SQL ${err.message}.`);
      throw err;
    }
  }

  private compileTool(tool: DomainTool): CompiledTool {
    const at = `tool ${tool.name}`;
    let validate: ValidateFunction;
    try {
      validate = compileArguments(tool.parameters);
    } catch (err) {
      throw new DomainError(`Domain ${this.name}: ${at}: its parameters are not a valid JSON Schema (${(err as Error).message}).`);
    }
    const known = new Set(Object.keys(tool.parameters.properties ?? {}));
    const usable = (stmt: CheckedStatement, where: string) => {
      const missing = stmt.params.find((p) => !known.has(p));
      if (missing) throw new DomainError(`Domain ${this.name}: ${where}: SQL uses :${missing}, which is neither a parameter of the tool nor bound by an earlier step.`);
      return stmt;
    };
    const steps = tool.steps.map((step, i): CompiledStep => {
      const where = `${at}, step ${i + 1} (${stepKind(step)})`;
      if ('query' in step) {
        const stmt = usable(this.check(step.query, false, where), where);
        if (step.expect !== 'any' && !step.error) throw new DomainError(`Domain ${this.name}: ${where}: expect "${step.expect}" needs an error message.`);
        if (step.as) for (const c of stmt.columns) known.add(`${step.as}__${c.name}`);
        return { kind: 'query', stmt, as: step.as, expect: step.expect, error: step.error };
      }
      if ('check' in step) return { kind: 'check', stmt: usable(this.check(step.check, false, where), where), error: step.error };
      if (tool.kind === 'read') throw new DomainError(`Domain ${this.name}: ${where}: a read tool cannot have statements that change state.`);
      if (step.expect === 'change' && !step.error) throw new DomainError(`Domain ${this.name}: ${where}: expect "change" needs an error message.`);
      return { kind: 'run', stmt: usable(this.check(step.run, true, where), where), expect: step.expect, error: step.error };
    });
    let output: CompiledOutput | undefined;
    if (tool.output) {
      const [shape, sql] = Object.entries(tool.output)[0] as [CompiledOutput['shape'], string];
      const where = `${at}, output`;
      const stmt = usable(this.check(sql, false, where), where);
      const columns = stmt.columns.map((c) => ({ name: c.name, type: c.table && c.column ? this.columnTypes.get(c.table)?.get(c.column) : undefined }));
      output = { shape, stmt, columns };
    }
    let validateOutput: ValidateFunction | undefined;
    if (tool.outputSchema) {
      try {
        validateOutput = compileOutputSchema(tool.outputSchema);
      } catch (err) {
        throw new DomainError(`Domain ${this.name}: ${at}: its outputSchema is not usable (${(err as Error).message}).`);
      }
    }
    const deletes = steps.some((s) => s.kind === 'run' && s.stmt.deletes);
    return { spec: tool, validate, steps, output, deletes, ...(validateOutput ? { validateOutput } : {}) };
  }
}
