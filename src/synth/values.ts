import type { ColumnType } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';
import type { Random } from '../tasks/random.js';
import { safeTest } from './model.js';

/**
 * Plausible values for a column or parameter, chosen by its name, type and JSON Schema
 * (enum, format, bounds, length). Used for seed rows and for arguments without a column.
 */

const FIRST = ['Ada', 'Ben', 'Chloe', 'Diego', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya'];
const LAST = ['Lovelace', 'Okafor', 'Martin', 'Silva', 'Novak', 'Haddad', 'Kim', 'Tanaka', 'Moreau', 'Berg', 'Rossi', 'Patel'];
const CITIES = ['Berlin', 'Lisbon', 'Osaka', 'Toronto', 'Nairobi', 'Austin', 'Lyon', 'Seoul', 'Denver', 'Porto', 'Dublin', 'Melbourne'];
const COUNTRIES = ['DE', 'PT', 'JP', 'CA', 'KE', 'US', 'FR', 'KR', 'IE', 'AU'];
const WORDS = ['amber', 'harbor', 'summit', 'orbit', 'meadow', 'cobalt', 'ember', 'willow', 'quartz', 'delta', 'falcon', 'juniper', 'lumen', 'nova', 'pioneer', 'zephyr'];
const STATUSES = ['active', 'pending', 'open', 'draft'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD'];
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'silver'];
const CATEGORIES = ['general', 'premium', 'standard', 'basic', 'special'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const num = (s: JsonSchema | undefined, key: string): number | undefined => (typeof s?.[key] === 'number' ? (s[key] as number) : undefined);

/** A date `days` before the clock, as YYYY-MM-DD or a full ISO date-time. */
function dayBefore(clock: string, days: number, full: boolean): string {
  const d = new Date(new Date(clock).getTime() - days * 86_400_000 - (full ? 3_600_000 * (days % 9) : 0));
  return full ? d.toISOString().replace('.000Z', 'Z') : d.toISOString().slice(0, 10);
}

function numberValue(name: string, integer: boolean, schema: JsonSchema | undefined, rng: Random): number {
  let [lo, hi] = [1, 100];
  if (/(price|amount|cost|total|fee|balance|salary|budget|income|revenue|payment|value)/.test(name)) [lo, hi] = [10, 2000];
  else if (/(year)/.test(name)) [lo, hi] = [2015, 2025];
  else if (/(^|_)age$/.test(name)) [lo, hi] = [18, 80];
  else if (/month/.test(name)) [lo, hi] = [1, 12];
  else if (/(^|_)(day|date)$/.test(name)) [lo, hi] = [1, 28];
  else if (/hour/.test(name)) [lo, hi] = [0, 23];
  else if (/(minute|second)/.test(name)) [lo, hi] = [0, 59];
  else if (/(rating|stars|score|priority|level)/.test(name)) [lo, hi] = [1, 5];
  else if (/(lat)/.test(name)) [lo, hi] = [-60, 60];
  else if (/(lon|lng)/.test(name)) [lo, hi] = [-150, 150];
  else if (/(percent|rate|probability)/.test(name)) [lo, hi] = [0, 1];
  else if (/(count|quantity|qty|number|num|size|nights|guests|people|seats)/.test(name)) [lo, hi] = [1, 10];
  const min = num(schema, 'minimum') ?? (num(schema, 'exclusiveMinimum') !== undefined ? num(schema, 'exclusiveMinimum')! + 1 : undefined);
  const max = num(schema, 'maximum') ?? (num(schema, 'exclusiveMaximum') !== undefined ? num(schema, 'exclusiveMaximum')! - 1 : undefined);
  if (min !== undefined) [lo, hi] = [min, Math.max(min, max ?? Math.max(hi, min + 10))];
  else if (max !== undefined) [lo, hi] = [Math.min(lo, max), max];
  if (integer) return rng.int(Math.ceil(lo), Math.max(Math.ceil(lo), Math.floor(hi)));
  const v = lo + rng.float() * (hi - lo);
  return hi - lo <= 1 ? Math.round(v * 100) / 100 : Math.round(v * 100) / 100 || 1.5;
}

function textValue(name: string, schema: JsonSchema | undefined, rng: Random, index: number, clock: string): string {
  const format = typeof schema?.format === 'string' ? schema.format : '';
  const first = FIRST[(index + rng.int(0, 3)) % FIRST.length];
  const last = LAST[(index * 7 + rng.int(0, 5)) % LAST.length];
  if (format === 'email' || /email/.test(name)) return `${first.toLowerCase()}.${last.toLowerCase()}${index}@example.com`;
  if (format === 'date-time' || /(_at|datetime|timestamp|_time)$/.test(name)) return dayBefore(clock, rng.int(1, 300), true);
  if (format === 'date' || /(date|day|birthday|since|until)$/.test(name)) return dayBefore(clock, rng.int(1, 300), false);
  if (format === 'time' || /(^|_)time$/.test(name)) return `${String(rng.int(8, 19)).padStart(2, '0')}:${rng.pick(['00', '15', '30', '45'])}:00`;
  if (format === 'uri' || format === 'url' || /(url|link|website|uri)$/.test(name)) return `https://example.com/${rng.pick(WORDS)}/${index}`;
  if (format === 'uuid') return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  if (format === 'ipv4' || /(^|_)ip/.test(name)) return `10.0.${rng.int(0, 9)}.${index + 1}`;
  if (/(first_name|firstname|given_name)/.test(name)) return first;
  if (/(last_name|lastname|surname|family_name)/.test(name)) return last;
  if (/(username|user_name|handle|login)/.test(name)) return `${first.toLowerCase()}${index}`;
  if (/(author|owner|person|customer|recipient|sender|assignee|contact|(^|_)to$|(^|_)from$|user|player|patient|employee|guest|passenger|artist|director|actor)/.test(name)) return `${first} ${last}`;
  if (/(phone|mobile|tel)/.test(name)) return `+1-555-01${String(index).padStart(2, '0')}`;
  if (/(city|location|place|destination|origin|address|venue|region|area|town)/.test(name)) return CITIES[(index + rng.int(0, 2)) % CITIES.length];
  if (/(country)/.test(name)) return COUNTRIES[index % COUNTRIES.length];
  if (/(currency)/.test(name)) return CURRENCIES[index % CURRENCIES.length];
  if (/(language|lang|locale)/.test(name)) return rng.pick(['en', 'de', 'fr', 'es', 'ja']);
  if (/(status|state)$/.test(name)) return STATUSES[index % STATUSES.length];
  if (/(color|colour)/.test(name)) return COLORS[index % COLORS.length];
  if (/(type|category|kind|genre|class|tier|plan)$/.test(name)) return CATEGORIES[index % CATEGORIES.length];
  if (/(zip|postal)/.test(name)) return String(10000 + index * 137);
  if (/(code|sku|symbol|ticker)$/.test(name)) return `${rng.pick(WORDS).slice(0, 3).toUpperCase()}${index + 1}`;
  if (/(description|body|content|message|text|note|comment|summary|bio|details|reason)/.test(name)) return `${cap(rng.pick(WORDS))} ${rng.pick(WORDS)} ${name.replace(/_/g, ' ')} ${index + 1}.`;
  return `${cap(rng.pick(WORDS))} ${name.replace(/_/g, ' ')} ${index + 1}`;
}

/** Cut or pad a string to the schema's length bounds. */
function fitLength(s: string, schema: JsonSchema | undefined): string {
  const max = num(schema, 'maxLength');
  const min = num(schema, 'minLength');
  let out = max !== undefined ? s.slice(0, max) : s;
  if (min !== undefined && out.length < min) out = out.padEnd(min, 'x');
  return out;
}

/** When the schema has a pattern the value misses, the first of a few simple shapes that fits it. */
function fitPattern(value: string, schema: JsonSchema | undefined, index: number): string {
  if (typeof schema?.pattern !== 'string' || safeTest(schema.pattern, value)) return value;
  const n = String(index + 1);
  const shapes = [n, n.padStart(4, '0'), `${1000000 + index}`, `a${n}`, `A${n}`, value.replace(/[^A-Za-z0-9]/g, ''), value.toLowerCase().replace(/[^a-z0-9]+/g, '-'), 'abc', 'ABC', `${n}.0`];
  return shapes.find((v) => safeTest(schema.pattern as string, v)) ?? value;
}

/** A value of a JSON Schema type (for parameters and JSON columns). */
export function schemaValue(name: string, given: unknown, rng: Random, index: number, clock: string): unknown {
  // Corpora hold odd schemas (booleans, strings): anything but an object constrains nothing.
  const schema = typeof given === 'object' && given !== null && !Array.isArray(given) ? (given as JsonSchema) : undefined;
  if (schema && 'const' in schema) return schema.const;
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[index % schema.enum.length];
  // Without a type, the shape says it: the first choice of anyOf/oneOf (then allOf's first part), properties, items.
  const choices = schema?.type === undefined ? ((schema?.anyOf ?? schema?.oneOf ?? schema?.allOf) as unknown[] | undefined) : undefined;
  if (Array.isArray(choices) && choices.length > 0) return schemaValue(name, choices[0], rng, index, clock);
  const t = Array.isArray(schema?.type)
    ? (schema.type as string[]).find((x) => x !== 'null')
    : (schema?.type ?? (schema?.properties ? 'object' : schema?.items ? 'array' : undefined));
  switch (t) {
    case 'integer':
      return numberValue(name, true, schema, rng);
    case 'number':
      return numberValue(name, false, schema, rng);
    case 'boolean':
      return index % 2 === 0;
    case 'array': {
      const items = schema?.items ?? { type: 'string' };
      const count = Math.max(num(schema, 'minItems') ?? 1, Math.min(2, num(schema, 'maxItems') ?? 2));
      return Array.from({ length: count }, (_, k) => schemaValue(name.replace(/s$/, ''), items, rng, index + k, clock));
    }
    case 'object': {
      const props = (schema?.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = Array.isArray(schema?.required) ? (schema.required as string[]) : Object.keys(props).slice(0, 3);
      return Object.fromEntries(required.map((k) => [k, schemaValue(k, props[k], rng, index, clock)]));
    }
    default:
      return fitPattern(fitLength(textValue(name.toLowerCase(), schema, rng, index, clock), schema), schema, index);
  }
}

/** A seed value for a column: its parameter schema when one fills it, else its name and type. */
export function columnValue(name: string, type: ColumnType, schema: JsonSchema | undefined, rng: Random, index: number, clock: string): unknown {
  if (schema) return schemaValue(name, schema, rng, index, clock);
  const synthetic: Record<ColumnType, JsonSchema> = { text: { type: 'string' }, integer: { type: 'integer' }, real: { type: 'number' }, boolean: { type: 'boolean' }, json: { type: 'object' } };
  return schemaValue(name, synthetic[type], rng, index, clock);
}
