import type { JsonSchema } from '../spec/json-schema.js';
import type { Random } from '../tasks/random.js';
import { pick, type PoolKind } from './pools.js';

/**
 * What a text field holds, decided once per field from its name (snake case), its description and
 * its example: a date, a token, an id, a country code, a month, a person, an enum-like word...
 * and how to make one. Title-like phrases only for names and titles; a field nothing identifies
 * gets a plain lowercase word, never a made-up phrase. Part of pass 4 (values.ts).
 */

export type TextMaker = (rng: Random, index: number, clock: string, schema: JsonSchema | undefined) => string;
/** How the caller makes dates and numbers (values.ts), so kinds and values share one clock and one set of ranges. */
export interface Makers {
  date: (name: string, full: boolean, rng: Random, clock: string) => string;
  number: (name: string, integer: boolean, schema: JsonSchema | undefined, rng: Random) => number;
  /** A person's, company's, product's... name for a row of an entity. */
  entityName: (entity: string, rng: Random) => string;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const ALNUM = LOWER + DIGITS;
const chars = (rng: Random, alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[rng.int(0, alphabet.length - 1)]).join('');

/** A code in an API's usual style: letters and digits (`KX-4821`). */
export function code(rng: Random): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  return `${letters[rng.int(0, 23)]}${letters[rng.int(0, 23)]}-${rng.int(1000, 9999)}`;
}

export function uuid(rng: Random): string {
  return `${chars(rng, HEX, 8)}-${chars(rng, HEX, 4)}-4${chars(rng, HEX, 3)}-${'89ab'[rng.int(0, 3)]}${chars(rng, HEX, 3)}-${chars(rng, HEX, 12)}`;
}

const time = (rng: Random) => `${String(rng.int(8, 19)).padStart(2, '0')}:${rng.pick(['00', '15', '30', '45'])}:00`;

/** What a text's name (snake case) says it holds, as the pool to draw from. */
const POOL_NAMES: Array<[RegExp, PoolKind]> = [
  [/(user_?agent|browser)$/, 'userAgent'],
  [/(first_?name|given_?name|forename)$/, 'firstName'],
  [/(last_?name|surname|family_?name)$/, 'lastName'],
  [/(user_?name|handle|login|screen_?name|nickname|short_?name|myspace_name|groupname)$/, 'username'],
  [/e_?mail(_address)?$/, 'email'],
  [/(phone|mobile|tel|fax|msisdn)(_number)?$/, 'phone'],
  [/(^|_)(ip|ip_?address|ipv4)$/, 'ipv4'],
  [/ipv6$/, 'ipv6'],
  [/(address_?2|address_?line_?2|line_?2|suite|apartment|unit_number)$/, 'secondary'],
  [/(street|address|address_?1|address_?line_?1|line_?1|line)$/, 'street'],
  [/(city|town|locality|municipality|location|area|travel_(to|from)|origin_city|destination_city)$/, 'city'],
  [/county$/, 'county'],
  [/(state_?code|province_?code|region_?code|state|province|region)$/, 'stateCode'],
  [/(country_?code|country_?iso|iso_?country|country_?abbr\w*|nationality|market)$/, 'countryCode'],
  [/country$/, 'country'],
  [/(zip|postal|post_?code|postcode)(_code)?$/, 'zip'],
  [/(company|organi[sz]ation|org|employer|business|merchant|vendor|supplier|brand|manufacturer|publisher|carrier)(_name)?$/, 'company'],
  [/(product|item|article)(_name)?$/, 'product'],
  [/(department|division)$/, 'department'],
  [/(job|job_?title|position|occupation|role_?title)$/, 'jobTitle'],
  [/(author|owner|customer|recipient|sender|assignee|reporter|contact|patient|employee|guest|passenger|driver|artist|director|actor|person|full_?name|display_?name|user|member|attendee|speaker|buyer|seller|agent|manager|creator|requester|payee|payer|staff|reviewer|approver|from_name|to_name|sender_name|recipient_name|signer|_by)(_name)?$/, 'fullName'],
  [/(image|photo|picture|avatar|logo|thumbnail|icon|banner|cover)(_?url|_?uri|_?src)?$/, 'imageUrl'],
  [/(url|uri|link|website|homepage|href|web_?page|endpoint|callback)$/, 'url'],
  [/(domain|host_?name|hostname|(^|_)host)$/, 'domain'],
  [/(^|_)mac(_address)?$/, 'mac'],
  [/(colou?r)$/, 'color'],
  [/(currency|currency_?code)$/, 'currency'],
  [/(time_?zone|tz|timezone_?(id|iana|name))$/, 'timeZone'],
  [/(locale)$/, 'locale'],
  [/(language|lang)(_code)?$/, 'language'],
  [/(file_?name|filename|attachment|file|file_\d)$/, 'fileName'],
  [/(path|file_?path|directory|folder)$/, 'filePath'],
  [/(mime|mime_?type|content_?type|media_?type)$/, 'mimeType'],
  [/iban$/, 'iban'],
  [/(account_?number|account_?no|routing_?number)$/, 'accountNumber'],
  [/(password|passphrase)$/, 'password'],
  [/(airport|airport_?code|iata|origin|destination)$/, 'airport'],
  [/airline$/, 'airline'],
  [/(vehicle|car|model)$/, 'vehicle'],
  [/(version|semver|release)$/, 'semver'],
  [/genre$/, 'genre'],
  [/cuisine$/, 'cuisine'],
  [/(song|track)(_?name|_?title)?$/, 'song'],
  [/(book|book_?title)$/, 'bookTitle'],
  [/(title|headline|subject|caption|label|heading)$/, 'catchPhrase'],
  [/(description|summary|about|bio|overview|details|notes?|remarks?|reason|purpose|instructions?|memo|comments?|variations|ingredients\w*)$/, 'sentence'],
  [/(body|content|message|text|reply|feedback|review|question|answer|excerpt|snippet)$/, 'phrase'],
  [/(category|categories|segment|section|tag|tags|keyword|topic|collection|industry)$/, 'word'],
];

/** Enum-like fields and the short words such an API uses for them; a field's own listed values come first. */
const ENUM_WORDS: Array<[RegExp, string[]]> = [
  [/(^|_)status$/, ['active', 'pending', 'completed', 'open', 'closed', 'cancelled']],
  [/(visibility|sharing|privacy|embeddable_by|access|audience)$/, ['public', 'private', 'unlisted', 'internal']],
  [/(^|_)(level|priority|severity|importance)$/, ['low', 'medium', 'high', 'critical']],
  [/(frequency|interval|period|recurrence|cadence|billing_cycle)$/, ['daily', 'weekly', 'monthly', 'yearly']],
  [/(^|_)(direction)$/, ['inbound', 'outbound']],
  [/payment_method(_type)?$/, ['card', 'bank_transfer', 'paypal', 'cash', 'gift_card']],
  [/(platform|os|os_family|operating_system|device_type)$/, ['ios', 'android', 'web', 'windows', 'macos', 'linux']],
  [/(^|_)(role|permission|permissions|scope|scopes|access_level)$/, ['admin', 'member', 'viewer', 'editor', 'owner']],
  [/(^|_)unit(_name)?$/, ['hour', 'day', 'item', 'kg', 'km', 'unit']],
  [/precision$/, ['day', 'month', 'year']],
  [/license$/, ['cc-by', 'cc-by-sa', 'cc-by-nc', 'all-rights-reserved', 'mit', 'apache-2.0']],
  [/(^|_)error(_name|_code|_type)?$/, ['invalid_request', 'not_found', 'unauthorized', 'rate_limited', 'conflict']],
  [/(presence|availability)$/, ['active', 'away', 'busy', 'offline']],
  [/(^|_)(type_of|kind_of|type|kind|mode|class|tier|plan|subtype|variant|service|source|medium|channel|parse|result|action|event|view|sort|filter|pattern|template|strategy|method|format|style|flag|option|setting|types?)$/, ['standard', 'basic', 'premium', 'custom', 'default', 'full', 'none', 'manual', 'automatic', 'external', 'internal']],
];

/** Names of yes/no fields that an API sends as text. */
const FLAG = /^(is|has|can|should|allow|allows|enable|enabled|use|show|include)_|_(enabled|disabled|sent|required|visible|flag|again|allowed|confirmed|verified_flag)$|(^|_)managed_by_\w+$/;
/** Names of counts and amounts that an API sends as text. */
const COUNT = /(count|quantity|qty|points|number_of_\w+|percentage|percent|amount|total|score|size|duration|length|limit|weight|height|width|rate|price|cost)$/;
/** Names of ids: a token of letters and digits, digits when the description says the id is a number. */
const ID = /(^|_)(ids?|uid|oid|guid|pid|vmid|[a-z]+id|id_or_\w+|\w+_id_or_key|identifier|messageid|message_id)$/;
/** Names of secrets and opaque strings the API hands out. */
const TOKEN = /(token|authtoken|auth|secret|signature|nonce|session|session_key|cursor|api_?key|apikey|access_key|client_key|next|next_page|pagination_token)$/;
const HASH = /(hash|checksum|etag|digest|sha\d*|md5|fingerprint)$/;
/** Date and time fields that do not end like one (`date_to`, `updated_min`, `last_modified`, `date_stamp`). */
const DATE_WORD = /(^|_)(date|datetime|timestamp|time|modified|updated|created|deleted|completed|published|released|expires?|started|ended|stamp)(_|$)/;
const NOT_DATE = /(zone|zones|format|unit|precision|frame|period|range|window|slot|type|name|id|ids|count|limit|sent|zone_id|_by)$/;
const DESCRIBED_DATE_TIME = /\b(timestamp|rfc ?3339|iso ?8601|date[- ]?time|unix time|epoch)\b/i;
const DESCRIBED_DATE = /\b(date|yyyy-mm-dd|datum)\b/i;

/** Enum values a description lists: `Valid values are "a", "b"`, `one of: a, b`, `(public/private)`, `d = day, n = night`, `The object type: "track"`, `e.g. "x"`. */
export function listedValues(description: string, name = ''): string[] {
  const out = new Set<string>();
  const cue = /(possible|valid|allowed|accepted|supported|available|permitted)\s+(values|types|options|statuses)|one of|can be|either|object type|defaults? (to|is)|options? (are|is)|values? (are|is)|e\.g\.|for example|such as|i\.e\./i;
  if (cue.test(description)) for (const m of description.matchAll(/["'`“‘]([A-Za-z][A-Za-z0-9_.:/-]{0,31})["'`”’]/g)) out.add(m[1]);
  for (const m of description.matchAll(/\(([a-z][a-z0-9_-]*(?:\s*\/\s*[a-z][a-z0-9_-]*)+)\)/gi)) for (const v of m[1].split('/')) out.add(v.trim());
  const pairs = [...description.matchAll(/(?:^|[\s,(])([a-z0-9_]{1,12})\s*=\s*[A-Za-z]/g)].map((m) => m[1]);
  if (pairs.length >= 2) pairs.forEach((v) => out.add(v));
  // A quoted word that is the field's own name (`'created_by'`) is no value of it.
  return [...out].filter((v) => v !== name && v !== 'id' && !/^(https?|e\.g|i\.e)/i.test(v)).slice(0, 12);
}

/** An example a description gives in quotes (`e.g., "2025-11-14 03:40:00 EST"`), for the values' shape. */
export function describedExample(description: string): string | undefined {
  return /(?:e\.g\.,?|for example,?|example:|such as)\s*["'`“]([^"'`”]{1,60})["'`”]/i.exec(description)?.[1];
}

/** Whether a name reads as the name of a thing rather than what it is (`payee_name` is a person, `account_name` a company). */
function entityOfName(name: string): string | undefined {
  const m = /^(.+)_name$/.exec(name);
  return m ? m[1] : undefined;
}

/** A value in the shape of the spec's example: its digit runs as a date's parts or fresh digits, letters drawn again in their case, a letter prefix and separators kept. */
function shapedLike(example: string, name: string, makers: Makers): TextMaker | undefined {
  if (/\s/.test(example) && !/^\d{4}-\d{2}-\d{2}[ T]\d/.test(example)) return undefined;
  if (example.includes('://') || example.includes('@') || example.length > 80) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(example)) {
    return (rng, _i, clock) => {
      const parts = makers.date(name, true, rng, clock).match(/\d+/g)!; // YYYY MM DD HH mm ss
      let k = 0;
      return example.replace(/\d+/g, (run) => {
        const part = parts[k++];
        return part !== undefined && part.length === run.length ? part : chars(rng, DIGITS, run.length);
      });
    };
  }
  // Only strings with digits or long mixed-case tokens: a plain word (`track`) is an enum value, kept as the example.
  if (!/\d/.test(example) && !(example.length >= 12 && /[A-Z]/.test(example) && /[a-z]/.test(example))) return undefined;
  const prefix = /^[A-Za-z]{1,8}[-_:]/.exec(example)?.[0] ?? '';
  return (rng) =>
    prefix +
    [...example.slice(prefix.length)]
      .map((c) => (/[0-9]/.test(c) ? DIGITS[rng.int(0, 9)] : /[a-z]/.test(c) ? LOWER[rng.int(0, 25)] : /[A-Z]/.test(c) ? LOWER[rng.int(0, 25)].toUpperCase() : c))
      .join('');
}

/** How to make a text for a field, from its snake-case name, description and example (see `textKind`). */
export function decideText(name: string, description: string, example: string | undefined, makers: Makers): TextMaker {
  const described = (re: RegExp) => re.test(description);
  const inner = decideOne(name, description, example, makers);
  // A comma-separated list (`channel_ids`, "Comma separated values of..."): two of them.
  if (described(/comma[- ]?separated|comma-delimited|separated by commas/i) || /_(ids|keys|list)$|^(ids|keys)$/.test(name)) {
    return (rng, i, clock, schema) => `${inner(rng, i, clock, schema)},${inner(rng, i + 1, clock, schema)}`;
  }
  return inner;
}

function decideOne(name: string, description: string, example: string | undefined, makers: Makers): TextMaker {
  const described = (re: RegExp) => re.test(description);
  const fromPool = (kind: PoolKind): TextMaker => (rng) => pick(kind, rng);
  const digits = Number(/(\d+)[- ]?digit|digits\s*\((\d+)\)/i.exec(description)?.slice(1).find(Boolean) ?? 0);
  // The spec's example says the style (`2017-03-15 13:11`, `cus_9s6XKzkNRiz8i3`).
  const given = example ?? describedExample(description);
  const shaped = given !== undefined ? shapedLike(given, name, makers) : undefined;
  if (shaped) return shaped;
  // Dates and times: by the name's ending, then by a date word in the name or the description.
  if (/(_at|datetime|date_time|timestamp|_time|_ts)$/.test(name)) return (rng, _i, clock) => makers.date(name, true, rng, clock);
  if (/(date|_on|birthday|dob|since|until)$/.test(name)) return (rng, _i, clock) => makers.date(name, false, rng, clock);
  if (/(^|_)time$/.test(name)) return (rng) => time(rng);
  if (DATE_WORD.test(name) && !NOT_DATE.test(name)) {
    const full = !/(^|_)date(_|$)/.test(name) || described(DESCRIBED_DATE_TIME);
    return (rng, _i, clock) => makers.date(name, full, rng, clock);
  }
  if (/(^|_)(min|max|from|to|before|after|since)$/.test(name) && (described(DESCRIBED_DATE_TIME) || described(DESCRIBED_DATE))) {
    return (rng, _i, clock) => makers.date(name, described(DESCRIBED_DATE_TIME), rng, clock);
  }
  // Calendar parts as text: months as the API writes them (`03` when it says two digits), years, days.
  if (/(^|_)month$/.test(name)) return (rng) => (digits === 2 || /exp/.test(name) ? String(rng.int(1, 12)).padStart(2, '0') : String(rng.int(1, 12)));
  if (/(^|_)year$/.test(name)) return (rng) => (digits === 2 ? String(rng.int(26, 31)) : String(/exp/.test(name) ? rng.int(2026, 2031) : rng.int(2015, 2025)));
  if (/(^|_)(day|day_of_month)$/.test(name)) return (rng) => String(rng.int(1, 28));
  if (/(^|_)(hour)$/.test(name)) return (rng) => String(rng.int(0, 23));
  if (/(^|_)(status|state)$/.test(name) || /(^|_)status_(name|before|after|from|to)$/.test(name)) {
    const listed = listedValues(description, name);
    const words = listed.length > 0 ? listed : ENUM_WORDS[0][1];
    if (/(^|_)state$/.test(name) && listed.length === 0 && !/status|stage|step/i.test(description)) return fromPool('stateCode');
    return (_rng, index) => words[index % words.length];
  }
  // Links: before ids and codes (`next_href` is no reference number, a `uri` described as an identifier is still a URI).
  if (/(url|uri|href|link)$/.test(name)) return fromPool(/(image|photo|avatar|logo|thumbnail|icon|picture)/.test(name) ? 'imageUrl' : 'url');
  if (/(^|_)(uuid|guid)$/.test(name) || described(/\buuid\b/i)) return (rng) => uuid(rng);
  if (/(^|_)(lat|latitude|lon|lng|longitude)$/.test(name)) return (rng, _i, _c, schema) => makers.number(name, false, schema, rng).toFixed(4);
  // Codes a standard names: by the description first (`An ISO 3166-1 alpha-2 country code`).
  if (described(/iso[ -]?3166|country code|alpha-2|two-letter country/i) && !/name$/.test(name)) return fromPool('countryCode');
  if (described(/iso[ -]?4217|currency code/i)) return fromPool('currency');
  if (described(/iso[ -]?639|language code|bcp[ -]?47/i)) return fromPool('language');
  if (described(/\biana\b|time ?zone/i) && !DATE_WORD.test(name)) return fromPool('timeZone');
  // Listed values in the description (`Possible values are: "default", "public"`).
  const listed = listedValues(description, name);
  if (listed.length > 0 && !/(name|title|description|text|body|message|comment|url|uri|email)$/.test(name)) return (_rng, index) => listed[index % listed.length];
  // Secrets, hashes, ids: opaque tokens without spaces.
  if (HASH.test(name)) return (rng) => chars(rng, HEX, 40);
  if (TOKEN.test(name) || described(/\b(oauth|access|api|auth|bearer|refresh|sync|page|confirmation) token\b|\bapi key\b/i)) return (rng) => chars(rng, ALNUM + LOWER.toUpperCase(), 32);
  if (/(^|_)(slug)$/.test(name)) return (rng) => `${pick('adjective', rng)}-${pick('noun', rng)}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  if (/(gender|sex)$/.test(name)) return (rng) => rng.pick(['female', 'male', 'non-binary']);
  if (/last_?4(_digits)?$|(^|_)last_?four$/.test(name)) return (rng) => chars(rng, DIGITS, 4);
  if (/(^|_)(phone_)?ext(ension)?$/.test(name)) return (rng) => chars(rng, DIGITS, 3).replace(/^0/, '2');
  if (/(price|amount|cost|total|fee|balance)$/.test(name)) return (rng, _i, _c, schema) => makers.number(name, false, schema, rng).toFixed(2);
  if (/(^|_)(key|keys|\w+_key)$/.test(name) && !/api|secret|access/.test(name)) return (rng) => code(rng);
  if (/(code|sku|symbol|ticker|reference|ref|number|no|isrc)$/.test(name) && !/(phone|account|zip|postal|country|currency|language)/.test(name)) return (rng) => code(rng);
  const numeric = described(/\bnumeric\b|\binteger\b|\bnumber\b/i);
  if (ID.test(name) || (described(/\b(id|ids|identifier|oid)\b/i) && !/(name|title|description|email|url)$/.test(name))) {
    return numeric || digits > 0 ? (rng) => chars(rng, DIGITS, digits || 8).replace(/^0/, '1') : (rng) => chars(rng, ALNUM, 12);
  }
  if (FLAG.test(name)) return (_rng, index) => (index % 2 === 0 ? 'true' : 'false');
  if (digits > 0) return (rng) => chars(rng, DIGITS, digits).replace(/^0/, '1');
  if (COUNT.test(name)) return (rng, _i, _c, schema) => String(makers.number(name, true, schema, rng));
  if (/(^|_)(to|from|cc|bcc|reply_to)$/.test(name)) return /^(to|from|cc|bcc|reply_to)$/.test(name) || described(/mail/i) ? fromPool('email') : fromPool('city');
  if (/html$/.test(name)) return (rng) => `<p>${pick('sentence', rng)}</p>`;
  if (/markdown$/.test(name)) return (rng) => `**${cap(pick('noun', rng))}**: ${pick('sentence', rng)}`;
  const pool = POOL_NAMES.find(([pattern]) => pattern.test(name))?.[1];
  if (pool) return fromPool(pool);
  const enumWords = ENUM_WORDS.find(([pattern]) => pattern.test(name))?.[1];
  if (enumWords) return (rng) => rng.pick(enumWords);
  // `payee_name`, `account_name`: the name of that kind of thing.
  const entity = entityOfName(name);
  if (entity !== undefined || name === 'name') return (rng) => makers.entityName(entity ?? '', rng);
  // A field nothing identifies: a plain lowercase word, as an API's own values mostly are.
  return (rng) => pick('noun', rng).toLowerCase();
}
