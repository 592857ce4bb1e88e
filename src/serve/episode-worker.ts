import { Domain, DomainError } from '../env/domain.js';
import { readDomainSpec } from '../env/load.js';
import { ActionRefused, EpisodeOver, type Episode } from '../episode/episode.js';
import { domainInfo } from '../episode/port.js';
import { UserError, messageOf } from '../util/errors.js';
import { batchedSender, onParentMessage, startHeartbeat } from '../util/watched-process.js';
import type { FromWorker, ToWorker } from './workers.js';

/**
 * The process of one domain (see workers.ts): it loads the domain, opens its episodes with an
 * opener of its own (recording to the same store as every other domain's process) and takes
 * their actions for the server, which keeps the network and the protocols.
 */

// Replies of one turn go together (the server batches its requests the same way).
const send = batchedSender<FromWorker>((batch) => process.connected && process.send?.(batch));

let domain: Domain;
let opener: Awaited<ReturnType<typeof makeOpener>>;
let closeStore: (() => void) | undefined;
const episodes = new Map<number, Episode>();

// A process may be started before its domain is known (a spare, see workers.ts): it says it is
// alive from the start, and loads what opening episodes needs while it waits.
startHeartbeat();
const openerModule = import('../episode/opener.js');
const storeModule = import('../record/store.js');

async function makeOpener(options: Extract<ToWorker, { type: 'init' }>['opener']) {
  const { store: path, tasksFile, defaultUser, userBaseUrl } = options;
  const store = path ? (await storeModule).TrajectoryStore.open(path) : undefined;
  closeStore = () => store?.close();
  return (await openerModule).episodeOpener({
    store,
    tasksFile,
    defaultUser,
    userEndpoint: { baseURL: userBaseUrl },
    report: (line) => process.stderr.write(`${line}\n`),
  });
}

async function init(m: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  // Building a large domain's image takes a while: the server allows it before the first heartbeat.
  try {
    const spec = m.spec ?? readDomainSpec(m.dir!);
    if (spec.name !== m.name) throw new UserError(`The folder ${m.dir} holds domain ${spec.name}, not ${m.name}; name the folder after its domain.`);
    domain = new Domain(spec, m.dir);
  } catch (err) {
    if (!(err instanceof UserError || err instanceof DomainError)) throw err;
    send({ type: 'failed', message: `Domain ${m.name} cannot be served: ${err.message}` });
    return;
  }
  opener = await makeOpener(m.opener);
  send({ type: 'ready', info: domainInfo(domain) });
}

async function open(key: number, request: Extract<ToWorker, { type: 'open' }>['request']): Promise<void> {
  try {
    const episode = await opener(domain, request);
    episodes.set(key, episode);
    send({ type: 'opened', key, id: episode.id, taskId: episode.taskId, hasUser: episode.hasUser, opening: episode.opening });
  } catch (err) {
    send({ type: 'refused', key, message: messageOf(err), userError: err instanceof UserError });
  }
}

/** Answer request `req` with what `body` gives, an episode's refusals by kind. */
async function reply(req: number, body: () => Promise<unknown>): Promise<void> {
  try {
    send({ type: 'reply', req, value: await body() });
  } catch (err) {
    const kind = err instanceof EpisodeOver ? 'over' : err instanceof ActionRefused ? 'refused' : 'error';
    send({ type: 'reply', req, error: { kind, message: messageOf(err) } });
  }
}

function episode(key: number): Episode {
  const found = episodes.get(key);
  if (!found) throw new EpisodeOver('This episode was closed.');
  return found;
}

onParentMessage<ToWorker>((m) => {
  switch (m.type) {
    case 'init':
      void init(m);
      return;
    case 'open':
      void open(m.key, m.request);
      return;
    case 'perform':
      void reply(m.req, () => episode(m.key).perform(m.action, m.callId));
      return;
    case 'status':
      void reply(m.req, () => episode(m.key).status());
      return;
    case 'close': {
      const found = episodes.get(m.key);
      episodes.delete(m.key);
      // Ending the episode scores a task-bound one while its state is still open.
      found?.close();
      return;
    }
  }
});

// The server closed the channel (it is stopping, or the domain idled, or the server died): end
// every episode, so that each is recorded as ended, and leave.
process.once('disconnect', () => {
  for (const e of episodes.values()) e.close();
  episodes.clear();
  closeStore?.();
  process.exit(0);
});
