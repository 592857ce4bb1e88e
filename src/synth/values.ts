import type { ColumnType } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { Random } from '../tasks/random.js';
import { flatSchema, objectSchema, schemaType } from './contract.js';
import { safeTest } from './model.js';
import { fromPattern, pick } from './pools.js';
import { schemaValidator } from './schema-check.js';
import { decideText, uuid, type Makers, type TextMaker } from './text-kinds.js';
import { splitWords } from './words.js';

/**
 * Pass 4, values: plausible values for a column or parameter. The schema's own word comes first
 * (`const`, `enum`, a valid `example`/`examples`, `default`), then its `format` and `pattern`,
 * then what the name means (a person's name, a street, a price in a currency, a company...),
 * fitted to `minimum`/`maximum` and `minLength`/`maxLength`. Used for seed rows, values fixed at
 * synthesis and arguments without a column.
 */

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const num = (s: JsonSchema | undefined, key: string): number | undefined => (typeof s?.[key] === 'number' ? (s[key] as number) : undefined);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Names of dates that lie ahead of the clock (a due date, a departure), not behind it. */
const FUTURE = /(due|expir|deadline|until|scheduled|departure|arrival|check_?in|check_?out|start|end|valid_to|next|upcoming|renew|ends)/;

/** A date `days` from the clock (negative: before), as YYYY-MM-DD or a full ISO date-time. */
export function dayFrom(clock: string, days: number, full: boolean, hours = 0): string {
  const d = new Date(new Date(clock).getTime() + days * 86_400_000 + hours * 3_600_000);
  return full ? d.toISOString().replace('.000Z', 'Z') : d.toISOString().slice(0, 10);
}

function dateValue(name: string, full: boolean, rng: Random, clock: string): string {
  const days = FUTURE.test(name) ? rng.int(1, 120) : -rng.int(1, 400);
  return dayFrom(clock, days, full, full ? rng.int(-8, 8) : 0);
}

function numberValue(name: string, integer: boolean, schema: JsonSchema | undefined, rng: Random): number {
  let [lo, hi] = [1, 100];
  if (/(price|amount|cost|total|fee|balance|salary|budget|income|revenue|payment|value|subtotal|tax|discount)/.test(name)) [lo, hi] = [5, 1500];
  else if (/(year)/.test(name)) [lo, hi] = [2015, 2025];
  else if (/(^|_)age$/.test(name)) [lo, hi] = [18, 80];
  else if (/month/.test(name)) [lo, hi] = [1, 12];
  else if (/(^|_)(day|date)$/.test(name)) [lo, hi] = [1, 28];
  else if (/hour/.test(name)) [lo, hi] = [0, 23];
  else if (/(minute|second)/.test(name)) [lo, hi] = [0, 59];
  else if (/(rating|stars|score|priority|level)/.test(name)) [lo, hi] = [1, 5];
  else if (/(^|_)lat(itude)?$/.test(name)) [lo, hi] = [-60, 60];
  else if (/(^|_)(lon|lng|longitude)$/.test(name)) [lo, hi] = [-150, 150];
  else if (/(percent|ratio|probability|rate)/.test(name)) [lo, hi] = [0, 1];
  else if (/(count|quantity|qty|number|num|size|nights|guests|people|seats|adults|children|rooms)/.test(name)) [lo, hi] = [1, 10];
  const exMin = num(schema, 'exclusiveMinimum');
  const exMax = num(schema, 'exclusiveMaximum');
  const min = num(schema, 'minimum') ?? (exMin !== undefined ? exMin + (integer ? 1 : 0.01) : undefined);
  const max = num(schema, 'maximum') ?? (exMax !== undefined ? exMax - (integer ? 1 : 0.01) : undefined);
  if (min !== undefined && max !== undefined) [lo, hi] = [min, Math.max(min, max)];
  else if (min !== undefined) [lo, hi] = lo >= min ? [lo, Math.max(hi, lo)] : [min, Math.max(min, hi, min + 10)];
  else if (max !== undefined) [lo, hi] = hi <= max ? [lo, hi] : [Math.min(lo, max), max];
  if (integer) return rng.int(Math.ceil(lo), Math.max(Math.ceil(lo), Math.floor(hi)));
  const v = Math.round((lo + rng.float() * (hi - lo)) * 100) / 100;
  return Math.min(Math.max(v, lo), hi);
}

/** A text value by format, then by what the name means. */
function textValue(name: string, schema: JsonSchema | undefined, rng: Random, index: number, clock: string): string {
  const format = typeof schema?.format === 'string' ? schema.format.toLowerCase() : '';
  if (format === '') return textByName(name, schema)(rng, index, clock, schema);
  switch (format) {
    case 'date-time':
      return dateValue(name, true, rng, clock);
    case 'date':
      // A month given as a date is its first day (`2025-03-01`).
      return /(^|_)month$/.test(name) ? `${dateValue(name, false, rng, clock).slice(0, 7)}-01` : dateValue(name, false, rng, clock);
    case 'time':
      return textByName('time')(rng, index, clock, schema);
    case 'email':
    case 'idn-email':
      return pick('email', rng);
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
      return pick(/(image|photo|avatar|logo|thumbnail|icon)/.test(name) ? 'imageUrl' : 'url', rng);
    case 'hostname':
    case 'idn-hostname':
      return pick('domain', rng);
    case 'uuid':
      return uuid(rng);
    case 'ipv4':
      return pick('ipv4', rng);
    case 'ipv6':
      return pick('ipv6', rng);
    case 'byte':
      return Buffer.from(`${pick('noun', rng)} ${pick('noun', rng)}`).toString('base64');
    case 'binary':
      return pick('fileName', rng);
    case 'password':
      return pick('password', rng);
    case 'int32':
    case 'int64':
      return String(rng.int(1, 100000));
    case 'float':
    case 'double':
    case 'decimal':
      return (rng.int(100, 999999) / 100).toFixed(2);
  }
  return textByName(name, schema)(rng, index, clock, schema);
}

const textMakers = new Map<string, TextMaker>();
const MAKERS: Makers = { date: dateValue, number: numberValue, entityName: (entity, rng) => entityName(entity, rng) };

/** How to make a text for a field (text-kinds.ts), decided once per name, description and example. */
function textByName(name: string, schema?: JsonSchema): TextMaker {
  const description = typeof schema?.description === 'string' ? schema.description : '';
  const example = examples(schema).find((v): v is string => typeof v === 'string');
  const key = `${name}\u0000${description}\u0000${example ?? ''}`;
  let make = textMakers.get(key);
  if (!make) {
    make = decideText(name, description, example, MAKERS);
    textMakers.set(key, make);
  }
  return make;
}

const snakeNames = new Map<string, string>();
/** snake_case of a name, remembered (the same field names come back for every row). */
function snakeOf(name: string): string {
  let out = snakeNames.get(name);
  if (out === undefined) {
    out = splitWords(name).join('_');
    snakeNames.set(name, out);
  }
  return out;
}

/** Cut or pad a string to the schema's length bounds. */
function fitLength(s: string, schema: JsonSchema | undefined): string {
  const max = num(schema, 'maxLength');
  const min = num(schema, 'minLength');
  let out = max !== undefined ? s.slice(0, max).trimEnd() || s.slice(0, max) : s;
  if (min !== undefined && out.length < min) out = out.padEnd(min, 'x');
  return out;
}

/** When the schema has a pattern the value misses, a value the pattern describes. */
function fitPattern(value: string, schema: JsonSchema | undefined, rng: Random): string {
  if (typeof schema?.pattern !== 'string' || safeTest(schema.pattern, value)) return value;
  return fromPattern(schema.pattern, rng) ?? value;
}

/** Whether a value has the type a schema declares (enough to trust a spec's example). */
function fitsType(schema: JsonSchema, value: unknown): boolean {
  const type = schemaType(schema);
  if (value === null || value === undefined) return false;
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && (typeof schema.pattern !== 'string' || safeTest(schema.pattern, value)) && (num(schema, 'maxLength') === undefined || value.length <= num(schema, 'maxLength')!);
    // A structured example must satisfy the whole schema: a rating given as 4 where the schema says text is not used.
    case 'array':
      return Array.isArray(value) && schemaValidator(schema)?.(value) !== false;
    case 'object':
      return isObject(value) && schemaValidator(schema)?.(value) !== false;
    default:
      return typeof value !== 'object';
  }
}

/** The spec's own examples of a value that agree with its schema (an example that contradicts it is not used). */
function examples(schema: JsonSchema | undefined): unknown[] {
  if (!schema) return [];
  const given = [...(Array.isArray(schema.examples) ? schema.examples : []), ...('example' in schema ? [schema.example] : [])];
  return given.filter((v) => fitsType(schema, v));
}

/**
 * Whether a schema's own type contradicts what its parts say (`type: array` with only object
 * choices, `type: object` with a string member in allOf): then no value satisfies it.
 */
function contradictory(schema: unknown): boolean {
  if (!isObject(schema) || typeof schema.type !== 'string') return false;
  const typeOfPart = (part: unknown) => (isObject(part) && typeof part.type === 'string' ? part.type : undefined);
  const differs = (t: string | undefined) => t !== undefined && t !== schema.type && !(t === 'integer' && schema.type === 'number');
  const choices = [schema.anyOf, schema.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (choices && choices.length > 0 && choices.every((c) => differs(typeOfPart(c)))) return true;
  return Array.isArray(schema.allOf) && schema.allOf.some((m) => differs(typeOfPart(m)));
}

/** A value of a JSON Schema (for parameters and JSON columns). */
export function schemaValue(name: string, given: unknown, rng: Random, index: number, clock: string, depth = 0): unknown {
  // Corpora hold odd schemas (booleans, strings): anything but an object constrains nothing.
  const schema = isObject(given) ? flatSchema(given) : undefined;
  if (schema && 'const' in schema) return schema.const;
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) {
    const values = schema.enum.filter((v) => v !== null);
    return values.length > 0 ? values[index % values.length] : null;
  }
  const own = examples(schema);
  // The spec's example for the first value, its default for the second; generated ones after.
  if (own.length > 0 && index === 0) return own[0];
  if (schema && 'default' in schema && index === 1 && fitsType(schema, schema.default)) return schema.default;
  // Without a type, the shape says it: the first choice of anyOf/oneOf, allOf merged, properties, items.
  const choices = schema?.type === undefined ? ((schema?.anyOf ?? schema?.oneOf) as unknown[] | undefined) : undefined;
  if (Array.isArray(choices) && choices.length > 0 && !isObject(schema?.properties)) {
    const first = choices.find((c) => isObject(c) && schemaType(c) !== 'null') ?? choices[0];
    return schemaValue(name, first, rng, index, clock, depth + 1);
  }
  const snakeName = snakeOf(name);
  switch (schemaType(schema)) {
    case 'integer':
      return numberValue(snakeName, true, schema, rng);
    case 'number':
      return numberValue(snakeName, false, schema, rng);
    case 'boolean':
      return index % 2 === 0;
    case 'null':
      return null;
    case 'array': {
      // A tuple (draft-4 `items: [...]`, 2020-12 `prefixItems`): one value per position (`[score, key]`).
      const tuple = [schema?.prefixItems, schema?.items].find(Array.isArray) as unknown[] | undefined;
      if (tuple) return depth > 6 ? [] : tuple.map((s, k) => schemaValue(name, s, rng, index + k, clock, depth + 1));
      const items = schema?.items ?? { type: 'string' };
      // Items no value can satisfy (a declared type that none of its choices has) leave the list empty.
      if (depth > 6 || (contradictory(items) && !(num(schema, 'minItems')! > 0))) return [];
      const count = Math.max(num(schema, 'minItems') ?? 1, Math.min(2, num(schema, 'maxItems') ?? 2));
      const single = name.replace(/(ies)$/, 'y').replace(/s$/, '');
      const list = Array.from({ length: count }, (_, k) => schemaValue(single, items, rng, index + k, clock, depth + 1));
      // Items that must differ and came out the same (two empty objects): the repeats go, down to minItems.
      if (schema?.uniqueItems !== true) return list;
      const distinct = list.filter((v, k) => list.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === k);
      return distinct.length >= (num(schema, 'minItems') ?? 0) ? distinct : list;
    }
    case 'object': {
      // Without properties (members cut at a cycle), its required keys still say what it holds.
      const object = objectSchema(schema) ?? schema;
      const props = (object?.properties as Record<string, JsonSchema> | undefined) ?? {};
      // The declared fields (an output shows them); deeper down, the required ones and a few more;
      // deepest, the required ones only. A required field the schema forgot to declare is given too.
      const required = new Set(Array.isArray(object?.required) ? (object.required as string[]).filter((k) => typeof k === 'string') : []);
      let keys = depth > 5 ? [] : Object.keys(props).filter((k, i) => i < (depth < 2 ? 40 : 6) || required.has(k));
      for (const k of required) if (!keys.includes(k)) keys.push(k);
      // At most maxProperties of them (an error's source names one place): the required ones first.
      const most = num(object, 'maxProperties');
      if (most !== undefined && keys.length > most) keys = [...keys.filter((k) => required.has(k)), ...keys.filter((k) => !required.has(k))].slice(0, Math.max(most, required.size));
      return Object.fromEntries(keys.map((k) => [k, schemaValue(k, props[k], rng, index, clock, depth + 1)]));
    }
    default:
      return fitPattern(fitLength(textValue(snakeName, schema, rng, index, clock), schema), schema, rng);
  }
}

/** Whether a schema says itself what its values are (a const, enum, example, format or pattern), before any name does. */
export function ownWord(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const flat = flatSchema(schema) ?? {};
  return 'const' in flat || Array.isArray(flat.enum) || examples(flat).length > 0 || typeof flat.format === 'string' || typeof flat.pattern === 'string';
}

/** A seed value for a column: its schema when one says what it holds, else its name and type. */
export function columnValue(name: string, type: ColumnType, schema: JsonSchema | undefined, rng: Random, index: number, clock: string): unknown {
  if (schema) return schemaValue(name, schema, rng, index, clock);
  const synthetic: Record<ColumnType, JsonSchema> = { text: { type: 'string' }, integer: { type: 'integer' }, real: { type: 'number' }, boolean: { type: 'boolean' }, json: { type: 'object' } };
  return schemaValue(name, synthetic[type], rng, index, clock);
}

/** Words that name a kind of entity whose `name` is a person's, a company's, a product's... */
const ENTITY_NAMES: Array<[RegExp, (entity: string, rng: Random) => string]> = [
  [/(user|customer|client|person|people|member|employee|staff|contact|patient|guest|passenger|driver|author|artist|player|student|teacher|candidate|applicant|agent|owner|lead|speaker|attendee|learner|subscriber|follower|friend|doctor|physician|instructor|host)$/, (_e, rng) => pick('fullName', rng)],
  [/(company|organi[sz]ation|org|account|vendor|supplier|merchant|business|partner|brand|carrier|bank|tenant|team|agency|store|shop)$/, (_e, rng) => pick('company', rng)],
  [/(product|item|variant|sku|article|good|offer|listing|merchandise)$/, (_e, rng) => pick('product', rng)],
  [/(song|track|album|playlist|episode|podcast)$/, (_e, rng) => pick('song', rng)],
  [/(book|title|movie|film|show|series|course|lesson|article|post|story|chapter)$/, (_e, rng) => pick('bookTitle', rng)],
  [/(city|location|place|venue|site|region|area|destination)$/, (_e, rng) => pick('city', rng)],
  [/(hotel|restaurant|office|warehouse|branch|station|airport|property|building|clinic|hospital|school|gym|cafe|bar|museum|park)$/, (e, rng) => `${pick('city', rng)} ${cap(e.split('_').pop()!)}`],
  [/(file|document|attachment|image|photo|report|invoice|receipt)$/, (_e, rng) => pick('fileName', rng)],
  [/(category|tag|label|genre|type|topic|department|group|segment|folder|channel)$/, (_e, rng) => cap(pick('noun', rng))],
  [/(project|board|workspace|campaign|event|meeting|plan|program|initiative|repository|repo|app|application|service|pipeline|list)$/, (_e, rng) => `${cap(pick('adjective', rng))} ${cap(pick('noun', rng))}`],
];

/** A realistic `name` for a row of an entity: a person's for users, a company's for vendors, a product's for items... */
export function entityName(entity: string, rng: Random): string {
  for (const [pattern, make] of ENTITY_NAMES) if (pattern.test(entity)) return make(entity, rng);
  return `${cap(pick('adjective', rng))} ${pick('noun', rng)}`;
}
