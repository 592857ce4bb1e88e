import type { Domain } from '../env/domain.js';
import { missingStrings } from '../record/reward.js';
import type { Action, Task } from '../spec/task.js';
import { meaningfulValues } from '../tasks/links.js';
import { sayDate } from '../tasks/say.js';
import { lastAgentText, type ChatMessage } from '../spec/chat.js';
import type { SimulatedUser, UserSession } from './types.js';

/** The instructions as the user would say them: second person turned into first. */
export function firstPerson(text: string): string {
  return text
    .replace(/\bYou are\b/g, 'I am')
    .replace(/\byou are\b/g, 'I am')
    .replace(/\bYou're\b/g, "I'm")
    .replace(/\byou're\b/g, "I'm")
    .replace(/\bYourself\b/g, 'Myself')
    .replace(/\byourself\b/g, 'myself')
    .replace(/\bYour\b/g, 'My')
    .replace(/\byour\b/g, 'my')
    .replace(/\bYou\b/g, 'I')
    .replace(SUBJECT_YOU, 'I')
    .replace(/\byou\b/g, 'me');
}

/** Instructions written to the user ("You want to ..."), as tau2's and hand-written tasks are; sampled ones speak as the user. */
const SECOND_PERSON = /(^|[.:!?\n]\s*)You\b/;

/**
 * What the user says first. Instructions in the user's own words open with their first paragraph
 * (the request; what follows is what they know, given when asked); instructions written to the
 * user are turned into the first person.
 */
export function openingLine(instructions: string): string {
  if (SECOND_PERSON.test(instructions)) return firstPerson(instructions.trim());
  return instructions.split(/\n\s*\n/)[0].trim();
}

/** "you" as a subject: followed by a verb (the instructions are written in simple present and past). */
const SUBJECT_YOU = /\byou\b(?=\s+(?:[a-z]+ed|have|want|do|did|don't|can|could|cannot|can't|will|would|should|need|know|think|may|must|were|wish|like|feel|plan|expect|get|got|only|also|still|just|already|never|might)\b)/g;

const words = (s: string) => s.toLowerCase().replace(/_/g, ' ');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const mentions = (text: string, phrase: string) => phrase.length > 1 && new RegExp(`\\b${escape(phrase)}\\b`, 'i').test(text);
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Words of a fact's key that say nothing about which fact it is. */
const FILLER = new Set(['my', 'the', 'a', 'an', 'new', 'of', 'is', 'to', 'for']);

/** Ways an agent may refer to a known fact: its key in words, each telling word of it, and email spellings. */
function phrasesOf(key: string): string[] {
  const k = words(key).replace(/^(my|the) /, '');
  const out = new Set([k, ...k.split(/[\s']+/).filter((w) => w.length > 2 && !FILLER.has(w) && w !== 's')]);
  if (/mail/.test(k)) ['email', 'e-mail', 'email address'].forEach((p) => out.add(p));
  return [...out];
}

/** A known fact said back: "My email address is ...", "The task title is ...", "Grace Chen's email address is ...". */
function sayFact(key: string, value: unknown): string {
  const v = typeof value === 'string' ? value : JSON.stringify(value);
  const k = words(key);
  if (/^(my|the) /.test(k) || /'s /.test(k)) return `${capital(k)} is ${v}.`;
  return `My ${k} is ${v}.`;
}

const ASKS = /\?|\b(please (provide|share|tell|give)|could you (give|tell|share|provide)|can you (give|tell|share|provide)|may i have|what is|what's|tell me)\b/i;
/** The agent asks for a yes before it changes something. */
const CONFIRM = /\b(shall i|should i|do you want me to|would you like me to|(ok|okay) to proceed|(can|may) i proceed|want me to proceed|go ahead\?|proceed\?|please confirm(?! your)|confirm (that|this|the change)|is (that|this) (right|correct|ok)\?)/i;
const SUCCESS = /\b(done|completed|complete|all set|successfully|finished|has been|have been|now has|i've (created|updated|changed|cancelled|canceled|deleted|removed|added))\b/i;
/** The agent offers more help: the conversation can end. */
const CLOSING = /\b(anything else|something else|help with anything|glad i could help|have a (good|great|nice) day)\b/i;
const STOP = 'Thank you, that is all I needed. ###STOP###';

/** What the user wants changed, as text the agent's proposal should mention: values of the gold writes and the facts they know. */
function goalValues(task: Task, writes: Action[]): string[] {
  const out = new Set<string>();
  for (const w of writes) for (const v of meaningfulValues(w.args)) out.add(v.toLowerCase());
  for (const v of out) {
    const date = sayDate(v.toUpperCase());
    if (date) out.add(date.toLowerCase());
    if (/^[a-z]+(_[a-z]+)+$/.test(v)) out.add(v.replace(/_/g, ' '));
  }
  return [...out];
}

/**
 * A deterministic user that answers like a person: it opens with its request, gives a known fact
 * when the agent asks for it and says it does not know anything else, says yes to a proposed change
 * that matches its goal and no to one that does not (or to any change, when it only wanted to know
 * something), and ends the conversation once its goal is met: the change reported, and every answer
 * it wanted heard. After `limit` replies without progress it gives up.
 */
export class ScriptedUser implements SimulatedUser {
  readonly info = { spec: 'scripted' };

  constructor(private readonly limit = 5) {}

  start({ task, domain }: { task: Task; domain?: Domain }): UserSession {
    let idle = 0;
    let opened = false;
    const writes = task.gold.actions.filter((a) => domain?.tools.get(a.tool)?.spec.kind === 'write');
    const wantsChange = domain ? writes.length > 0 : task.gold.actions.length > 0;
    const values = goalValues(task, domain ? writes : task.gold.actions);
    const stuck = (text: string) => (++idle >= this.limit ? `I think we are stuck. ${STOP}` : text);
    return {
      reply: async (transcript: readonly ChatMessage[]) => {
        if (!opened) {
          opened = true;
          return openingLine(task.user.instructions);
        }
        const said = lastAgentText(transcript);
        const heard = transcript.filter((m) => m.role === 'assistant').map((m) => m.content).join('\n');
        if (CONFIRM.test(said)) {
          if (!wantsChange) return stuck("No, please don't change anything. I only wanted some information.");
          const lower = said.toLowerCase();
          if (values.length === 0 || values.some((v) => lower.includes(v))) return 'Yes, please go ahead.';
          return stuck(`No, that's not what I asked for. ${openingLine(task.user.instructions)}`);
        }
        const answered = missingStrings(task.communicate, [{ role: 'assistant', content: heard }]).length === 0;
        if ((SUCCESS.test(said) || CLOSING.test(said)) && answered) return STOP;
        const answer = answerFromKnown(task, said);
        if (answer) return answer;
        if (CLOSING.test(said) && !answered) return stuck('Before we finish: could you answer my question, please?');
        if (said.includes('?')) return stuck("Sorry, I don't know that. I've told you what I know.");
        return stuck('Okay, please go ahead.');
      },
    };
  }
}

/** "My email address is ...": the known facts the agent's question asks about, or undefined. */
function answerFromKnown(task: Task, said: string): string | undefined {
  if (!ASKS.test(said)) return undefined;
  // Facts asked for by their whole name, longest first, each masking what it covers ("your to
  // account number" is not also a request for "your account number", but "account number and to
  // account number" asks for both).
  let rest = said;
  const named = Object.entries(task.user.known)
    .map(([key, value]) => ({ key, value, phrase: words(key).replace(/^(my|the) /, '') }))
    .sort((a, b) => b.phrase.length - a.phrase.length)
    .filter(({ phrase }) => {
      if (!phrase.includes(' ') || !mentions(rest, phrase)) return false;
      rest = rest.replace(new RegExp(`\\b${escape(phrase)}\\b`, 'gi'), ' ');
      return true;
    });
  const order = Object.keys(task.user.known);
  if (named.length > 0) return named.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key)).map(({ key, value }) => sayFact(key, value)).join(' ');
  const matched = Object.entries(task.user.known).map(([key, value]) => ({ key, value, hits: phrasesOf(key).filter((p) => mentions(said, p)) }));
  // "email address" is asked for, not every fact whose key holds "address".
  const facts = matched.filter((m) => m.hits.length > 0 && !m.hits.every((h) => matched.some((o) => o !== m && o.hits.some((x) => x !== h && x.includes(h)))));
  if (facts.length === 0) return undefined;
  return facts.map(({ key, value }) => sayFact(key, value)).join(' ');
}
