import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Domain } from '../env/domain.js';
import { Episode, type ToolCallEvent } from '../episode/episode.js';
import type { EpisodeOpener } from '../episode/opener.js';
import { UserError, messageOf } from '../util/errors.js';
import { startHeartbeat } from '../util/watched-process.js';
import type { FromChild, ToChild } from './domain-process.js';
import { createDomainServer } from './server.js';

/**
 * The process of one domain (see domain-process.ts): it holds the domain's sessions, each an MCP
 * server on an episode of its own, and exchanges their JSON-RPC messages with the host over IPC.
 */

const send = (m: FromChild) => process.send?.(m);

/** An MCP transport whose other end is the host, which speaks HTTP to the client. */
class HostLink implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  constructor(private readonly key: number) {}
  async start(): Promise<void> {}
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    send({ type: 'message', key: this.key, message, ...(options?.relatedRequestId !== undefined ? { relatedRequestId: options.relatedRequestId } : {}) });
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}

interface Live {
  link: HostLink;
  close(): void;
}

let domain: Domain;
let opener: EpisodeOpener | undefined;
let reportCalls = false;
let closeStore: (() => void) | undefined;
const sessions = new Map<number, Live>();

async function init(m: Extract<ToChild, { type: 'init' }>): Promise<void> {
  domain = new Domain(m.spec, m.dir);
  reportCalls = m.reportCalls;
  if (m.opener) {
    const { store: path, tasksFile, defaultUser, userBaseUrl } = m.opener;
    const store = path ? (await import('../record/store.js')).TrajectoryStore.open(path) : undefined;
    opener = (await import('../episode/opener.js')).episodeOpener({
      store,
      tasksFile,
      defaultUser,
      userEndpoint: { baseURL: userBaseUrl },
      report: (line) => process.stderr.write(`${line}\n`),
    });
    closeStore = () => store?.close();
  }
  startHeartbeat();
  send({ type: 'ready' });
}

async function open(key: number, query: Record<string, string>): Promise<void> {
  const onToolCall = (event: ToolCallEvent) => reportCalls && send({ type: 'call', key, event });
  let episode: Episode;
  try {
    episode = await (opener ? opener(domain, { task: query.task, user: query.user, onToolCall }) : Episode.open({ domain, onToolCall }));
  } catch (err) {
    return void send({ type: 'refused', key, message: messageOf(err), userError: err instanceof UserError });
  }
  const server: Server = createDomainServer(episode);
  const link = new HostLink(key);
  let closed = false;
  sessions.set(key, {
    link,
    close: () => {
      if (closed) return;
      closed = true;
      try {
        // Ending the episode scores a task-bound one while its state is still open.
        episode.close();
      } finally {
        void server.close();
      }
    },
  });
  await server.connect(link);
  send({ type: 'opened', key });
}

process.on('message', (m: ToChild) => {
  switch (m.type) {
    case 'init':
      void init(m);
      return;
    case 'open':
      void open(m.key, m.query);
      return;
    case 'message':
      sessions.get(m.key)?.link.onmessage?.(m.message);
      return;
    case 'close': {
      const live = sessions.get(m.key);
      sessions.delete(m.key);
      live?.close();
      return;
    }
  }
});

// The host closed the channel (it is shutting down, or it died): end every session and leave.
process.once('disconnect', () => {
  for (const live of sessions.values()) live.close();
  sessions.clear();
  closeStore?.();
  process.exit(0);
});
