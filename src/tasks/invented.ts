import { FIRST_NAMES, LAST_NAMES } from './phrasebook.js';
import type { Random } from './random.js';
import { argRole } from './arg-role.js';
import { isCodeField, isTitleField } from './value-kind.js';

/** Short texts a person would type into a form, by what the field is for. */
const MESSAGES = [
  'Thanks, this looks good to me.',
  'Can we go over this on Thursday?',
  'I have added the latest figures.',
  'Please check the attached notes before the meeting.',
  'Running a little late today, will update by noon.',
  'Done on my side, over to you.',
  'The client approved the new version.',
  'Could you take a look when you have a minute?',
  'Following up on our call this morning.',
  'All good, no changes needed.',
];
const DESCRIPTIONS = [
  'Collect the open questions from the last review and agree on next steps.',
  'Prepare the figures for the quarterly report.',
  'Update the onboarding guide with the new steps.',
  'Check the numbers against last month and flag anything unusual.',
  'Draft a first version and share it with the team.',
];
const REASONS = ['No longer needed', 'Ordered by mistake', 'Found a better option', 'Plans changed', 'Duplicate request'];
const ADJECTIVES = ['Quarterly', 'Weekly', 'Spring', 'Customer', 'Team', 'Budget', 'Launch', 'Onboarding', 'Design', 'Security', 'Marketing', 'Annual', 'Client', 'Product', 'Hiring'];
const NOUNS = ['review', 'plan', 'update', 'checklist', 'kickoff', 'report', 'workshop', 'notes', 'roadmap', 'retrospective', 'summary', 'proposal', 'brief', 'schedule', 'survey'];
/** Options a field of types, modes or levels commonly has, when the domain holds none to reuse. */
const OPTIONS = ['standard', 'basic', 'custom', 'default', 'general', 'internal', 'external', 'primary'];
const CITIES = ['Lisbon', 'Denver', 'Osaka', 'Toronto', 'Nairobi', 'Berlin', 'Austin', 'Melbourne', 'Lyon', 'Seoul'];
const STREETS = ['Maple Street', 'Harbor Road', 'Elm Avenue', 'Station Square', 'Park Lane', 'Mill Road'];

/**
 * A plausible value for a free-text parameter, from its name: a message, a title, a person's name,
 * an email, a city. `unique` values (new keys) carry a number so that they never collide.
 */
export function inventText(param: string, rng: Random, n: number, unique: boolean): string {
  const p = param.toLowerCase();
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const ascii = (s: string) => s.normalize('NFD').replace(/[^a-zA-Z]/g, '').toLowerCase();
  if (/password|passcode|secret/.test(p)) return `${ascii(rng.pick(NOUNS))}-${ascii(first)}-${rng.int(10, 99)}`;
  if (/e_?mail/.test(p)) return `${ascii(first)}.${ascii(last)}${unique ? n : ''}@example.com`;
  if (/phone|mobile|tel/.test(p)) return `+1 555 01${String(10 + (n % 90))}`;
  if (/(first|given)_?name/.test(p)) return first;
  if (/(last|family|sur)_?name/.test(p)) return last;
  if (/(full_?name|person|author|contact|recipient|receiver|assignee|owner)/.test(p)) return `${first} ${last}`;
  if (/user_?name|login|handle/.test(p)) return `${ascii(first)}${ascii(last)[0]}${n}`;
  if (/message|body|text|content|comment|reply|note|feedback|caption/.test(p)) return rng.pick(MESSAGES);
  if (/description|details|summary|instructions/.test(p)) return rng.pick(DESCRIPTIONS);
  if (/reason|cause/.test(p)) return rng.pick(REASONS);
  if (/city|town/.test(p)) return rng.pick(CITIES);
  if (/country/.test(p)) return rng.pick(['USA', 'Canada', 'Germany', 'Japan', 'Kenya', 'Portugal']);
  if (/state|province|region/.test(p)) return rng.pick(['CA', 'NY', 'TX', 'WA', 'IL', 'FL']);
  if (/zip|postal|postcode/.test(p)) return String(rng.int(10000, 99999));
  if (/(address|line)_?2/.test(p)) return `Suite ${rng.int(100, 999)}`;
  if (/address|street/.test(p)) return `${rng.int(2, 180)} ${rng.pick(STREETS)}`;
  if (/(^|_)(id|key|code|ref|reference|number|no)$/.test(p) || /[a-z]Id$/.test(param)) return `${ascii(rng.pick(NOUNS)).slice(0, 3).toUpperCase()}-${1000 + n}`;
  if (/url|link|website|href/.test(p)) return `https://example.com/${ascii(rng.pick(NOUNS))}/${n}`;
  // A token, a type or a code is not a title: it has their shape, whatever the field is.
  if (argRole(param) === 'credential') return `${ascii(rng.pick(NOUNS)).slice(0, 3)}_${rng.int(0x10000000, 0x7fffffff).toString(16)}${rng.int(0x1000, 0xffff).toString(16)}`;
  if (/currency/.test(p)) return rng.pick(['USD', 'EUR', 'GBP', 'CAD']);
  if (/locale|language|lang$/.test(p)) return rng.pick(['en', 'en-US', 'fr', 'de', 'es']);
  if (/timezone|time_?zone/.test(p)) return rng.pick(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo']);
  if (/colou?r/.test(p)) return rng.pick(['blue', 'green', 'red', 'orange', 'purple']);
  if (isCodeField(param)) return unique ? `${ascii(rng.pick(NOUNS)).slice(0, 3)}-${1000 + n}` : rng.pick(OPTIONS);
  const title = `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
  if (!isTitleField(param) && /tag|keyword|query|search|term|filter/.test(p)) return title.toLowerCase();
  return unique ? `${title} ${n}` : title;
}
