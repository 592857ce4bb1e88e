import type { Agent, AgentSession, EpisodeContext } from '../episode/types.js';
import type { AgentTurn } from '../spec/chat.js';

/**
 * The final message of the oracle: it reports success and says every string the task lists to
 * communicate, whether or not they count for the reward (tau2 tasks are scored on the state only,
 * but their communicate_info is what the user should hear, and the data should say it).
 */
export function oracleReport(communicate: string[]): string {
  return communicate.length === 0 ? 'Done: your request is complete.' : `Done: your request is complete. ${communicate.join('; ')}.`;
}

/**
 * Replays the task's gold actions through MCP, one call per turn, then reports. It knows the
 * answer, so it makes rollouts and pipelines testable with no model at all. A task without gold
 * actions (the right outcome is to change nothing) gets no calls, only the report.
 */
export class OracleAgent implements Agent {
  readonly info = { spec: 'oracle' };

  start({ task }: EpisodeContext): AgentSession {
    let next = 0;
    return {
      act: async (): Promise<AgentTurn> => {
        if (next < task.gold.actions.length) {
          const i = next++;
          const { tool, args } = task.gold.actions[i];
          return { content: '', toolCalls: [{ id: `call_${i + 1}`, name: tool, arguments: JSON.stringify(args) }] };
        }
        return { content: oracleReport(task.communicate), toolCalls: [] };
      },
    };
  }
}
