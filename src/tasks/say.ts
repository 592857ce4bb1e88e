import { splitWords } from '../util/words.js';

/** Short names in parameter and column names, as a person says them. */
const SPELLED: Record<string, string> = {
  lat: 'latitude', lng: 'longitude', lon: 'longitude', qty: 'quantity', num: 'number', no: 'number', desc: 'description', addr: 'address',
  dob: 'date of birth', tz: 'time zone', msg: 'message', amt: 'amount', pct: 'percent', org: 'organization', dept: 'department', info: 'information',
  url: 'link', uri: 'link', dt: 'date', ts: 'time', cnt: 'count', img: 'image', pic: 'picture', pwd: 'password', usr: 'user', tel: 'phone',
  mins: 'minutes', min: 'minimum', max: 'maximum', sec: 'seconds', secs: 'seconds', hrs: 'hours', approx: 'approximate', ext: 'extension', ref: 'reference',
  config: 'configuration', repo: 'repository', dir: 'folder', str: 'text', cc: 'copy', bcc: 'blind copy', fname: 'first name', lname: 'last name',
};

/**
 * A field or parameter name in words: `due_date` -> "due date", `customerId` -> "customer",
 * `is_active` -> "active", `estimate_hours` -> "estimate hours". Ids are spoken of as the thing.
 */
const MOMENTS: Record<string, string> = { created: 'creation date', updated: 'date of the last update', modified: 'last change', completed: 'completion date', deleted: 'deletion date', started: 'start time', ended: 'end time', closed: 'closing date', resolved: 'resolution date', published: 'publication date', joined: 'date they joined' };

const spokenNames = new Map<string, string>();

export function fieldWords(name: string): string {
  let said = spokenNames.get(name);
  if (said === undefined) spokenNames.set(name, (said = spell(name)));
  return said;
}

const TRAILING = /^(of|with|for|to|from|by|in|on|into|per)$/;

function spell(name: string): string {
  let words = splitWords(name)
    .flatMap((w) => w.replace(/([a-z])(\d)/g, '$1 $2').split(' '))
    .map((w) => SPELLED[w] ?? w);
  // created_at, updatedAt: the moment something happened.
  if (words.length === 2 && words[1] === 'at') return MOMENTS[words[0]] ?? `${words[0]} date`;
  if (words.length > 1 && /^(is|has|can|should|include|includes|with)$/.test(words[0])) words = words.slice(1);
  if (words.length > 1 && /^(id|ids|uuid|key)$/.test(words[words.length - 1])) words = words.slice(0, -1);
  // type_of, associated_with: the preposition would run into the one the sentence puts after it ("the type of of the order").
  while (words.length > 1 && TRAILING.test(words[words.length - 1])) words = words.slice(0, -1);
  return words.join(' ') || name;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONEY = /(amount|price|cost|total|fee|balance|salary|budget|payment|refund|charge|subtotal|tax|tip|fare|rent|deposit|spend|revenue)/i;
const SYMBOL: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

/** "2026-05-08" -> "May 8, 2026"; a date-time also says the time (UTC, as the clock is). */
export function sayDate(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!m) return undefined;
  const month = MONTHS[Number(m[2]) - 1];
  if (!month || Number(m[3]) < 1 || Number(m[3]) > 31) return undefined;
  const day = `${month} ${Number(m[3])}, ${m[1]}`;
  if (m[4] === undefined) return day;
  const h = Number(m[4]);
  if (h === 0 && m[5] === '00') return day;
  const time = `${h % 12 === 0 ? 12 : h % 12}:${m[5]} ${h < 12 ? 'AM' : 'PM'}`;
  return `${day} at ${time}${m[6] === 'Z' ? ' UTC' : ''}`;
}

/** A list as a person reads it out: "a, b and c". */
export function listOf(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Text that reads as a name or a sentence is quoted; single words, codes and numbers are not. */
const quoted = (text: string) => (/\s/.test(text.trim()) && !/^\S+@\S+$/.test(text) ? `"${text}"` : text);

/**
 * A value as a person would say it: dates in words, amounts with their currency, enum-like
 * tokens (in_review) as words, lists read out, names and sentences in quotes.
 */
export function sayValue(field: string, value: unknown, currency?: string): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (MONEY.test(field) && currency) return SYMBOL[currency.toUpperCase()] ? `${SYMBOL[currency.toUpperCase()]}${value.toFixed(2)}` : `${value.toFixed(2)} ${currency.toUpperCase()}`;
    return String(value);
  }
  if (Array.isArray(value)) return listOf(value.map((v) => sayValue(field, v, currency)));
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && v !== '');
    return listOf(parts.map(([k, v]) => `${fieldWords(k)} ${sayValue(k, v, currency)}`));
  }
  const text = String(value);
  if (text.trim() === '') return 'empty';
  const date = sayDate(text);
  if (date) return date;
  if (/^[a-z]+(?:_[a-z]+)+$/.test(text)) return text.replace(/_/g, ' ');
  return quoted(text);
}

/** Parts of a postal address, in the order they are written. */
const ADDRESS_PARTS = ['address', 'address 1', 'address line 1', 'street', 'line 1', 'address 2', 'address line 2', 'line 2', 'city', 'state', 'province', 'region', 'zip', 'zip code', 'postal code', 'postcode', 'country'];

/** Whether a field is part of a postal address (address1, city, zip...). */
export const isAddressPart = (field: string): boolean => ADDRESS_PARTS.includes(fieldWords(field));

/** Address fields said as one address: "155 Station Square, Suite 408, Seoul, CA 94105, USA". */
export function sayAddress(parts: Array<{ field: string; value: unknown }>): string {
  const order = (f: string) => ADDRESS_PARTS.indexOf(fieldWords(f));
  return parts
    .filter((p) => typeof p.value === 'string' || typeof p.value === 'number')
    .sort((a, b) => order(a.field) - order(b.field))
    .map((p) => String(p.value))
    .join(', ');
}

/** A name for a row as it would be said: a string, or the parts of a name object ({first_name, last_name}). */
export function nameText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const parts = Object.values(value as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    return parts.length > 0 && parts.length <= 3 ? parts.join(' ') : undefined;
  }
  return undefined;
}
