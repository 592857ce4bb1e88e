import type { Domain } from '../env/domain.js';
import type { EpisodeOutcome } from '../record/recorder.js';
import type { EpisodeSink } from '../record/store.js';
import type { Task } from '../spec/task.js';
import { messageOf } from '../util/errors.js';
import { McpEnvironment } from './environment.js';
import { ModelFailure } from '../llm/failure.js';
import { DEFAULT_LIMITS, Episode, type EpisodeLimits } from '../episode/episode.js';
import { type Agent, type SimulatedUser } from '../episode/types.js';

export { DEFAULT_LIMITS, type EpisodeLimits };

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

/**
 * One episode: the agent greets, the simulated user states the request, then the agent calls
 * tools (through MCP) and talks until the user stops, the agent transfers, or a limit is hit.
 * The Episode runs the user, the state, the limits and the recording, exactly as it does for
 * served episodes; this loop only plays the agent. Model failures end the episode as failed,
 * never the process; the MCP connection and the state are closed on every path.
 */
export async function runEpisode(input: EpisodeInput): Promise<EpisodeResult> {
  const { domain, task, agent, user, seed } = input;
  const episode = await Episode.open({ domain, task, user, seed, writer: input.writer, keepRefused: true, limits: input.limits ?? DEFAULT_LIMITS });
  let env: McpEnvironment | undefined;
  let fatal = episode.userFailure?.fatal ? episode.userFailure : undefined;
  try {
    env = await McpEnvironment.open(episode);
    const agentSession = agent.start({ domain, task, tools: env.tools, seed, onRetry: (message, attempt) => episode.error('agent', message, attempt) });
    // The agent works (tool calls) until it has something to say to the user, who answers.
    while (!episode.checkLimits()) {
      let turn;
      try {
        turn = await agentSession.act(episode.transcript);
      } catch (err) {
        if (!(err instanceof ModelFailure)) throw err;
        episode.error('agent', err.message);
        if (err.fatal) fatal = err;
        episode.finish('agent_error', err.message);
        break;
      }
      episode.agentTurn(turn.content, turn.toolCalls);
      if (turn.toolCalls.length === 0) {
        if (turn.content.trim()) await episode.userReply();
        else episode.emptyReply();
        continue;
      }
      for (const call of turn.toolCalls) {
        if (episode.done) break;
        await env.call(call);
      }
    }
    if (episode.userFailure?.fatal) fatal ??= episode.userFailure;
    await env.close();
    const outcome = episode.finish();
    return { ...outcome, ...(fatal ? { fatal } : {}) };
  } catch (err) {
    // An internal failure: the episode is kept as failed with the reason, the run goes on.
    return episode.finish('agent_error', `internal error: ${messageOf(err)}`);
  } finally {
    await env?.close();
    episode.close();
  }
}
