import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Domain } from '../env/domain.js';
import { UserError, messageOf } from '../util/errors.js';
import { startHeartbeat } from '../util/watched-process.js';
import type { FromChild, ProcessBinderOptions, ToChild } from './domain-process.js';
import { createDomainServer, type SessionBinding } from './server.js';

/**
 * The process of one domain (see domain-process.ts): it holds the domain's sessions, each an MCP
 * server on its own state, and exchanges their JSON-RPC messages with the host over IPC.
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
  server: Server;
  binding?: SessionBinding;
  close(): void;
}

let domain: Domain;
let bind: ((query: Record<string, string>) => Promise<SessionBinding | undefined>) | undefined;
let reportCalls = false;
let closeStore: (() => void) | undefined;
const sessions = new Map<number, Live>();

async function init(m: Extract<ToChild, { type: 'init' }>): Promise<void> {
  domain = new Domain(m.spec, m.dir);
  reportCalls = m.reportCalls;
  const options: ProcessBinderOptions | undefined = m.binder;
  if (options) {
    const store = options.store ? (await import('../record/store.js')).TrajectoryStore.open(options.store) : undefined;
    const binder = (await import('./sidecar.js')).sessionBinder({
      store,
      tasksFile: options.tasksFile,
      defaultUser: options.defaultUser,
      userEndpoint: { baseURL: options.userBaseUrl },
      report: (line) => process.stderr.write(`${line}\n`),
    });
    bind = (query) => binder(domain, { task: query.task, user: query.user });
    closeStore = () => store?.close();
  }
  startHeartbeat();
  send({ type: 'ready' });
}

async function open(key: number, query: Record<string, string>): Promise<void> {
  try {
    await openSession(key, query);
  } catch (err) {
    sessions.get(key)?.close();
    sessions.delete(key);
    send({ type: 'refused', key, message: messageOf(err), userError: err instanceof UserError });
  }
}

async function openSession(key: number, query: Record<string, string>): Promise<void> {
  const binding = await bind?.(query);
  const state = binding?.session ?? domain.openSession();
  const link = new HostLink(key);
  const server = createDomainServer(domain, {
    session: state,
    extension: binding?.extension,
    onToolCall: (event) => {
      binding?.onToolCall?.(event);
      if (reportCalls) send({ type: 'call', key, event });
    },
  });
  let closed = false;
  const live: Live = {
    link,
    server,
    binding,
    close: () => {
      if (closed) return;
      closed = true;
      try {
        binding?.onEnd?.();
      } finally {
        state.close();
        void server.close();
      }
    },
  };
  sessions.set(key, live);
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
