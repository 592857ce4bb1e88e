import type { Domain } from '../env/domain.js';
import { argRole, argWords } from './arg-role.js';
import { describedAction, entityOf, oddEntity, PLAIN_VERB } from './intent.js';
import * as book from './phrasebook.js';
import type { Change, Plan, Thing } from './plan.js';
import type { Random } from './random.js';
import { singular, splitWords } from '../util/words.js';
import { Rows } from './rows.js';
import { fieldWords, isAddressPart, listOf, sayAddress, sayDate, sayValue } from './say.js';

/** A task's user side, written from its plan. */
export interface WrittenTask {
  /** First person: what the user says they want and why, then (after a blank line) what they know for when they are asked. */
  instructions: string;
  /** Facts by what they are, in the user's words ("my email", "the task title"). */
  known: Record<string, unknown>;
  persona: string;
  communicate: string[];
}

const article = (word: string) => (/^[aeiou]/i.test(word) && !/^(uni|use|eu|one)/i.test(word) ? 'an' : 'a');
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lower = (s: string) => (/^I\b|^I'/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1));
const fill = (template: string, slots: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = slots[k.toLowerCase()] ?? '';
    return k[0] === k[0].toUpperCase() ? capital(v) : v;
  });
/** Verbs that are also what they make: "comment" makes a comment, so the request is to add one. */
const NOUN_VERBS = /^(comment|reply|post|tweet|review|note|message|vote|like|rating|rate|share)$/;
/** What a person signs in with: said when asked, never as what they want. */
const SIGN_IN = /(^|_)(pin|user_?name|login|handle)$/i;
/** A credential as its holder names it: a bare `key` or `token` is their API key or access token. */
const credentialWords = (field: string) => {
  const words = argWords(field).join(' ');
  return ({ key: 'API key', token: 'access token' } as Record<string, string>)[words] ?? words.replace(/\b(api|oauth)\b/g, (w) => w.toUpperCase());
};
const isCredential = (c: { field: string; credential?: boolean }) => c.credential || SIGN_IN.test(c.field) || argRole(c.field) === 'credential';
const PART_OF_NAME = /(^|_)(first|last|given|family|sur)_?name$|^(first|last)name$/i;
const end = (s: string) => (/[.?!]$/.test(s) ? s : `${s}.`);
const MESSAGE_FIELD = /(^|_| )(message|body|text|content|comment|reply|caption|note|notes|feedback|summary)$/i;
/** Columns whose value names a row ("Website Relaunch"), as against describing it (status pending). */
const NAMING = /(name|title|subject|label|headline|summary|email|code|number)$/i;
/** Things left on another thing: a comment on a task, a review on a product. */
const ON_THINGS = /(comment|note|review|reply|reaction|rating|like|vote|annotation|label|tag)$/;
const TO_PARAM = /^(to|recipient|receiver|assignee|assigned|target|invitee|user|member|new_owner|owner|reviewer|approver)/i;

/** Writes one task's instructions from its plan with the phrasebook's grammar. */
export class InstructionWriter {
  private readonly rows: Rows;

  constructor(
    private readonly domain: Domain,
    private readonly rng: Random,
  ) {
    this.rows = new Rows(domain);
  }

  write(plan: Plan): WrittenTask {
    const rng = this.rng;
    const known: Record<string, unknown> = {};
    const self = plan.self;
    const selfName = self?.label && !/@/.test(self.label.value) ? self.label.value : `${rng.pick(book.FIRST_NAMES)} ${rng.pick(book.LAST_NAMES)}`;
    known['my name'] = selfName;
    const persona = `${selfName}. ${rng.pick(book.MANNERS)}`;
    const mine = (t: Thing) => t.self || (!!self && this.rows.references(t.table).some(([col, table, c]) => table === self.table && t.row[col] === self.row[c])) || (!self && this.rows.isDocument(t.table));
    const name = (t: Thing) => this.thing(t, mine(t));

    // The request (or the question) and its reason.
    let body: string;
    const communicate: string[] = [];
    const credentials: string[] = [];
    // Credentials are told when asked, never put in the request itself.
    const secret = plan.changes.filter((c) => isCredential(c) && typeof c.value === 'string');
    for (const c of secret) {
      known[`my ${credentialWords(c.field)}`] = c.value;
      credentials.push(`My ${credentialWords(c.field)} is ${String(c.value)}.`);
    }
    const changes = plan.changes.filter((c) => !secret.includes(c));
    if (plan.intent.kind === 'read' && plan.question) {
      const q = plan.question;
      let asked: string;
      if (q.of && (q.of.label || q.of.given || q.of.self || mine(q.of))) asked = `what the ${fieldWords(q.field)} of ${q.of.self ? 'my account' : name(q.of)} is`;
      else {
        const criteria = this.criteria(changes);
        asked = criteria ? `what the ${fieldWords(q.field)} is${criteria}` : `what the ${fieldWords(q.field)} of the ${entityOf(q.of?.table || plan.intent.entity)} is`;
      }
      if (q.of?.label && !q.of.self) known[`the ${entityOf(q.of.table || plan.intent.entity)} ${fieldWords(q.of.label.column)}`] = q.of.label.value;
      body = this.withReason(fill(rng.pick(book.QUESTIONS), { q: asked }), this.reason('read', {}));
      communicate.push(q.answer);
    } else {
      const { phrase, reason } = this.request({ ...plan, changes }, name, known);
      body = this.withReason(fill(rng.pick(book.REQUESTS), { do: phrase }), reason);
      if (plan.tellNew) {
        body += ` ${fill(rng.pick(book.TELL_NEW), { entity: plan.intent.entity, field: this.idWords(plan.tellNew.field, plan.intent.entity) })}`;
        communicate.push(plan.tellNew.value);
      }
    }
    const greeting = rng.pick(book.GREETINGS);
    const introduce = rng.chance(0.6);
    const intro = introduce ? fill(rng.pick(book.INTRODUCTIONS), { name: selfName }) : '';
    const opening = greeting ? `${greeting}${intro ? `, ${intro.startsWith(selfName) ? intro : lower(intro)}.` : '!'}` : intro ? `${intro}.` : '';
    const first = opening ? `${opening.replace(/^(\w)/, (c) => c.toUpperCase())} ${body}` : body;

    // What the user knows and says when asked: who they are, numbers they hold, rows they name.
    const facts: string[] = [];
    if (!introduce) facts.push(`My name is ${selfName}.`);
    facts.push(...credentials);
    const things = [...new Set([self, plan.target, ...plan.refs.map((r) => r.thing), ...plan.context].filter((t): t is Thing => !!t))];
    const where: string[] = [];
    for (const said of plan.said) {
      const about = said.about;
      const entity = about ? entityOf(about.table) : '';
      const words = said.credential ? credentialWords(said.param) : this.idWords(said.param, entity);
      const value = sayDate(String(said.value)) ?? String(said.value);
      if (!about || about.self || said.credential) {
        const key = about || said.credential ? `my ${words}` : `the ${words}`;
        known[key] = said.value;
        // The parts of their name are said when they say who they are.
        if (about && PART_OF_NAME.test(said.param)) continue;
        facts.push(about ? fill(rng.pick(book.OWN_FACT), { key: words, value }) : `${capital(key)} is ${value}.`);
        continue;
      }
      const key =
        about.label && this.rows.isPeople(about.table)
          ? `${about.label.value}'s ${words}`
          : `${mine(about) ? 'my' : 'the'} ${words === 'number' || words === entity ? `${entity} number` : words.includes(entity.split(' ').pop()!) ? words : `${entity} ${words}`}`;
      known[key] = said.value;
      facts.push(`${capital(key)} is ${value}.`);
    }
    for (const t of things) {
      if (t.label && !t.self) {
        known[`the ${entityOf(t.table)} ${fieldWords(t.label.column)}`] = t.label.value;
        if (plan.context.includes(t) && !first.includes(t.label.value)) where.push(this.rows.isPeople(t.table) ? t.label.value : `the ${entityOf(t.table)} ${this.say(t.label.column, t.label.value)}`);
      }
    }
    if (where.length > 0) facts.push(fill(rng.pick(book.CONTEXT_FACT), { where: listOf(where) }));
    const instructions = facts.length > 0 ? `${first}\n\n${facts.join(' ')}` : first;
    return { instructions, known, persona, communicate };
  }

  /** "my task "Fix the login page"", "the project "Website Relaunch"", "Grace Chen", "order #W1234". */
  private thing(t: Thing, mine: boolean): string {
    const entity = entityOf(t.table);
    if (t.self) return 'my account';
    if (t.label && this.rows.isPeople(t.table)) return t.label.value;
    const det = mine ? 'my' : 'the';
    if (t.label && NAMING.test(t.label.column)) return `${det} ${entity} ${this.say(t.label.column, t.label.value)}`;
    // Told apart by what it holds: "my pending order", "the item with the options color red and size M".
    if (t.label && /(^|_)(status|state)$/i.test(t.label.column)) return `${det} ${sayValue(t.label.column, t.label.value).replace(/^"|"$/g, '')} ${entity}`;
    if (t.label) return `${det} ${entity} with the ${fieldWords(t.label.column)} ${sayValue(t.label.column, t.label.value)}`;
    if (t.given) return `${mine ? 'my ' : ''}${entity} ${String(t.given.value)}`;
    return `${det} ${entity}`;
  }

  private say(field: string, value: string): string {
    const said = sayValue(field, value);
    return said.startsWith('"') || /@/.test(value) || /\s/.test(said) ? said : `"${value}"`;
  }

  /** An identifier column in words: "email address", "number" for a key, "tracking number", "external shipment number". */
  private idWords(column: string, entity: string): string {
    const words = fieldWords(column);
    if (words === 'email' || words === 'mail') return 'email address';
    if (words === entity || /^(id|uuid|key)$/.test(words) || words === fieldWords(entity)) return 'number';
    return /(^|_)(id|uuid|key)$|[a-z](Id|Uuid|Key)$/.test(column) ? `${words} number` : words;
  }

  /** " for latitude 3.94 and longitude -108.41": the criteria a read was asked with. */
  private criteria(changes: Change[]): string {
    const shown = changes.filter((c) => c.value !== undefined && typeof c.value !== 'boolean').slice(0, 3);
    return shown.length > 0 ? ` for ${listOf(shown.map((c) => `${fieldWords(c.field)} ${sayValue(c.field, c.value)}`))}` : '';
  }

  private withReason(request: string, reason: string): string {
    // A reason that speaks of "it" comes after the request that says what "it" is.
    if (this.rng.chance(0.45) && !/^(it|its|it's|they|that)\b/i.test(reason)) {
      const question = request.endsWith('?');
      const body = question ? request : request.replace(/[.]$/, '');
      const template = this.rng.pick(book.REASON_FIRST);
      if (question && template.includes(', {request}')) return `${capital(reason)}. ${body}`;
      return end(fill(template, { reason, request: lower(body) }));
    }
    if (request.endsWith('?')) return `${request} ${capital(end(reason))}`;
    return fill(this.rng.pick(book.REASON_AFTER), { request: request.replace(/[.]$/, ''), reason });
  }

  private reason(kind: string, slots: Record<string, string>): string {
    const options = (book.REASONS[kind] ?? book.REASONS.act).filter((r) => !/\{old\}/.test(r) || slots.old !== undefined).filter((r) => !/\{value\}/.test(r) || slots.value !== undefined);
    return fill(this.rng.pick(options.length > 0 ? options : book.REASONS.act), slots);
  }

  /** What the user asks to be done, as a verb phrase, and a reason for it. */
  private request(plan: Plan, name: (t: Thing) => string, known: Record<string, unknown>): { phrase: string; reason: string } {
    const { intent, target, refs } = plan;
    // The parts of a postal address are one change: "the address ... to 155 Station Square, Suite 408, Seoul".
    const parts = plan.changes.filter((c) => isAddressPart(c.field));
    const changes = parts.length >= 2 ? [...plan.changes.filter((c) => !parts.includes(c)), { field: 'address', value: sayAddress(parts), old: undefined }] : plan.changes;
    const rng = this.rng;
    const verb = intent.verb;
    const surface = verb ? book.VERB_SURFACE[verb] ?? verb : undefined;
    const telling = verb !== undefined && !/^(post|put|patch|get|add|create|update|edit|modify|change|set|delete|remove)$/.test(verb);
    const statusChange = changes.find((c) => /(^|_)(status|state)$/i.test(c.field) && typeof c.value === 'string');
    const fixedStatus = Object.entries(intent.fixed).find(([k]) => /(^|_)(status|state)$/i.test(k));
    const newKey = (c: Change) => (intent.kind === 'update' ? `the new ${fieldWords(c.field)}` : `the ${fieldWords(c.field)}`);
    for (const c of changes) if (c.value !== undefined && c.value !== null && typeof c.value !== 'object') known[newKey(c)] = c.value;
    const slotsOf = (c?: Change) => ({ field: c ? fieldWords(c.field) : 'details', value: c ? sayValue(c.field, c.value) : '', ...(c && c.old !== undefined && c.old !== null && typeof c.old !== 'object' && String(c.old) !== String(c.value) ? { old: sayValue(c.field, c.old) } : {}) });
    const reasonKind = verb ? book.REASON_OF_VERB[verb] : undefined;
    const details = (list: Change[]) => this.details(list, refs, name, intent.entity);

    // A row that links a person to something (a project member, a group's participant): "add Grace to the project".
    const person = refs.find((r) => this.rows.isPeople(r.thing.table));
    const place = refs.find((r) => r !== person);
    if (intent.kind === 'create' && person && place && (!telling || verb === 'add' || verb === 'invite')) {
      const role = changes.find((c) => /(^|_)(role|type|level|permission|access)$/i.test(c.field) && typeof c.value === 'string');
      const rest = changes.filter((c) => c !== role);
      const as = role ? ` as ${article(String(role.value))} ${sayValue(role.field, role.value)}` : '';
      return { phrase: `add ${person.thing.self ? 'me' : name(person.thing)} to ${name(place.thing)}${as}${this.details(rest, refs.filter((r) => r !== person && r !== place), name, intent.entity)}`, reason: this.reason(reasonKind ?? 'create', slotsOf()) };
    }
    // An action rather than a change to a thing (resend an invitation, add two numbers), or a thing
    // named after the action (a "resend invitation"): said with the verb and object of its description.
    const description = this.domain.tools.get(plan.tool)?.spec.description ?? '';
    const described = intent.kind === 'delete' ? undefined : describedAction(plan.tool, description);
    if (described && (oddEntity(intent.entity, plan.tool, description, intent.kind) || (!telling && !PLAIN_VERB.test(described.verb)))) {
      // The row the action is on: the target, or a named row the description's object is ("follow a user": user 45).
      const head = described.object.split(' ').pop()!;
      const lead = target ? undefined : refs.find((r) => singular(entityOf(r.thing.table).split(' ').pop()!) === singular(head));
      // A description that only repeats the tool's name ("Send referral email") is said with an article, as a person would.
      const bare = `${described.verb} ${described.object}` === splitWords(plan.tool).join(' ');
      const own = bare ? `${/^(a|an)$/.test(described.object.split(' ')[0]) ? 'the' : article(described.object)} ${described.object.replace(/^(a|an) /, '')}` : described.object;
      const object = target ? name(target) : lead ? name(lead.thing) : own;
      const others = refs.filter((r) => r !== lead);
      const values = changes.flatMap((c) => (Array.isArray(c.value) ? c.value : [c.value]));
      // Numbers to work on are read out: "add two numbers: 3.5 and 7".
      const numbers = others.length === 0 && values.length > 0 && values.every((v) => typeof v === 'number');
      const rest = numbers ? `: ${listOf(values.map(String))}` : this.details(changes, others, name, intent.entity);
      const kind = PLAIN_VERB.test(described.verb) && intent.kind === 'create' ? 'create' : book.REASON_OF_VERB[described.verb] ?? 'act';
      return { phrase: `${described.verb} ${object}${rest}`, reason: this.reason(kind, slotsOf(changes[0])) };
    }
    if (intent.kind === 'create' && !telling) {
      const entity = intent.entity;
      const make = rng.pick(['add', 'add', 'create']);
      return { phrase: `${make} ${rng.chance(0.5) ? 'a new' : article(entity)} ${entity}${details(changes)}`, reason: this.reason('create', slotsOf()) };
    }
    if (intent.kind === 'update' && !telling && target) {
      const thing = name(target);
      const status = statusChange ?? (fixedStatus ? { field: fixedStatus[0], value: fixedStatus[1], old: target.row[fixedStatus[0]] } : undefined);
      const rest = changes.filter((c) => c !== status);
      if (status) {
        const more = rest.length > 0 ? ` and ${this.changeList(rest)}` : '';
        return { phrase: `${rng.pick(['mark', 'set'])} ${thing} as ${sayValue(status.field, status.value)}${more}`, reason: this.reason('status', slotsOf(status)) };
      }
      if (rest.length === 0) return { phrase: `update ${thing}`, reason: this.reason('change', slotsOf()) };
      const main = rest[0];
      if (target.self) return { phrase: `${rng.pick(['change', 'update'])} my ${this.changeList(rest).replace(/^the /, '')}`, reason: this.reason('change', slotsOf(main)) };
      if (rest.length === 1) {
        const phrase = rng.pick([`change the ${fieldWords(main.field)} of ${thing} to ${sayValue(main.field, main.value)}`, `set the ${fieldWords(main.field)} of ${thing} to ${sayValue(main.field, main.value)}`, `update ${thing} so that its ${fieldWords(main.field)} is ${sayValue(main.field, main.value)}`]);
        return { phrase, reason: this.reason('change', slotsOf(main)) };
      }
      return { phrase: `update ${thing}: ${this.changeList(rest)}`, reason: this.reason('change', slotsOf(main)) };
    }
    if (intent.kind === 'delete' && !telling && target) {
      return { phrase: `${rng.pick(['delete', 'remove'])} ${name(target)}`, reason: this.reason('remove', {}) };
    }
    // A telling verb (cancel, book, send, assign...), or an action with no row to act on.
    // A verb that is also the thing made (comment, reply, tweet) reads as "add a comment".
    const nounVerb = !target && verb !== undefined && intent.entity.split(' ').pop() === verb && NOUN_VERBS.test(verb);
    const act = nounVerb ? rng.pick(['add', 'leave', 'post']) : surface ?? 'take care of';
    // An action named without a verb we know (a "run upgrades now"): the thing it acts on, with an article.
    const service = /(support|service|desk|team|help|helpdesk|office|center|centre)$/.test(intent.entity);
    const object = target ? name(target) : /^(log in to|log out of|sign in to)$/.test(act) ? 'my account' : `${act === 'take care of' || service ? 'the' : article(intent.entity)} ${intent.entity}`;
    const kind = reasonKind ?? (intent.kind === 'create' ? 'create' : intent.kind === 'delete' ? 'remove' : intent.kind === 'update' ? 'change' : 'act');
    // Moving something says where to: "reschedule the milestone ... to April 24, 2026".
    if (target && changes.length === 1 && /^(reschedule|move|rename|transfer|copy)$/.test(verb ?? '')) {
      return { phrase: `${act} ${name(target)} to ${sayValue(changes[0].field, changes[0].value)}${this.details([], refs, name, intent.entity)}`, reason: this.reason(kind, slotsOf(changes[0])) };
    }
    const statusSlots = statusChange ? slotsOf(statusChange) : slotsOf(changes[0]);
    // Getting in touch is about something: "contact the customer support about my booking".
    const about = /^(get in touch with|send|notify|remind|escalate|report|ping|ask|message|email|call)$/.test(act);
    return { phrase: `${act} ${object}${this.details(changes, refs, name, intent.entity, about ? 'about' : undefined)}`, reason: this.reason(kind, statusSlots) };
  }

  /** "the due date to May 8, 2026 and the priority to high". */
  private changeList(changes: Change[]): string {
    return listOf(changes.map((c) => `the ${fieldWords(c.field)} to ${sayValue(c.field, c.value)}`));
  }

  /** What comes with an action: the rows it names ("to Grace Chen", "in the project ..."), a message, other values. */
  private details(changes: Change[], refs: Plan['refs'], name: (t: Thing) => string, made = '', preposition?: string): string {
    const parts: string[] = [];
    for (const { param, thing } of refs) {
      const entity = entityOf(thing.table);
      if (thing.self) {
        parts.push(TO_PARAM.test(param) ? 'to me' : 'for me');
        continue;
      }
      const prep = TO_PARAM.test(param) || this.rows.isPeople(thing.table) ? 'for' : book.CONTAINERS.test(entity.split(' ').pop()!) ? 'in' : ON_THINGS.test(made) ? 'on' : 'for';
      parts.push(`${TO_PARAM.test(param) && /^(to|recipient|receiver|invitee)/i.test(param) ? 'to' : preposition ?? prep} ${name(thing)}`);
    }
    const message = changes.find((c) => MESSAGE_FIELD.test(c.field) && typeof c.value === 'string' && c.value.length > 0);
    const named = changes.find((c) => /(^|_)(name|title|subject|label)$/i.test(c.field) && typeof c.value === 'string');
    const rest = changes.filter((c) => c !== message && c !== named && c.value !== undefined && c.value !== null);
    let text = named ? ` called ${sayValue(named.field, named.value)}` : '';
    if (parts.length > 0) text += ` ${parts.join(' ')}`;
    const shown = rest.filter((c) => typeof c.value !== 'object' || Array.isArray(c.value)).slice(0, 4);
    if (shown.length > 0) text += ` with ${listOf(shown.map((c) => (typeof c.value === 'boolean' ? `${fieldWords(c.field)} ${c.value ? 'on' : 'off'}` : `the ${fieldWords(c.field)} ${sayValue(c.field, c.value)}`)))}`;
    if (message) text += `${shown.length > 0 ? ',' : ''} saying "${String(message.value).replace(/"/g, "'")}"`;
    return text;
  }
}
