import type { Task } from '../spec/task.js';
import { ASK_TO_BE_TOLD, PLAY_GUIDANCE } from '../tasks/instructions.js';
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

/** What the user says first: the instructions in the first person, without the guidance on playing the part. */
export function openingLine(instructions: string): string {
  return firstPerson(instructions.replace(PLAY_GUIDANCE, '').replaceAll(ASK_TO_BE_TOLD, 'Please tell me the ').trim());
}

/** "you" as a subject: followed by a verb (the instructions are written in simple present and past). */
const SUBJECT_YOU = /\byou\b(?=\s+(?:[a-z]+ed|have|want|do|did|don't|can|could|cannot|can't|will|would|should|need|know|think|may|must|were|wish|like|feel|plan|expect|get|got|only|also|still|just|already|never|might)\b)/g;

const words = (s: string) => s.toLowerCase().replace(/_/g, ' ');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const mentions = (text: string, phrase: string) => phrase.length > 1 && new RegExp(`\\b${escape(phrase)}\\b`, 'i').test(text);

/** Ways an agent may refer to a known fact: its key in words, the key's last word, and email spellings. */
function phrasesOf(key: string): string[] {
  const k = words(key);
  const last = k.split(' ').pop()!;
  const out = new Set([k, last]);
  if (/mail/.test(k)) ['email', 'e-mail', 'email address'].forEach((p) => out.add(p));
  return [...out];
}

const ASKS = /\?|\b(please (provide|share|tell|give|confirm)|could you|can you|may i have|what is|what's|tell me)\b/i;
const CONFIRM = /\b(confirm|shall i|should i|do you want me to|would you like me to|(ok|okay) to proceed|proceed|go ahead|is (that|this) (right|correct|ok))\b/i;
const SUCCESS = /\b(done|completed|complete|all set|successfully|finished|has been|have been)\b/i;
const STOP = 'Thank you, that is all. ###STOP###';

/**
 * A deterministic user: states the goal from the instructions, answers questions about what it
 * knows by matching the question to the task's known facts, says yes when asked to confirm, and
 * stops when the agent reports success or after `limit` replies that made no progress.
 */
export class ScriptedUser implements SimulatedUser {
  readonly info = { spec: 'scripted' };

  constructor(private readonly limit = 5) {}

  start({ task }: { task: Task }): UserSession {
    let idle = 0;
    let opened = false;
    return {
      reply: async (transcript: readonly ChatMessage[]) => {
        if (!opened) {
          opened = true;
          return openingLine(task.user.instructions);
        }
        const said = lastAgentText(transcript);
        const answer = answerFromKnown(task, said);
        if (answer) return answer;
        if (CONFIRM.test(said) && said.includes('?')) return 'Yes, please go ahead.';
        if (SUCCESS.test(said) && !said.includes('?')) return STOP;
        if (++idle >= this.limit) return `I think we are stuck. ${STOP}`;
        return said.includes('?') ? 'I do not know that; I have told you what I know. Please go ahead with my request.' : 'Please go ahead with my request.';
      },
    };
  }
}

/** "My email is ...": the known facts the agent's question asks about, or undefined. */
function answerFromKnown(task: Task, said: string): string | undefined {
  if (!ASKS.test(said)) return undefined;
  const facts = Object.entries(task.user.known).filter(([key]) => phrasesOf(key).some((p) => mentions(said, p)));
  if (facts.length === 0) return undefined;
  return facts
    .map(([key, value]) => {
      const v = typeof value === 'string' ? value : JSON.stringify(value);
      return `My ${words(key)} is ${v}.`;
    })
    .join(' ');
}
