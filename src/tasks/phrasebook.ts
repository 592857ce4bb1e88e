/**
 * The small grammar offline instructions are written with: openings, request and question frames,
 * reasons by kind of change, people and their manners. Every choice is drawn from the task's
 * seeded random source, so the same seed gives the same words.
 */

export const GREETINGS = ['', '', '', '', 'Hi', 'Hello', 'Hi there', 'Hey', 'Good morning', 'Good afternoon', 'Hello there', 'Hey there'];

/** How a user says who they are ({name}). */
export const INTRODUCTIONS = ["I'm {name}", 'This is {name}', '{name} here', 'My name is {name}', "It's {name}"];

/** Ways to ask for an action ({do} is a verb phrase such as "cancel my booking"). */
export const REQUESTS = [
  "I'd like to {do}",
  'I need to {do}',
  'I want to {do}',
  'Could you {do}?',
  'Can you {do}?',
  'Please {do}',
  'Would you {do} for me?',
  "I'm hoping you can {do}",
  'I was hoping to {do}',
  'Can you help me {do}?',
  "I'd like you to {do}",
  'I need you to {do}',
  'Is it possible to {do}?',
  "I'm trying to {do}",
  'Could you please {do}?',
  'I have to {do}',
  "I'd appreciate it if you could {do}",
  'Would it be possible to {do}?',
];

/** Ways to ask a question ({q} is an indirect question such as "what the status of my order is"). */
export const QUESTIONS = [
  "I'd like to know {q}",
  'Could you tell me {q}?',
  'Can you check {q}?',
  'I need to find out {q}',
  'Can you look up {q}?',
  'Do you know {q}?',
  "I'm trying to find out {q}",
  'Could you find out {q}?',
  'I was wondering {q}',
  'Can you let me know {q}?',
];

/** How a reason joins a request: before it, after it, or as its own sentence. */
export const REASON_FIRST = ['{Reason}, so {request}', 'Since {reason}, {request}', '{Reason}. {Request}', 'Because {reason}, {request}'];
export const REASON_AFTER = ['{Request}, because {reason}.', '{Request}: {reason}.', '{Request}. {Reason}.', '{Request}, since {reason}.', '{Request} as {reason}.'];

/** Reasons a person has, by the verb of the request; {field}, {old} and {value} are filled in where known. */
export const REASONS: Record<string, string[]> = {
  cancel: ['my plans have changed', 'I booked it twice by mistake', "I won't need it after all", "the timing doesn't work for me anymore", 'I found something that suits me better'],
  close: ['the problem has been sorted out', 'the work on it is finished', "we wrapped it up yesterday", 'there is nothing left to do on it'],
  reopen: ['it turns out we still need it', 'it was closed too early', 'the problem came back'],
  archive: ["we're done with it", "it's no longer active and clutters my view", 'the work ended last month'],
  approve: ["I've checked it and it's fine", 'everything looks right to me', 'we agreed on it this morning'],
  reject: ["it doesn't match what we agreed", 'the details are wrong', "I can't accept it as it is"],
  remove: ['it was added by mistake', "it's a duplicate", "it's out of date", "we don't need it anymore"],
  create: ['I need to keep track of it', "we're just getting started on it", 'my manager asked me to set it up', 'I want everything in one place', 'it came up in a meeting this morning'],
  change: ['the {field} is out of date', 'the {field} has changed', 'I got the {field} wrong earlier', 'it should match what we agreed on', 'it still says {old}, which is wrong'],
  status: ['things have moved on', 'the team needs to see where it stands', "it still shows as {old}, which isn't right anymore"],
  assign: ['they have time for it this week', 'someone needs to own it', "I'm handing it over before my holiday"],
  book: ["I'm planning ahead", 'I need it for next week', "I'd rather sort it out now than later"],
  reschedule: ['something came up on the original date', 'the old time no longer works', 'we had to move things around'],
  send: ['I need to let them know', 'they asked me for an update', 'I promised to follow up', 'I want everyone on the same page'],
  pay: ['the bill is due', "I don't want to pay late", 'I need to settle it today'],
  refund: ['I was charged twice', "it wasn't what I paid for", 'the service was never delivered'],
  money: ['I need to move some money around', "I'm tidying up my accounts", 'I have a payment coming up'],
  login: ['I need to get into my account', "I can't do anything until I'm signed in"],
  logout: ["I'm done for today", "I'm on a shared computer"],
  follow: ['I want to keep up with it', "I don't want to miss anything"],
  unfollow: ["it's too noisy", "I'm not interested anymore"],
  block: ['I think someone else has been using it', "it shouldn't be used for now"],
  unblock: ["it's safe to use again", 'we need it working again'],
  return: ["it doesn't fit", 'it arrived damaged', "it isn't what I expected"],
  buy: ["I've been meaning to get it", "we're running low"],
  move: ["it's in the wrong place", "it's confusing where it is now"],
  rename: ['the current name is confusing', 'the name changed'],
  rate: ['I want to leave some feedback', "I'd like others to know how it went"],
  read: ["I'm planning my week", "I'm getting ready for a meeting", 'I need it for a report', 'a colleague asked me about it', 'I want to double-check something', "I'm trying to make a decision"],
  act: ['I need it done today', "it's on my list for today", "I'd like to get it out of the way"],
};

/** Which reasons go with which verb of a tool name (verbs not listed use their kind's). */
export const REASON_OF_VERB: Record<string, string> = {
  cancel: 'cancel', decline: 'reject', reject: 'reject', close: 'close', resolve: 'close', complete: 'close', finish: 'close', reopen: 'reopen',
  restore: 'reopen', resume: 'reopen', archive: 'archive', approve: 'approve', accept: 'approve', confirm: 'approve', verify: 'approve',
  delete: 'remove', remove: 'remove', detach: 'remove', unassign: 'remove', assign: 'assign', transfer: 'assign', book: 'book', reserve: 'book',
  schedule: 'book', order: 'buy', purchase: 'buy', buy: 'buy', checkout: 'buy', reschedule: 'reschedule', send: 'send', reply: 'send',
  forward: 'send', share: 'send', invite: 'send', comment: 'send', post: 'send', tweet: 'send', retweet: 'send', pay: 'pay', charge: 'pay',
  refund: 'refund', deposit: 'money', withdraw: 'money', login: 'login', authenticate: 'login', logout: 'logout', follow: 'follow',
  subscribe: 'follow', like: 'follow', star: 'follow', pin: 'follow', unfollow: 'unfollow', unsubscribe: 'unfollow', mute: 'unfollow',
  unlike: 'unfollow', unstar: 'unfollow', unpin: 'unfollow', block: 'block', lock: 'block', suspend: 'block', disable: 'block',
  deactivate: 'block', pause: 'block', stop: 'block', unblock: 'unblock', unlock: 'unblock', enable: 'unblock', activate: 'unblock',
  start: 'unblock', return: 'return', exchange: 'return', move: 'move', copy: 'move', rename: 'rename', rate: 'rate', register: 'create',
  enroll: 'create', join: 'create', submit: 'create', upload: 'create', create: 'create', add: 'create',
};

/** Verbs as people say them when the name spells them as one word. */
export const VERB_SURFACE: Record<string, string> = { login: 'log in to', logout: 'log out of', checkout: 'check out', authenticate: 'sign in to', signin: 'sign in to', retweet: 'retweet', unassign: 'unassign', contact: 'get in touch with', ping: 'ping' };

/** Words that put a thing inside another ("in the project ..."). */
export const CONTAINERS = /^(project|folder|channel|board|list|calendar|category|group|team|workspace|milestone|playlist|album|directory|space|room|repository|collection|section|sprint|queue|course|class|store|shop|cart|basket|order|account)$/;

export const FIRST_NAMES = ['Maya', 'Daniel', 'Priya', 'Tomás', 'Aisha', 'Lukas', 'Mei', 'Jonah', 'Sofia', 'Kwame', 'Elena', 'Ravi', 'Hannah', 'Mateo', 'Yuki', 'Omar', 'Claire', 'Diego', 'Nadia', 'Samuel', 'Ingrid', 'Kenji', 'Amara', 'Felix', 'Leila', 'Marco', 'Zoe', 'Arjun', 'Beatriz', 'Noah', 'Fatima', 'Oliver', 'Ana', 'Tariq', 'Grace', 'Ivan', 'Lucia', 'Ethan', 'Chloe', 'Hugo'];
export const LAST_NAMES = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Haddad', 'Novak', 'Fernandes', 'Kowalski', 'Nguyen', 'Brennan', 'Castillo', 'Mensah', 'Schneider', 'Petrova', 'Adeyemi', 'Rossi', 'Kim', 'Oyelaran', 'Walsh', 'Dubois', 'Ibrahim', 'Larsen', 'Costa', 'Reyes', 'Sato', 'Mwangi', 'Fischer', 'Silva', 'Kaur', 'Olsen'];

/** How the simulated person talks (the persona, after tau2's task instructions). */
export const MANNERS = [
  'Polite and brief; gives details only when asked.',
  'Friendly and a little chatty.',
  'In a hurry and wants this done quickly.',
  'Careful: double-checks details before agreeing to a change.',
  'Direct and to the point.',
  'Not very technical; describes things in everyday words.',
  'Patient and relaxed.',
  'Organized; has the details ready.',
  'A little impatient, and says things in pieces.',
  'Courteous and formal.',
];

/** Sentences for what the user knows but leaves for the agent to ask ({key} in words, {value}). */
export const OWN_FACT = ['My {key} is {value}.', 'My {key}: {value}.', 'My {key} is {value}, if you need it.'];
export const OTHER_FACT = ['The {key} is {value}.', '{Owner} {key} is {value}.'];
/** Where the thing is, for the agent to pick it out ({where}: "the project "X" and the milestone "Y""). */
export const CONTEXT_FACT = ["It's in {where}.", 'It belongs to {where}.', 'For context, it sits under {where}.', "It's filed under {where}."];
export const TELL_NEW = ["Please tell me the new {entity}'s {field} when it's done.", "I'll need the {field} of the new {entity} afterwards.", "And let me know its {field}, please."];
