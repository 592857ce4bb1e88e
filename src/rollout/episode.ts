import type { Domain } from '../env/domain.js';
import { EpisodeRecorder, type EpisodeOutcome } from '../record/recorder.js';
import type { EpisodeSink } from '../record/store.js';
import type { Task } from '../spec/task.js';
import type { StopReason } from '../spec/trajectory.js';
import { messageOf } from '../util/errors.js';
import { McpEnvironment } from './environment.js';
import { ModelFailure } from '../llm/chat-model.js';
import { agentSystemPrompt } from '../episode/prompts.js';
import { GREETING, isTransferTool, userStopReason } from '../spec/chat.js';
import { type Agent, type SimulatedUser } from '../episode/types.js';

export interface EpisodeLimits {
  /** Most messages and tool-calling steps of agent and user together. */
  maxTurns: number;
  /** Most failed tool calls (domain refusals and malformed calls) before the episode ends. */
  maxErrors: number;
}

export const DEFAULT_LIMITS: EpisodeLimits = { maxTurns: 40, maxErrors: 10 };

export interface EpisodeInput {
  domain: Domain;
  task: Task;
  agent: Agent;
  user: SimulatedUser;
  seed: number;
  limits?: EpisodeLimits;
  writer?: EpisodeSink;
}

export interface EpisodeResult extends EpisodeOutcome {
  /** Set when a model endpoint failed in a way no later episode can get past. */
  fatal?: ModelFailure;
}

/** Ends the dialogue from inside the loop with a reason. */
class Stop {
  constructor(
    readonly reason: StopReason,
    readonly error?: string,
  ) {}
}

/**
 * One episode: the agent greets, the simulated user states the request, then the agent calls
 * tools (through MCP) and talks until the user stops, the agent transfers, or a limit is hit.
 * Model failures end the episode as failed, never the process; the MCP connection and the state
 * are closed on every path.
 */
export async function runEpisode(input: EpisodeInput): Promise<EpisodeResult> {
  const { domain, task, agent, user, seed } = input;
  const limits = input.limits ?? DEFAULT_LIMITS;
  const rec = new EpisodeRecorder(input.writer);
  const env = await McpEnvironment.open(domain, task);
  let fatal: ModelFailure | undefined;
  try {
    const retryAs = (source: 'agent' | 'user') => (message: string, attempt: number) => rec.error(source, message, attempt);
    const agentSession = agent.start({ domain, task, tools: env.tools, seed, onRetry: retryAs('agent') });
    const userSession = user.start({ domain, task, seed, onRetry: retryAs('user') });
    const overTurns = () => {
      if (rec.counts.turns >= limits.maxTurns) throw new Stop('max_turns');
    };
    const ask = async <T>(source: 'agent' | 'user', run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof ModelFailure)) throw err;
        rec.error(source, err.message);
        if (err.fatal) fatal = err;
        throw new Stop(source === 'agent' ? 'agent_error' : 'user_error', err.message);
      }
    };

    const errors = () => rec.counts.tool_errors + rec.counts.empty_replies;
    const dialogue = async (): Promise<Stop> => {
      try {
        for (;;) {
          overTurns();
          const said = await ask('user', () => userSession.reply(rec.transcript));
          rec.message('user', said);
          const stop = userStopReason(said);
          if (stop) return new Stop(stop);
          if (!said.trim()) rec.emptyReply('user');
          // The agent works (tool calls) until it has something to say to the user.
          for (;;) {
            overTurns();
            const turn = await ask('agent', () => agentSession.act(rec.transcript));
            rec.message('assistant', turn.content, turn.toolCalls);
            if (turn.toolCalls.length === 0) {
              if (turn.content.trim()) break;
              rec.emptyReply('agent');
              if (errors() >= limits.maxErrors) return new Stop('max_errors');
              continue;
            }
            for (const call of turn.toolCalls) {
              rec.toolResult(await env.call(call));
              if (errors() >= limits.maxErrors) return new Stop('max_errors');
            }
            if (turn.toolCalls.some((c) => isTransferTool(c.name))) return new Stop('transfer');
          }
        }
      } catch (err) {
        if (err instanceof Stop) return err;
        throw err;
      }
    };

    rec.message('system', agentSystemPrompt(domain));
    rec.message('assistant', GREETING, [], false);
    const ending = await dialogue();
    await env.close();
    const outcome = rec.finish({ domain, task, session: env.session, stopReason: ending.reason, error: ending.error });
    return { ...outcome, ...(fatal ? { fatal } : {}) };
  } catch (err) {
    // An internal failure: the episode is kept as failed with the reason, the run goes on.
    return rec.finish({ domain, task, stopReason: 'agent_error', error: `internal error: ${messageOf(err)}` });
  } finally {
    await env.close();
    env.closeSession();
  }
}
