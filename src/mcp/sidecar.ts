import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Domain } from '../env/domain.js';
import { readTasks } from '../env/load.js';
import { openTaskSession } from '../env/replay.js';
import { EpisodeRecorder, type EpisodeOutcome } from '../record/recorder.js';
import type { TrajectoryStore } from '../record/store.js';
import type { Endpoint } from '../llm/chat-model.js';
import { ModelFailure } from '../llm/chat-model.js';
import { agentSystemPrompt } from '../episode/prompts.js';
import { domainTools, isReadOnly } from '../episode/tools.js';
import { makeUser } from '../episode/users.js';
import { GREETING, userStopReason } from '../spec/chat.js';
import type { UserSession } from '../episode/types.js';
import type { Task } from '../spec/task.js';
import type { StopReason } from '../spec/trajectory.js';
import { UserError } from '../util/errors.js';
import type { ServerExtension, SessionBinding, ToolCallEvent } from './server.js';

export const SEND_TOOL = 'send_message_to_user';
export const REQUEST_PROMPT = 'user_request';

export interface BinderOptions {
  /** Record every session here; without a store only task-bound sessions are scored (and reported). */
  store?: TrajectoryStore;
  /** Task file for every domain (default: each domain's tasks.json). */
  tasksFile?: string;
  /** Simulated user when the session does not name one. */
  defaultUser: string;
  userEndpoint?: Partial<Endpoint>;
  /** Where a scored session's verdict is reported (stderr for the CLI). */
  report?: (line: string) => void;
}

export interface BindRequest {
  task?: string;
  user?: string;
}

/**
 * Makes the binding of each new MCP session: recorded when there is a store, and bound to a task
 * with a sidecar simulated user when one is named. One run per domain per server process.
 */
export function sessionBinder(options: BinderOptions): (domain: Domain, request: BindRequest) => Promise<SessionBinding | undefined> {
  const runs = new Map<string, number>();
  const runOf = (domain: Domain, user?: string) => {
    const key = `${domain.name}\0${user ?? ''}`;
    let id = runs.get(key);
    if (id === undefined && options.store) {
      id = options.store.openRun({ key: null, kind: 'serve', domain: domain.name, ...(user ? { user: { spec: user } } : {}), settings: { domain_dir: domain.dir } }).id;
      runs.set(key, id);
    }
    return id;
  };
  return async (domain, request) => {
    if (!request.task && !options.store) return undefined;
    const task = request.task ? findTask(domain, request.task, options.tasksFile) : undefined;
    const userSpec = task ? (request.user ?? options.defaultUser) : undefined;
    const runId = runOf(domain, userSpec);
    const store = options.store;
    const writer =
      store && runId !== undefined
        ? store.beginEpisode({
            runId,
            domain: domain.name,
            taskId: task?.id ?? null,
            trial: store.nextTrial(runId, task?.id ?? null),
            toolset: store.putTools(domainTools(domain)),
            taskKey: task && store.putTask(domain.name, task, isReadOnly(domain, task)),
          })
        : undefined;
    const rec = new EpisodeRecorder(writer);
    const session = task ? openTaskSession(domain, task) : domain.openSession();
    rec.lastHash = session.stateHash();
    rec.message('system', agentSystemPrompt(domain));
    let calls = 0;
    const onToolCall = (event: ToolCallEvent) => {
      // An MCP client's call has no visible assistant turn: it is recorded as one holding the call.
      const id = `call_${++calls}`;
      rec.message('assistant', '', [{ id, name: event.tool, arguments: JSON.stringify(event.args) }]);
      const error = event.unknown ? ('unknown_tool' as const) : ('domain' as const);
      rec.toolResult({ call_id: id, tool: event.tool, args: event.args, ok: event.result.ok, content: event.result.text, ...(event.result.ok ? {} : { error }), ms: event.ms, ...(event.stateHash ? { state_hash: event.stateHash } : {}) });
    };
    const sidecar = task ? await startSidecar(domain, task, userSpec!, rec, options.userEndpoint) : undefined;
    let ended = false;
    return {
      session,
      extension: sidecar?.extension,
      onToolCall,
      onEnd: () => {
        if (ended) return;
        ended = true;
        const outcome = rec.finish({ domain, task, session, stopReason: sidecar?.stopReason() ?? 'session_end' });
        if (task) options.report?.(verdictLine(task, outcome, rec.episodeId));
      },
    };
  };
}

function findTask(domain: Domain, id: string, file?: string): Task {
  const tasks = file ? readTasks(domain.dir!, file) : domain.dir ? readTasks(domain.dir) : [];
  const task = tasks.find((t) => t.id === id);
  if (!task) throw new UserError(`No task ${id} in the ${domain.name} tasks; run "envscale check-tasks ${domain.name}" to list them.`);
  return task;
}

function verdictLine(task: Task, outcome: EpisodeOutcome, episode?: number): string {
  const where = episode === undefined ? '' : ` (episode ${episode})`;
  const v = outcome.verdict;
  return `task ${task.id}${where}: reward ${v?.reward ?? '-'}${v && v.reward !== 1 ? `: ${v.explanation.split('\n')[0]}` : ''}`;
}

/**
 * The simulated user beside a task-bound session: it has stated its request before the agent
 * connects (a prompt and the send tool's description carry it), and answers each message the
 * agent sends through the tool until it stops.
 */
async function startSidecar(domain: Domain, task: Task, spec: string, rec: EpisodeRecorder, endpoint?: Partial<Endpoint>) {
  const user = makeUser(spec, endpoint);
  const userSession: UserSession = user.start({ domain, task, seed: 0, onRetry: (m, attempt) => rec.error('user', m, attempt) });
  rec.message('assistant', GREETING, [], false);
  let opening: string;
  try {
    opening = await userSession.reply(rec.transcript);
  } catch (err) {
    rec.finish({ domain, task, stopReason: 'user_error', error: (err as Error).message });
    if (err instanceof ModelFailure) throw new UserError(err.message);
    throw err;
  }
  rec.message('user', opening);
  let stop: StopReason | undefined = userStopReason(opening);

  const tool: Tool = {
    name: SEND_TOOL,
    description: `Send a message to the user you are helping and get their reply. The user opened with: "${opening}". Ask for what you need, confirm before changing anything, and tell them the outcome; the conversation is over when the user's reply contains ###STOP###.`,
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'what to say to the user' } }, required: ['message'] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
  const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });
  const extension: ServerExtension = {
    tools: [tool],
    instructions: `This session serves a user with a request (task ${task.id}). Their opening message is the prompt "${REQUEST_PROMPT}"; talk to them with the tool ${SEND_TOOL}.`,
    prompts: [{ name: REQUEST_PROMPT, description: "The opening message of the user this session serves." }],
    getPrompt: () => ({ messages: [{ role: 'user', content: { type: 'text', text: opening } }] }),
    callTool: async (_name, args) => {
      const message = typeof args.message === 'string' ? args.message : '';
      if (!message.trim()) return text(`Error: ${SEND_TOOL} needs a non-empty "message".`, true);
      if (stop) return text('The user has ended the conversation; there is nobody to send this to.', true);
      rec.message('assistant', message);
      let reply: string;
      try {
        reply = await userSession.reply(rec.transcript);
      } catch (err) {
        if (!(err instanceof ModelFailure)) throw err;
        rec.error('user', err.message);
        return text(`The simulated user could not answer: ${err.message}`, true);
      }
      rec.message('user', reply);
      stop = userStopReason(reply);
      return text(stop ? `${reply}\n(The user has ended the conversation.)` : reply);
    },
  };
  return { extension, stopReason: () => stop };
}
