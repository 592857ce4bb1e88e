import { z } from 'zod';
import { DomainSpec } from '../spec/domain.js';
import type { PlannedDomain } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { readContract } from './contract.js';

/**
 * The messages that ask a model for a DomainSpec. The format is the JSON Schema derived from the
 * zod schema (so it cannot drift from what the loader accepts); the engine's rules, which no
 * schema expresses, are spelled out after it.
 */

/** The DomainSpec JSON Schema without the fields the synthesizer sets itself. */
function specFormat(): string {
  const schema = z.toJSONSchema(DomainSpec, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
  // `$schema` is for editors; `dependencies` come from --refine-edges, not from the spec's author.
  delete schema.properties.$schema;
  delete schema.properties.dependencies;
  return JSON.stringify(schema);
}

const RULES = `Rules of the engine that runs the spec:
- Each tool is a read or a write on the domain's SQLite database. Its steps run in order inside one transaction; any failing step rolls everything back.
- Arguments are bound by name as :param (the parameter's name). Never build SQL text from values. A missing optional argument is NULL.
- A query step with "as": "x" binds its first row's columns as :x__column for later steps and the output.
- "expect": "row" fails with its error when the query finds nothing, "none" when it finds something; a run step with "expect": "change" fails when it changes no row. A check step fails unless its first value is true. Error messages may quote arguments as {param}.
- Output: {"rows": sql} returns all rows, {"row": sql} the first row or null, {"value": sql} the first value, {"json": sql} the first value parsed as JSON. A write without output returns "OK".
- Helper functions: now() is the domain's clock; seq('name') gives the next number of a sequence (writes only), e.g. 'ORD-' || seq('order') for a new id; "sequences" sets first values.
- Refused: more than one statement per string, ATTACH, PRAGMA, load_extension, random(), randomblob(), the real clock ('now', CURRENT_TIMESTAMP, date functions without a time value), positional ? parameters, tables named sqlite_*, _es_* or pragma_*, zeroblob(), printf/format widths over 1000 or from parameters, and a recursive WITH without LIMIT n (n at most 100000).
- Read tools may only read (SELECT/WITH); writes use INSERT/UPDATE/DELETE/REPLACE.
- Column types: text, integer, real, boolean (stored as 0/1, seed true/false), json (any JSON value). "references" names another table (its primary key) or table.column; seed rows must only point at rows that exist.
- Seed rows: several per table, plausible and typed like their columns, dates before the clock, so that every read finds something.
- Every tool is verified by calling it with arguments taken from the seed rows: reads must not change state, writes must change it, and a wrong type or an unknown id must fail with the step's error message, never with an SQL error. Seed rows must hold values the tools' parameter schemas accept (formats, patterns, enums), since calls are built from them.
- A tool listed with an "outputSchema" returns what the real API returns: its output must validate against that schema (the same field names and nesting, wrappers such as {"data": [...]} included). Build it from the rows with {"json": sql} using json_object and json_group_array, so reading a row twice gives the same value and a write shows in every later read. Object schemas are declared as the tool's outputSchema (filled in); every output verification samples is checked against the schema.`;

export const SYSTEM_PROMPT = `You design simulated environments for tool-using agents. An environment is a SQLite database (tables and seed rows) with tools; every tool is a read or a write on that database, expressed as declarative SQL steps. You answer with one JSON object, a DomainSpec, and nothing else.

The DomainSpec format (JSON Schema):
${specFormat()}

${RULES}`;

/** The request for one planned domain: its tools, whose names, descriptions and parameters are fixed. */
export function domainPrompt(planned: PlannedDomain, tools: ToolSpec[], clock: string): string {
  const listed = tools.map((t) => {
    const returns = readContract(t)?.schema;
    return JSON.stringify({ name: t.name, description: t.description, parameters: t.parameters, ...(returns ? { outputSchema: returns } : {}) });
  });
  return [
    `Domain name: ${planned.name}${planned.terms.length > 0 ? ` (about: ${planned.terms.slice(0, 8).join(', ')})` : ''}.`,
    `Use the clock ${clock}.`,
    `Design the tables this domain needs and implement every one of these ${tools.length} tools. Keep each tool's name, description, parameters and outputSchema exactly as given (you may leave them out; they are filled in). Decide its kind, steps and output. Write a short policy (markdown) describing the domain, its entities and what each write does.`,
    `Tools:\n${listed.join('\n')}`,
    'Answer with the DomainSpec JSON object only.',
  ].join('\n\n');
}
