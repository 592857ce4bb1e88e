import { randomBytes } from 'node:crypto';
import { argumentProblem } from '../env/arguments.js';
import type { Domain } from '../env/domain.js';
import type { ToolResult } from '../env/executor.js';
import { openTaskSession } from '../env/replay.js';
import type { Session } from '../env/session.js';
import { ModelFailure } from '../llm/failure.js';
import { EpisodeRecorder, type EpisodeOutcome } from '../record/recorder.js';
import { evaluateEpisode, type Verdict } from '../record/reward.js';
import type { EpisodeSink } from '../record/store.js';
import { GREETING, isTransferTool, userStopReason, type ChatMessage } from '../spec/chat.js';
import type { Task } from '../spec/task.js';
import type { StopReason, StoredToolCall, ToolErrorKind } from '../spec/trajectory.js';
import type { EpisodeAction } from '../spec/episode-api.js';
import { domainInfo, type ActionOutcome, type ActionResult, type DomainInfo, type EpisodePort, type EpisodeStatus, type EpisodeView, type StartObservation, startObservation } from './port.js';
import { Progress, type ShapingOptions } from './shaping.js';
import type { SimulatedUser, UserSession } from './types.js';

export interface EpisodeLimits {
  /** Most messages and tool-calling steps of agent and user together. */
  maxTurns: number;
  /** Most failed tool calls (domain refusals and malformed calls) and empty replies before the episode ends. */
  maxErrors: number;
}

export const DEFAULT_LIMITS: EpisodeLimits = { maxTurns: 40, maxErrors: 10 };

/** What an episode reports after every call to a domain tool (the HTTP host's observers listen here). */
export interface ToolCallEvent {
  tool: string;
  args: Record<string, unknown>;
  result: ToolResult;
  /** Wall time of the call in the engine, milliseconds. */
  ms: number;
  /** State hash after the call, for write tools. */
  stateHash?: string;
  /** The domain has no such tool. */
  unknown?: boolean;
}

export interface EpisodeInit {
  domain: Domain;
  /** Binds the episode to a task: its initial state, a reward, and (with `user`) a simulated user. */
  task?: Task;
  user?: SimulatedUser;
  /** The state to act on, owned by the caller (default: a new one, closed with the episode). */
  state?: Session;
  /** Passed to the user model (models that accept one). */
  seed?: number;
  /**
   * Where the episode is recorded. A function is called once the user's opening succeeded, so a
   * refused episode leaves nothing in the store (unless `keepRefused`).
   */
  writer?: EpisodeSink | (() => EpisodeSink | undefined);
  /** Record and finish an episode whose simulated user failed to open (rollouts keep the failure). */
  keepRefused?: boolean;
  /** Limits of the episode: a task-bound one has the defaults unless given others, one without a task none unless given. */
  limits?: EpisodeLimits;
  /** Dense reward shaping (off by default); see shaping.ts. */
  shaping?: ShapingOptions;
  /** Called once, when the episode ends (its verdict is in the outcome). */
  onFinish?: (outcome: EpisodeOutcome, episode: Episode) => void;
  /** Called once, when the episode is closed (its state freed). */
  onClose?: () => void;
}

/** A tool call as the episode answered it. */
export interface ToolStep {
  tool: string;
  ok: boolean;
  /** What the agent sees. */
  text: string;
  /** The result as data, when the call succeeded (structured content for MCP). */
  value?: unknown;
  error?: ToolErrorKind;
  stateHash?: string;
  /** The dense reward of this step (with shaping on). */
  shaped?: number;
}

/** What a message to the simulated user brought back. */
export interface MessageStep {
  reply: string;
  shaped?: number;
}

/** Thrown by an action on an episode that has ended; the message says why. */
export class EpisodeOver extends Error {
  override name = 'EpisodeOver';
}

/** Thrown by an action the episode cannot take (a message in an episode without a user). */
export class ActionRefused extends Error {
  override name = 'ActionRefused';
}

/** 128 random bits, URL-safe: the id is the only credential an episode has. */
export const newEpisodeId = () => randomBytes(16).toString('base64url');

/**
 * One episode: one isolated state of a domain, optionally bound to a task and a simulated user,
 * recorded by one recorder whichever route its actions come through (MCP clients, the step API,
 * OpenEnv, the rollout loop). Actions are recorded in the order they are taken; the reward is the
 * recorder's (the same function `evaluate` runs), so every route scores alike.
 */
export class Episode implements EpisodePort {
  readonly id = newEpisodeId();
  readonly domain: Domain;
  readonly task?: Task;
  readonly state: Session;
  readonly recorder: EpisodeRecorder;
  readonly limits?: EpisodeLimits;
  /** The simulated user's opening message (task-bound episodes with a user). */
  readonly opening?: string;
  /** Every tool call and message, whichever route it came through. */
  steps = 0;
  private readonly userSession?: UserSession;
  private readonly init: EpisodeInit;
  private readonly progress?: Progress;
  private lastProgress = 0;
  private stop?: { reason: StopReason; error?: string };
  private outcome?: EpisodeOutcome;
  /** Call ids of the last recorded agent turn that still wait for their result. */
  private readonly pending = new Set<string>();
  private transferAfterTurn = false;
  private closed = false;
  private calls = 0;
  /** A model failure of the user (the rollout stops the run on a fatal one). */
  userFailure?: ModelFailure;
  /** The action in flight: routes that act concurrently (MCP clients, the step API) take turns. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The engine's report of the last tool call. */
  private lastEvent?: ToolCallEvent;

  private constructor(init: EpisodeInit, state: Session, recorder: EpisodeRecorder, userSession?: UserSession, opening?: string) {
    this.init = init;
    this.domain = init.domain;
    this.task = init.task;
    this.state = state;
    this.recorder = recorder;
    this.userSession = userSession;
    this.opening = opening;
    this.limits = init.limits ?? (init.task ? DEFAULT_LIMITS : undefined);
    if (init.task && init.shaping) {
      this.progress = new Progress(init.domain, init.task, init.shaping);
      this.lastProgress = this.progress.share(state);
    }
  }

  /**
   * Open an episode: its state (the task's initial state, or the seed), and for a task with a user
   * the user's opening message. A user model that fails here throws (a UserError-worthy failure)
   * and nothing is recorded, unless `keepRefused`.
   */
  static async open(init: EpisodeInit): Promise<Episode> {
    const { domain, task } = init;
    const retries: Array<[string, number]> = [];
    let episode: Episode | undefined;
    const onRetry = (message: string, attempt: number) => (episode ? episode.recorder.error('user', message, attempt) : retries.push([message, attempt]));
    const userSession = task && init.user ? init.user.start({ domain, task, seed: init.seed ?? 0, onRetry }) : undefined;
    // The domain's own copy: every episode's transcript shares it.
    const system = domainInfo(domain).system;
    let opening: string | undefined;
    let failure: ModelFailure | undefined;
    if (userSession) {
      try {
        opening = await userSession.reply([
          { role: 'system', content: system },
          { role: 'assistant', content: GREETING },
        ]);
      } catch (err) {
        if (!(err instanceof ModelFailure) || !init.keepRefused) throw err;
        failure = err;
      }
    }
    const writer = typeof init.writer === 'function' ? init.writer() : init.writer;
    // Without a task nothing needs the transcript: the recorder only counts (and writes to the store).
    const recorder = new EpisodeRecorder(writer, task !== undefined);
    const state = init.state ?? (task ? openTaskSession(domain, task) : domain.openSession());
    episode = new Episode(init, state, recorder, userSession, opening);
    recorder.lastHash = state.stateHash();
    recorder.message('system', system);
    if (userSession) recorder.message('assistant', GREETING, [], false);
    for (const [message, attempt] of retries) recorder.error('user', message, attempt);
    if (failure) {
      recorder.error('user', failure.message);
      episode.userFailure = failure;
      episode.end('user_error', failure.message);
    } else if (opening !== undefined) episode.heard(opening);
    return episode;
  }

  get done(): boolean {
    return this.stop !== undefined;
  }

  get stopReason(): StopReason | undefined {
    return this.stop?.reason;
  }

  get transcript(): readonly ChatMessage[] {
    return this.recorder.transcript;
  }

  /** Whether messages reach a simulated user. */
  get hasUser(): boolean {
    return this.userSession !== undefined;
  }

  /** The outcome once the episode has ended. */
  get result(): EpisodeOutcome | undefined {
    return this.outcome;
  }

  /**
   * Run an action after the ones before it have finished, so that actions arriving at once through
   * several routes are taken, and recorded, one at a time in the order they came.
   */
  act<T>(action: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(action, action);
    this.queue = run.catch(() => undefined);
    return run;
  }

  get info(): DomainInfo {
    return domainInfo(this.domain);
  }

  get taskId(): string | undefined {
    return this.task?.id;
  }

  get start(): StartObservation {
    return startObservation(this.info, this.opening);
  }

  /** Take an action after those in flight (EpisodePort). */
  perform(action: EpisodeAction, callId?: string): Promise<ActionResult> {
    return this.act(async (): Promise<ActionResult> => {
      let outcome: ActionOutcome;
      let event: ToolCallEvent | undefined;
      if (action.type === 'list_tools') outcome = { kind: 'tools', tools: this.info.tools };
      else if (action.type === 'message') outcome = { kind: 'message', step: await this.say(action.content) };
      else {
        this.lastEvent = undefined;
        outcome = { kind: 'tool', step: this.callTool(action.tool_name, action.arguments, callId) };
        event = this.lastEvent;
      }
      const shaped = outcome.kind === 'tools' ? undefined : outcome.step.shaped;
      return { outcome, view: this.view(shaped), ...(event ? { event } : {}) };
    });
  }

  /** The episode as it stands, with the reward of the step just taken. */
  view(shaped?: number): EpisodeView {
    const verdict = this.done ? this.outcome?.verdict : undefined;
    const sparse = this.done && this.task ? verdict?.reward : undefined;
    const reward = this.done && this.task ? (sparse === undefined ? null : sparse + (shaped ?? 0)) : (shaped ?? null);
    return {
      steps: this.steps,
      done: this.done,
      ...(this.stop ? { stopReason: this.stop.reason } : {}),
      ...(this.outcome?.error ? { error: this.outcome.error } : {}),
      stateHash: this.state.stateHash(),
      reward,
      ...(shaped !== undefined ? { shaped } : {}),
      ...(verdict ? { rewardParts: { counted: verdict.counted, held: verdict.held }, explanation: verdict.explanation } : {}),
    };
  }

  async status(): Promise<EpisodeStatus> {
    const verdict = this.score();
    return {
      episode_id: this.id,
      domain: this.domain.name,
      task: this.task?.id ?? null,
      steps: this.steps,
      state_hash: this.state.stateHash(),
      done: this.done,
      stop_reason: this.stopReason ?? null,
      reward: verdict?.reward ?? null,
      reward_parts: verdict ? { counted: verdict.counted, held: verdict.held } : null,
      explanation: verdict?.explanation ?? null,
      diff: verdict ? (verdict.diff ?? []) : null,
    };
  }

  /**
   * Call a domain tool. `callId` names the call in an agent turn recorded with agentTurn(); a call
   * without one (an MCP client's, the step API's) is recorded as an assistant turn holding it.
   */
  callTool(name: string, given: Record<string, unknown>, callId?: string): ToolStep {
    this.assertOpen();
    this.steps++;
    // Arguments the engine refuses whatever the tool (too large, too deep, not valid Unicode) are
    // recorded as {}: the recorder could not store them faithfully, and the result says why.
    const refused = argumentProblem(given) !== undefined;
    const args = refused ? {} : given;
    const id = this.claim(callId, name, args);
    const tool = this.domain.tools.get(name);
    let step: ToolStep;
    if (!tool) {
      const text = `Unknown tool: ${name}. The ${this.domain.name} domain has: ${[...this.domain.tools.keys()].join(', ')}.`;
      this.lastEvent = { tool: name, args, result: { ok: false, error: text, text }, ms: 0, unknown: true };
      this.recorder.toolResult({ call_id: id, tool: name, args, ok: false, content: text, error: 'unknown_tool', ms: 0 });
      step = { tool: name, ok: false, text, error: 'unknown_tool' };
    } else {
      const started = performance.now();
      const result = this.state.call(name, given, !refused);
      const ms = performance.now() - started;
      const stateHash = tool.spec.kind === 'write' ? this.state.stateHash() : undefined;
      this.lastEvent = { tool: name, args, result, ms, ...(stateHash ? { stateHash } : {}) };
      this.recorder.toolResult({ call_id: id, tool: name, args, ok: result.ok, content: result.text, ...(result.ok ? {} : { error: 'domain' as const }), ms, ...(stateHash ? { state_hash: stateHash } : {}) });
      step = { tool: name, ok: result.ok, text: result.text, ...(result.ok ? { value: result.value } : { error: 'domain' as const }), ...(stateHash ? { stateHash } : {}) };
    }
    this.afterCall();
    return { ...step, ...this.shape(!step.ok) };
  }

  /** A call that never reached a tool (no name, arguments not JSON, a transport failure): recorded as refused. */
  refuseCall(call: StoredToolCall, error: ToolErrorKind, content: string, args: Record<string, unknown> | null = null, ms = 0): void {
    this.assertOpen();
    this.steps++;
    const id = this.claim(call.id, call.name, args ?? {});
    this.recorder.toolResult({ call_id: id, tool: call.name, args, ok: false, content, error, ms });
    this.afterCall();
  }

  /** Whether a call of the last agent turn has been answered (the episode recorded its result). */
  answered(callId: string): boolean {
    return !this.pending.has(callId);
  }

  /**
   * Record an agent turn as the model wrote it (the rollout loop): its text and its tool calls,
   * which then arrive one by one through callTool/refuseCall with their ids.
   */
  agentTurn(content: string, toolCalls: StoredToolCall[]): void {
    this.assertOpen();
    this.recorder.message('assistant', content, toolCalls);
    if (toolCalls.length === 0 && content.trim()) this.steps++;
    for (const c of toolCalls) this.pending.add(c.id);
    this.transferAfterTurn = toolCalls.some((c) => isTransferTool(c.name));
  }

  /** Say something to the simulated user and get the reply (the step API's message, the sidecar tool). */
  async say(content: string): Promise<MessageStep> {
    this.assertOpen();
    if (!this.userSession) throw new ActionRefused(`Episode ${this.id} has no simulated user to talk to; create it with a task to get one.`);
    this.agentTurn(content, []);
    const reply = await this.userReply();
    return { reply, ...this.shape(false) };
  }

  /** Ask the simulated user for the next message (after the agent spoke); an ended episode returns ''. */
  async userReply(): Promise<string> {
    if (!this.userSession) throw new ActionRefused(`Episode ${this.id} has no simulated user.`);
    if (this.checkLimits()) return '';
    let reply: string;
    try {
      reply = await this.userSession.reply(this.recorder.transcript);
    } catch (err) {
      if (!(err instanceof ModelFailure)) throw err;
      this.recorder.error('user', err.message);
      this.userFailure = err;
      this.end('user_error', err.message);
      return '';
    }
    this.heard(reply);
    return reply;
  }

  /** An agent model that answered with nothing: counted as an error of the agent. */
  emptyReply(): void {
    this.recorder.emptyReply('agent');
    this.checkErrors();
  }

  /** Record an error outside the dialogue (a model retry or failure). */
  error(source: 'agent' | 'user' | 'environment', message: string, retry?: number): void {
    this.recorder.error(source, message, retry);
  }

  /** End the episode at the turn limit when it is reached; true when the episode is over. */
  checkLimits(): boolean {
    if (!this.stop && this.limits && this.recorder.counts.turns >= this.limits.maxTurns) this.end('max_turns');
    return this.done;
  }

  /** The verdict if the episode ended now (task-bound episodes), with the row diff when the state differs. */
  score(): Verdict | undefined {
    if (!this.task) return undefined;
    if (this.outcome) return this.outcome.verdict;
    return evaluateEpisode(this.domain, this.task, { session: this.state, actions: this.recorder.actions, messages: this.recorder.messages });
  }

  /**
   * End the episode: score it (while the state is open) and close it in the store. Later calls
   * return the first outcome. The state stays open for reading until close().
   */
  finish(reason: StopReason = 'session_end', error?: string): EpisodeOutcome {
    if (!this.stop) this.stop = { reason, error };
    if (!this.outcome) {
      this.outcome = this.recorder.finish({ domain: this.domain, task: this.task, session: this.state.isClosed ? undefined : this.state, stopReason: this.stop.reason, error: this.stop.error });
      this.init.onFinish?.(this.outcome, this);
    }
    return this.outcome;
  }

  /** Finish (if not yet) and free the state (unless the caller owns it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.finish();
    } finally {
      if (!this.init.state) this.state.close();
      this.init.onClose?.();
    }
  }

  private end(reason: StopReason, error?: string): void {
    if (this.stop) return;
    this.stop = { reason, error };
    this.finish();
  }

  private assertOpen(): void {
    if (this.stop) throw new EpisodeOver(`Episode ${this.id} is over (${this.stop.reason.replace(/_/g, ' ')}); start a new one.`);
  }

  /** The call id to record a result under: a pending one from agentTurn, or a new assistant turn holding the call. */
  private claim(callId: string | undefined, name: string, args: Record<string, unknown>): string {
    if (callId !== undefined && this.pending.delete(callId)) return callId;
    const id = `call_${++this.calls}`;
    // A call with no visible assistant turn (an MCP client's, the step API's) is recorded as one holding it.
    this.recorder.message('assistant', '', [{ id, name, arguments: JSON.stringify(args) }]);
    this.transferAfterTurn = isTransferTool(name);
    return id;
  }

  /** After a call: the error limit at once; a transfer, and the turn limit, once every call of the turn has its result. */
  private afterCall(): void {
    if (this.checkErrors() || this.pending.size > 0) return;
    if (this.transferAfterTurn) this.end('transfer');
    else this.checkLimits();
  }

  private checkErrors(): boolean {
    const { tool_errors, empty_replies } = this.recorder.counts;
    if (!this.stop && this.limits && tool_errors + empty_replies >= this.limits.maxErrors) this.end('max_errors');
    return this.done;
  }

  private heard(message: string): void {
    this.recorder.message('user', message);
    if (!message.trim()) this.recorder.emptyReply('user');
    const stop = userStopReason(message);
    if (stop) this.end(stop);
  }

  /** The dense reward of the step just taken: progress gained, less the penalty for a refused call. */
  private shape(refused: boolean): { shaped?: number } {
    if (!this.progress) return {};
    const now = this.state.isClosed ? this.lastProgress : this.progress.share(this.state);
    const gained = now - this.lastProgress;
    this.lastProgress = now;
    return { shaped: this.progress.weight * gained - (refused ? this.progress.penalty : 0) };
  }
}
