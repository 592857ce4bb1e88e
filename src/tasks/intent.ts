import type { Domain } from '../env/domain.js';
import { tokenize, type Token } from '../env/sql-tokens.js';
import { singular, splitWords } from '../util/words.js';

/**
 * What a tool does, in the terms a person asks for it: the kind of change (read from its SQL, not
 * from its description), the verb of its name when it has a telling one (cancel, book, assign),
 * the table it acts on, and the columns a write sets to a fixed value (status = 'closed').
 */
export interface Intent {
  kind: 'create' | 'update' | 'delete' | 'act' | 'read';
  /** A verb of the tool's name that says more than the kind (cancel, close, send), if any. */
  verb?: string;
  /** The table written, or the one a read returns rows of. */
  table?: string;
  /** The thing acted on, in words: "task", "project member", or for an act the object of the name ("message"). */
  entity: string;
  /** Columns a write sets to a constant, such as {status: 'closed'}. */
  fixed: Record<string, string | number>;
}

/** Verbs that tell what a person wants beyond create / change / delete, and their base form. */
const TELLING = new Set([
  'cancel', 'close', 'resolve', 'reopen', 'archive', 'restore', 'approve', 'reject', 'confirm', 'complete', 'finish', 'activate', 'deactivate',
  'enable', 'disable', 'block', 'unblock', 'lock', 'unlock', 'mute', 'unmute', 'pin', 'unpin', 'star', 'unstar', 'follow', 'unfollow', 'like',
  'unlike', 'subscribe', 'unsubscribe', 'publish', 'unpublish', 'assign', 'unassign', 'book', 'reserve', 'rate', 'send', 'pay', 'refund',
  'return', 'exchange', 'transfer', 'share', 'invite', 'login', 'logout', 'move', 'rename', 'upload', 'copy', 'reschedule', 'schedule',
  'start', 'stop', 'pause', 'resume', 'suspend', 'accept', 'decline', 'submit', 'post', 'reply', 'comment', 'forward', 'retweet', 'tweet',
  'purchase', 'buy', 'order', 'checkout', 'ship', 'deposit', 'withdraw', 'sell', 'trade', 'vote', 'claim', 'redeem', 'join', 'leave', 'enroll',
  'register', 'verify', 'flag', 'hide', 'release', 'dismiss', 'acknowledge', 'mark', 'sign', 'play', 'fill', 'turn', 'press', 'lift', 'charge',
  'authenticate', 'add', 'remove', 'delete', 'create', 'update', 'edit', 'modify', 'change', 'set', 'replace', 'link', 'attach', 'detach',
  'run', 'execute', 'trigger', 'sync', 'refresh', 'reindex', 'restart', 'reset', 'rebuild', 'import', 'export', 'generate', 'upgrade',
  'install', 'uninstall', 'deploy', 'merge', 'split', 'clear', 'empty', 'rotate', 'renew', 'extend', 'upload', 'download', 'print', 'scan',
  'contact', 'notify', 'remind', 'escalate', 'report', 'request', 'apply', 'ping',
]);
/** Words that are HTTP methods or plain CRUD: a later, more telling verb of the name wins over them. */
const WEAK = new Set(['post', 'put', 'patch', 'get', 'add', 'create', 'update', 'edit', 'modify', 'change', 'set', 'delete', 'remove']);
const ALIASES: Record<string, string> = { logout: 'logout', signout: 'logout', log: 'log', signin: 'login' };

const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toUpperCase() === w;
const isName = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'ident';

/** "project_members" -> "project member". */
export const entityOf = (table: string): string => {
  let words = splitWords(table);
  if (words.length === 0) return table;
  words[words.length - 1] = singular(words[words.length - 1]);
  // A table named for a preposition (withs, from a column "associated_with") names no thing a person speaks of.
  while (words.length > 0 && FUNCTION_WORD.test(words[words.length - 1])) words = words.slice(0, -1);
  return words.length > 0 ? words.join(' ') : 'item';
};
const FUNCTION_WORD = /^(of|with|for|to|from|by|in|on|into|per|the|a|an|and|or)$/;

const HTTP = new Set(['get', 'post', 'put', 'patch', 'head']);

/**
 * The verb of a tool name: its first word when that is a verb (modify_pending_order_address is a
 * modification, not an order); after an HTTP method, the last telling verb of the rest
 * (put_appointments_by_id_cancel cancels); otherwise the first verb anywhere (ticket_login).
 */
export function nameVerb(name: string): string | undefined {
  const words = splitWords(name).map((w) => ALIASES[w] ?? w);
  // "log out" / "sign in" written as two words.
  for (let i = 0; i + 1 < words.length; i++) {
    if ((words[i] === 'log' || words[i] === 'sign') && (words[i + 1] === 'out' || words[i + 1] === 'in')) return words[i + 1] === 'out' ? 'logout' : 'login';
  }
  if (words.length === 0) return undefined;
  if (TELLING.has(words[0]) && !HTTP.has(words[0])) return words[0];
  const telling = words.filter((w) => TELLING.has(w) && !HTTP.has(w));
  if (HTTP.has(words[0])) return telling.filter((w) => !WEAK.has(w)).pop() ?? telling[0];
  return telling[0];
}

const cache = new WeakMap<Domain, Map<string, Intent>>();

/** The intent of a domain tool, from its SQL and its name. */
export function toolIntent(domain: Domain, tool: string): Intent {
  let byTool = cache.get(domain);
  if (!byTool) cache.set(domain, (byTool = new Map()));
  let intent = byTool.get(tool);
  if (!intent) byTool.set(tool, (intent = withoutVerb(unlikeTool(domain, readIntent(domain, tool)), tool)));
  return intent;
}

function readIntent(domain: Domain, name: string): Intent {
  const compiled = domain.tools.get(name)!;
  const tables = new Set(domain.spec.tables.map((t) => t.name));
  const verb = nameVerb(name);
  const fixed: Record<string, string | number> = {};
  const writes = compiled.steps.filter((s) => s.kind === 'run').map((s) => tokenize(s.stmt.sql));
  for (const tokens of writes) {
    const first = tokens[0]?.text.toUpperCase();
    const at = tokens.findIndex((t, i) => (isWord(t, 'INTO') || isWord(t, 'UPDATE') || (isWord(t, 'FROM') && isWord(tokens[i - 1], 'DELETE'))) && isName(tokens[i + 1]) && tables.has(tokens[i + 1].text));
    if (at < 0) continue;
    const table = tokens[at + 1].text;
    // SET col = 'constant' (a state the write moves the row into).
    tokens.forEach((t, i) => {
      if (t.kind === 'punct' && t.text === '=' && isName(tokens[i - 1]) && (tokens[i + 1]?.kind === 'string' || tokens[i + 1]?.kind === 'number') && (isWord(tokens[i - 2], 'SET') || tokens[i - 2]?.text === ',')) {
        const value = tokens[i + 1];
        fixed[tokens[i - 1].text] = value.kind === 'number' ? Number(value.text) : value.text;
      }
    });
    const ledger = /(^|_)(log|ledger|entries)$/.test(table) && domain.spec.tables.find((t) => t.name === table)?.columns.some((c) => c.name === 'action');
    if (ledger) return { kind: 'act', verb, table, entity: actObject(name, verb), fixed };
    const kind = first === 'DELETE' || (first === 'WITH' && tokens.some((t) => isWord(t, 'DELETE'))) ? 'delete' : isWord(tokens[at], 'UPDATE') ? 'update' : 'create';
    return { kind, verb, table, entity: spaced(entityOf(table), name), fixed };
  }
  if (compiled.spec.kind === 'write') return { kind: 'act', verb, entity: actObject(name, verb), fixed };
  // The table of the outer query of the output, else of the first step that reads one (a lookup
  // by email whose output is the id it found); subqueries (counts of tasks in a milestone) name others.
  const outerTable = (sql: string): string | undefined => {
    const tokens = tokenize(sql);
    let depth = 0;
    const from = tokens.findIndex((t, i) => {
      if (t.kind === 'punct' && t.text === '(') depth++;
      else if (t.kind === 'punct' && t.text === ')') depth--;
      return depth === 0 && isWord(t, 'FROM') && isName(tokens[i + 1]) && tables.has(tokens[i + 1].text);
    });
    return from >= 0 ? tokens[from + 1].text : undefined;
  };
  const table = [compiled.output?.stmt.sql, ...compiled.steps.map((s) => s.stmt.sql)].filter((x): x is string => !!x).map(outerTable).find(Boolean);
  return { kind: 'read', verb, table, entity: table ? spaced(entityOf(table), name) : actObject(name, verb), fixed };
}

/**
 * An entity whose words spell a tool's name (a table named chat_post_messages after the tool
 * chat_postMessage) would have the user say the tool: its last word, the thing itself, instead.
 */
function unlikeTool(domain: Domain, intent: Intent): Intent {
  const words = intent.entity.split(' ');
  if (words.length < 3) return intent;
  const spelled = [...domain.tools.keys()].some((t) => splitWords(t).map(singular).join(' ') === words.map(singular).join(' '));
  return spelled ? { ...intent, entity: words[words.length - 1] } : intent;
}

/**
 * A table named after the action that writes it (expense_deletes, resend_invitations) gives an
 * entity holding the tool's verb: the thing is what remains ("expense", "invitation").
 */
function withoutVerb(intent: Intent, tool: string): Intent {
  const words = intent.entity.split(' ');
  const verbs = new Set([intent.verb, splitWords(tool)[0]].filter((v): v is string => !!v && !HTTP.has(v) && (TELLING.has(v) || DESCRIBING.has(v))));
  const kept = words.filter((w) => !verbs.has(w) && !verbs.has(verbBase(w)));
  return kept.length > 0 && kept.length < words.length ? { ...intent, entity: kept.join(' ') } : intent;
}

/** "issuetype" as the tool name spells it, "issue type", when the name has it in words. */
function spaced(entity: string, name: string): string {
  if (entity.includes(' ')) return entity;
  const words = splitWords(name).map(singular);
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 2; j <= words.length; j++) if (words.slice(i, j).join('') === entity) return words.slice(i, j).join(' ');
  }
  return entity;
}

/** The object of an action named like send_message or ticket_login: the name's words other than verbs and filler. */
function actObject(name: string, verb: string | undefined): string {
  const words = splitWords(name).filter((w) => w !== verb && !WEAK.has(w) && !/^(v\d+|api|by|id|the|a|an|to|for|of|in|on|with|from|me|my|do|can|out)$/.test(w));
  return words.length > 0 ? words.map((w, i) => (i === words.length - 1 ? singular(w) : w)).join(' ') : 'request';
}

/** Verbs descriptions open with besides the telling ones: what a tool computes, fetches or retries. */
const DESCRIBING = new Set(['calculate', 'compute', 'convert', 'retrieve', 'return', 'fetch', 'get', 'list', 'find', 'search', 'provide', 'retry', 'resend', 'bypass', 'append', 'award', 'check', 'validate', 'test', 'estimate', 'count', 'translate', 'round', 'multiply', 'divide', 'subtract', 'sum', 'insert', 'save', 'store', 'mark', 'toggle', 'record', 'log', 'compress', 'extract', 'encode', 'decode', 'swap', 'kick', 'restrict', 'open', 'wake']);
/** Verbs that say only create, change, delete or read: the thing named after them carries the meaning. */
export const PLAIN_VERB = /^(create|add|insert|post|put|patch|update|edit|modify|change|set|save|store|delete|remove|get|list|retrieve|return|fetch|find|search|read|query|provide)$/;
/** Words that end a verb's object in a description ("Resends an invitation email | to the specified co-organizer"). */
const OBJECT_END = /^(for|to|from|by|with|in|on|of|at|into|onto|using|based|that|which|who|whose|when|if|and|or|as|via|depending|within|under|given|specified|where|so|without|according|through|across|about|over|after|before|between|against|than|then|not|is|are|will|can|must|should|may|it|its|this|these|those)$/i;

/** A description without what it says of its collection ("This tool belongs to the Math API... Tool description:") or markup. */
const ownDescription = (description: string) => description.replace(/^[\s\S]*?tool description:\s*/i, '').replace(/<[^>]*>/g, ' ');

/** "resends" -> "resend", "copies" -> "copy", "compresses" -> "compress", "add" -> "add". */
function verbBase(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (/[^s]s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

/**
 * What a tool's description says it does, as a verb and its object: "Resends an invitation email
 * to the specified co-organizer" -> resend / "an invitation email"; "Add two numbers." -> add /
 * "two numbers". The description's first word counts as the verb only when the tool's name has it
 * or it is a verb tools are commonly described with; boilerplate openings are skipped.
 */
export function describedAction(name: string, description: string): { verb: string; object: string } | undefined {
  const text = ownDescription(description)
    .replace(/^\s*(this (endpoint|method|operation|api|call|tool|request|function|route)( is used to| can be used to| allows (you|users?) to| will| lets (you|users?))?|use this (endpoint|method|operation|call) to|allows? (you|users?) to|used to|lets? (you|users?)|(api|endpoint) (to|for)|(a )?(method|function|tool|endpoint) to)\s+/i, '')
    .trim();
  const sentence = text.split(/(?<=[.!?])\s|\n/)[0] ?? '';
  const first = /^([A-Za-z]+)\b/.exec(sentence)?.[1];
  if (!first) return undefined;
  const verb = verbBase(first.toLowerCase());
  const nameWords = splitWords(name).map(verbBase);
  if (!nameWords.includes(verb) && !TELLING.has(verb) && !DESCRIBING.has(verb)) return undefined;
  const object: string[] = [];
  for (const word of sentence.slice(first.length).split(/[,.;:()"'`[\]]/)[0].trim().split(/\s+/)) {
    if (!word || OBJECT_END.test(word) || object.length >= 5 || !/^[A-Za-z][A-Za-z-]*$/.test(word)) break;
    object.push(word.toLowerCase());
  }
  return object.length > 0 ? { verb, object: object.join(' ') } : undefined;
}

/** Participles that name no thing ("created panelist", "marked episode"); -eed words and a few nouns are not. */
const PARTICIPLE = /^[a-z]{3,}(?<!e)ed$/;
const ED_NOUNS = /^(bed|red|shed|feed|seed|need|speed|breed|hundred|embed|bred|sled|bled|fled|wed|shred|thread|bread|head|lead|spread|tread|dead)$/;

/**
 * Whether an entity reads as no thing a person asks for: it holds the tool's own verb ("resend
 * invitation", "stop"), a participle ("created panelist"), or nothing the tool's name or
 * description speaks of (the "math" an `add` tool logs to).
 */
export function oddEntity(entity: string, name: string, description: string, kind: Intent['kind']): boolean {
  const words = entity.split(' ');
  const described = describedAction(name, description);
  // The verb of the description, unless its object holds the same word (a noun that is also a verb: an order, a post).
  const verb = described && !described.object.split(' ').some((w) => singular(w) === described.verb) ? described.verb : undefined;
  if (verb && !PLAIN_VERB.test(verb) && words.some((w) => w === verb || verbBase(w) === verb)) return true;
  // The tool's own verb made a participle ("created panelist" for createPanelists); "unresolved issues" is a thing.
  const nameWords = splitWords(name);
  if (words.some((w) => PARTICIPLE.test(w) && !ED_NOUNS.test(w) && (nameWords.includes(w.slice(0, -1)) || nameWords.includes(w.slice(0, -2))))) return true;
  // A thing made that neither the name nor the description speaks of ("a math" for "Add two numbers").
  if (kind !== 'create' || !described) return false;
  const spoken = new Set([...nameWords, ...(ownDescription(description).toLowerCase().match(/[a-z]+/g) ?? [])].flatMap((w) => [w, singular(w)]));
  return !words.some((w) => spoken.has(w) || spoken.has(singular(w)));
}
