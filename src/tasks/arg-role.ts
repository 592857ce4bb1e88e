import type { JsonSchema } from '../spec/json-schema.js';
import { splitWords } from '../util/words.js';

/**
 * What an argument is to the person asking: `credential` (a token, a key, a password: who is
 * calling, told only when asked), `control` (paging, sorting, field selection, response format:
 * how the answer comes back, the agent's to choose), or `content` (what the user wants).
 */
export type ArgRole = 'credential' | 'control' | 'content';

/**
 * Words that run together in identifiers (authtoken, apikey, sessionid, pagesize): split so the
 * rules below see them as the words they are.
 */
const FUSED = /^(api|auth|access|refresh|session|client|app|secret|bearer|oauth|page|per|sort|order|max|min|next|prev|response|output|start|end)(token|key|secret|id|signature|size|page|by|order|dir|direction|results|items|format|index|cursor|number|num|count)$/;
/** The words of a parameter name, fused ones split (authtoken -> auth token). */
export const argWords = (name: string): string[] => splitWords(name.replace(/^\$/, '')).flatMap((w) => FUSED.exec(w)?.slice(1) ?? [w]);

/** A word that makes a name a credential whatever precedes it, and one that does so after a qualifier (api key, access token). */
const SECRET_WORD = /^(password|passwd|passcode|passphrase|secret|credential|credentials|signature|nonce|bearer|oauth|cookie|apikey|authtoken)$/;
const QUALIFIED = /^(token|key|id|signature|hash)$/;
const QUALIFIER = /^(api|auth|access|refresh|session|client|app|application|bearer|oauth|secret|private|developer|consumer|security|csrf|xsrf|id)$/;
/** Said of a credential in a description: what it is for, not what it is about. */
const SECRET_TEXT = /\b(api[ -]?key|access[ -]?token|auth(?:entication|orization)?[ -]?token|bearer token|oauth|client secret|used to authenticate|for authenticat\w*|to authenticate|authentication (?:key|token|credential)|authori[sz]ation (?:key|token|header)|session token|secret key|your (?:api|access|secret) )/i;

/** Names of the ways a list comes back: pages, sizes, order, fields, format. */
const CONTROL_NAME: RegExp[] = [
  /^(page|pages|offset|skip|cursor|limit|top|sort|sorting|orderby|expand|embed|fields|select|projection|include|exclude|pretty|prettyprint|callback|jsonp|envelope|verbose|debug|minified|compact|inlinecount)$/,
  /^(page (size|number|num|no|index|token|cursor|limit|count)|per page|start(ing)? (index|offset|after|cursor)|(next|prev|previous|continuation) (token|cursor|page)|(sort|order) (by|dir|direction|order)|sort (field|key)|(response|output|result|return) (format|fields)|opt fields)$/,
  /^(max|num|number) (of )?(results|items|records|rows|entries|hits)$/,
];
/** Said of a control parameter in a description. */
const CONTROL_TEXT = /\b(paginat\w*|page number|page size|page token|(?:results|items|records|entries) per page|number of (?:results|items|records|entries|rows) (?:to return|per page|returned)|max(?:imum)? number of (?:results|items|records|entries|rows)|(?:response|output|result) format|format of the (?:response|output)|fields? to (?:return|include)|(?:comma[- ]separated )?list of fields|expand(?:s|ed)? (?:related|nested|the)|sort (?:order|direction)|sort(?:ed)? by|order(?:ed)? by|starting (?:index|offset|position)|offset (?:of|into) the|cursor for|continuation token|jsonp)\b/i;
/** Formats an API answers in: an enum of them makes a response-format parameter. */
const FORMATS = /^(json|xml|csv|yaml|html|text|txt|jsonp|atom|rss|pdf|tsv|plain)$/i;

/**
 * The role of a parameter (or a column named after one), from its name, its description and its
 * schema. A `format` asked of a read shapes the answer; asked of a write (export as PDF) it is the point.
 */
export function argRole(name: string, schema?: JsonSchema, read = true): ArgRole {
  const words = argWords(name);
  const spaced = words.join(' ');
  const description = typeof schema?.description === 'string' ? schema.description : '';
  const type = schema?.type;
  const text = type === undefined || type === 'string';
  if (schema?.format === 'password' || schema?.writeOnly === true) return 'credential';
  if (text && (words.some((w) => SECRET_WORD.test(w)) || words.some((w, i) => QUALIFIED.test(w) && i > 0 && QUALIFIER.test(words[i - 1]) && !(w === 'id' && words[i - 1] === 'id')) || spaced === 'token' || spaced === 'key' && SECRET_TEXT.test(description))) return 'credential';
  if (text && SECRET_TEXT.test(description) && !/\b(name|title|label|email)\b/.test(spaced)) return 'credential';
  if (type === 'object') return 'content';
  if (CONTROL_NAME.some((r) => r.test(spaced))) return 'control';
  if (read && /^(format|alt)$/.test(spaced)) return 'control';
  if (read && Array.isArray(schema?.enum) && schema.enum.length > 0 && schema.enum.every((v) => typeof v === 'string' && FORMATS.test(v))) return 'control';
  if (CONTROL_TEXT.test(description) && type !== 'object' && type !== 'array') return 'control';
  return 'content';
}

/**
 * The value the agent would give a control argument it must pass: the schema's default or first
 * option; for a number, the first page or offset, or the largest page size allowed (so that the
 * rows asked about are on it).
 */
export function controlDefault(name: string, schema: JsonSchema | undefined): unknown {
  if (schema?.default !== undefined) return schema.default;
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema?.type !== 'integer' && schema?.type !== 'number') return undefined;
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  if (/^(page|pages|offset|skip|start|starting)\b/.test(argWords(name).join(' ')) && !/size|limit|count/.test(argWords(name).join(' '))) return min ?? (/page/.test(name) ? 1 : 0);
  return typeof schema.maximum === 'number' ? Math.min(schema.maximum, 100) : 100;
}
