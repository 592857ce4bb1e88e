import type { JsonSchema } from '../spec/json-schema.js';
import { mapSubschemas } from '../util/schema-walk.js';

/**
 * Two mistakes of real OpenAPI schemas that make a schema refuse every value, or make a JSON
 * Schema validator refuse the schema, repaired in what a domain serves:
 * - `nullable: true` without `type` (OpenAPI 3.0): the value may be anything or null, which is
 *   what no keyword says; ajv refuses the schema outright.
 * - `additionalProperties: false` beside `allOf` / `anyOf` / `oneOf` (a model extended by
 *   composition): the keyword sees only the node's own `properties`, so every property a member
 *   declares is refused, and a required one can never be given. The members' property names
 *   (and the required ones) join the node's `properties` unconstrained, which keeps the author's
 *   intent (no other keys); when a member's properties are unknown (cut at a cycle, or left
 *   open), the keyword goes.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const COMBINATORS = ['allOf', 'anyOf', 'oneOf'] as const;

/** Property names a member declares through its own combinators too; undefined when they cannot be known. */
function memberNames(member: unknown, depth = 0): string[] | undefined {
  if (!isObject(member) || depth > 8) return undefined;
  const names = isObject(member.properties) ? Object.keys(member.properties) : [];
  const parts = COMBINATORS.flatMap((k) => (Array.isArray(member[k]) ? (member[k] as unknown[]) : []));
  // A member that names no property and composes nothing is open: its keys are unknown.
  if (names.length === 0 && parts.length === 0) return member.additionalProperties === false ? [] : undefined;
  for (const part of parts) {
    const more = memberNames(part, depth + 1);
    if (more === undefined) return undefined;
    names.push(...more);
  }
  return names;
}

/** One schema object repaired (its subschemas already are, under mapSubschemas). */
export function satisfiableNode(node: Record<string, unknown>): Record<string, unknown> {
  let out = node;
  if (out.nullable !== undefined && out.type === undefined) {
    const { nullable: _any, ...rest } = out;
    out = rest;
  }
  const members = COMBINATORS.flatMap((k) => (Array.isArray(out[k]) ? (out[k] as unknown[]) : []));
  if (out.additionalProperties !== false || members.length === 0) return out;
  const own = isObject(out.properties) ? out.properties : {};
  const names: string[] = [];
  for (const m of members) {
    const more = memberNames(m);
    if (more === undefined) {
      const { additionalProperties: _open, ...rest } = out;
      return rest;
    }
    names.push(...more);
  }
  if (Array.isArray(out.required)) names.push(...out.required.filter((r): r is string => typeof r === 'string'));
  const missing = [...new Set(names)].filter((n) => !Object.hasOwn(own, n));
  return missing.length === 0 ? out : { ...out, properties: { ...own, ...Object.fromEntries(missing.map((n) => [n, {}])) } };
}

/** The schema with the two mistakes above repaired everywhere in it (other schemas come back equal). */
export function satisfiableSchema<T = JsonSchema>(schema: T): T {
  return mapSubschemas(schema, satisfiableNode) as T;
}
