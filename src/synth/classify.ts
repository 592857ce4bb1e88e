import type { ToolSpec } from '../spec/tool.js';
import { splitWords } from './words.js';

/**
 * What a tool does to its entity. `get` returns one row, `list` many; `create`, `update` and
 * `delete` change the entity's table; `action` (send, book, pay...) is recorded in the ledger.
 */
export type Operation = 'get' | 'list' | 'create' | 'update' | 'delete' | 'action';

export interface Classification {
  kind: 'read' | 'write';
  op: Operation;
  /** The verb the decision rests on ('' when none was found and the default applied). */
  verb: string;
  /** For updates named after a state change (cancel, approve...): the status they set. */
  status?: string;
}

const LIST = ['list', 'search', 'find', 'browse', 'enumerate', 'query', 'filter', 'lookup', 'discover', 'explore', 'scan', 'all'];
const GET = ['get', 'fetch', 'retrieve', 'read', 'show', 'view', 'check', 'describe', 'display', 'calculate', 'calc', 'compute', 'count', 'estimate', 'convert', 'analyze', 'analyse', 'predict', 'validate', 'verify', 'lookup', 'determine', 'measure', 'identify', 'detect', 'evaluate', 'find', 'solve', 'locate', 'track', 'monitor', 'recommend', 'suggest', 'compare', 'summarize', 'translate', 'forecast', 'inspect', 'head', 'download', 'export', 'stat', 'stats', 'info'];
const CREATE = ['create', 'add', 'new', 'insert', 'register', 'post', 'upload', 'submit', 'save', 'write', 'make', 'generate', 'import', 'append', 'put', 'store', 'log', 'record', 'open', 'start', 'touch', 'mkdir'];
const UPDATE = ['update', 'set', 'edit', 'modify', 'change', 'rename', 'patch', 'assign', 'move', 'toggle', 'adjust', 'replace', 'upgrade', 'configure', 'reset', 'restore', 'resume', 'apply', 'link', 'attach', 'tag', 'label', 'rate', 'increase', 'decrease', 'sort', 'mv'];
const DELETE = ['delete', 'remove', 'drop', 'erase', 'destroy', 'clear', 'purge', 'unlink', 'detach', 'rm', 'rmdir', 'unfollow', 'unsubscribe', 'uninstall', 'revoke'];
const ACTION = ['send', 'book', 'reserve', 'pay', 'transfer', 'purchase', 'buy', 'order', 'schedule', 'invite', 'share', 'publish', 'notify', 'email', 'message', 'call', 'like', 'follow', 'subscribe', 'request', 'refund', 'deposit', 'withdraw', 'exchange', 'return', 'checkout', 'dispatch', 'deliver', 'ship', 'sell', 'trade', 'donate', 'reply', 'comment', 'retweet', 'tweet', 'forward', 'execute', 'run', 'trigger', 'play', 'sync', 'login', 'logout', 'authenticate', 'contact', 'rent', 'hire', 'enroll', 'join', 'leave', 'vote', 'claim', 'redeem', 'broadcast', 'print', 'sign', 'turn', 'press', 'fill', 'arm', 'disarm', 'mention', 'copy', 'duplicate', 'clone'];
/** Verbs that move an entity into a state: the update sets `status` to the participle. */
const STATE: Record<string, string> = { cancel: 'cancelled', approve: 'approved', reject: 'rejected', archive: 'archived', close: 'closed', complete: 'completed', finish: 'completed', activate: 'active', deactivate: 'inactive', enable: 'enabled', disable: 'disabled', confirm: 'confirmed', accept: 'accepted', decline: 'declined', suspend: 'suspended', pause: 'paused', stop: 'stopped', end: 'ended', resolve: 'resolved', reopen: 'open', mark: 'marked', star: 'starred', unstar: 'unstarred', pin: 'pinned', unpin: 'unpinned', hide: 'hidden', flag: 'flagged', release: 'released', expire: 'expired', void: 'voided', deny: 'denied', dismiss: 'dismissed', acknowledge: 'acknowledged', publish: 'published', unpublish: 'unpublished', verify: 'verified', block: 'blocked', unblock: 'unblocked', lock: 'locked', unlock: 'unlocked', freeze: 'frozen', unfreeze: 'unfrozen', mute: 'muted', unmute: 'unmuted' };

const HTTP_WRITES: Record<string, Operation> = { post: 'create', put: 'update', patch: 'update', delete: 'delete' };

function byVerb(word: string): Classification | undefined {
  if (Object.hasOwn(STATE, word) && word !== 'verify' && word !== 'publish') return { kind: 'write', op: 'update', verb: word, status: STATE[word] };
  if (DELETE.includes(word)) return { kind: 'write', op: 'delete', verb: word };
  if (UPDATE.includes(word)) return { kind: 'write', op: 'update', verb: word };
  if (CREATE.includes(word)) return { kind: 'write', op: 'create', verb: word };
  if (ACTION.includes(word)) return { kind: 'write', op: 'action', verb: word };
  if (LIST.includes(word)) return { kind: 'read', op: 'list', verb: word };
  if (GET.includes(word)) return { kind: 'read', op: 'get', verb: word };
  return undefined;
}

/** Verbs that are as often the thing itself (`create_order`, `get_email`, `list_events`): nouns unless they lead the name. */
const NOUNS_TOO = new Set(['order', 'email', 'message', 'call', 'tag', 'label', 'log', 'record', 'comment', 'tweet', 'post', 'return', 'sort', 'play', 'sign', 'block', 'rate', 'link', 'request', 'trade', 'schedule', 'share', 'print', 'store', 'view', 'count', 'check', 'query', 'filter', 'transfer', 'deposit', 'refund', 'exchange', 'forecast', 'vote', 'claim', 'export', 'import', 'upload', 'stat', 'stats', 'track', 'like', 'reply', 'retweet', 'mention', 'book', 'display', 'stop', 'end', 'release', 'star', 'pin', 'flag', 'lock', 'arm', 'note', 'search', 'estimate', 'measure', 'design', 'contact', 'invite', 'subscribe', 'deliver', 'status', 'set', 'patch', 'reset', 'key']);

/** Words the classifier treats as verbs: entity names are chosen among the other words. */
export const VERBS = new Set([...LIST, ...GET, ...CREATE, ...UPDATE, ...DELETE, ...ACTION, ...Object.keys(STATE)].filter((w) => !NOUNS_TOO.has(w)));

/** The word of a tool name its classification rests on, when it is a verb of the name. */
export function leadingVerb(tool: Pick<ToolSpec, 'name'>): string | undefined {
  return splitWords(tool.name).find((w) => byVerb(w) !== undefined);
}

/** What a tool's name alone says it does (its first verb), when the name has a verb. */
export function namedOperation(name: string): Classification | undefined {
  return splitWords(name).map(byVerb).find((c) => c !== undefined);
}

/**
 * Read or write, and which operation, from the HTTP method when the tool came from an API
 * description, else from the first verb in its name (then in its description). Tools with no
 * recognizable verb are reads: a read that should have been a write loses nothing but state,
 * a write that should have been a read would invent changes.
 */
export function classifyTool(tool: ToolSpec): Classification {
  const named = namedOperation(tool.name);
  const method = tool.method?.toLowerCase();
  if (method === 'get' || method === 'head' || method === 'options') {
    return named?.kind === 'read' ? named : { kind: 'read', op: tool.path && /\}\/?$/.test(tool.path) ? 'get' : 'list', verb: method };
  }
  if (method && Object.hasOwn(HTTP_WRITES, method)) {
    if (named?.kind === 'write') return named;
    // POST is also how many APIs spell a search.
    if (method === 'post' && named?.kind === 'read') return named;
    return { kind: 'write', op: HTTP_WRITES[method], verb: method };
  }
  if (named) return named;
  const described = splitWords(tool.description.split(/[.\n]/)[0] ?? '').slice(0, 3).map(byVerb).find((c) => c !== undefined);
  return described ?? { kind: 'read', op: 'get', verb: '' };
}
