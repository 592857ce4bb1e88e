import type { Agent, AgentSession, EpisodeContext } from '../episode/types.js';
import type { AgentTurn, ChatMessage } from '../spec/chat.js';
import { askFor, factsToAsk, narration, proposal, report, resultValue } from './oracle-speech.js';

/** A user's answer to "Shall I go ahead?" that declines. */
const DECLINES = /^\W*(no\b(?![ ,]*(problem|worries))|nope|don't|do not|stop|wait|hold on|never ?mind|cancel that|that's not what)/i;

/**
 * The oracle agent: it replays the task's gold actions through MCP, so it always reaches the gold
 * state (rollouts and pipelines are testable with no model at all), and it talks like an agent
 * that works through the goal. Before a call it asks the user for the known facts the call uses
 * that the user has not said; before the first write it says what it found and what it is about
 * to change, and waits for a yes; at the end it reports what changed and answers what the task
 * asks to be told, from the tool results. Its runs are recorded with agent spec `oracle`.
 */
export class OracleAgent implements Agent {
  readonly info = { spec: 'oracle' };

  start({ task, domain }: EpisodeContext): AgentSession {
    const actions = task.gold.actions;
    const isWrite = (i: number) => domain.tools.get(actions[i].tool)?.spec.kind === 'write';
    let next = 0;
    const asked = new Set<number>();
    let proposed = false;
    let declined = false;
    let reported = false;
    return {
      act: async (transcript: readonly ChatMessage[]): Promise<AgentTurn> => {
        const said = transcript.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
        const tools = transcript.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool');
        const seed = `${task.id}|${next}`;
        if (proposed && !declined && next < actions.length && isWrite(next) && lastUser(transcript) !== undefined && DECLINES.test(lastUser(transcript)!) && !reported) {
          declined = true;
          reported = true;
          return { content: "Understood, I won't make that change. Is there anything else I can help you with?", toolCalls: [] };
        }
        if (!declined && next < actions.length) {
          const action = actions[next];
          if (!asked.has(next)) {
            asked.add(next);
            const needed = factsToAsk(task, action, said, tools.map((t) => t.content).join('\n'));
            if (needed.length > 0) return { content: askFor(needed, seed), toolCalls: [] };
          }
          if (isWrite(next) && !proposed) {
            proposed = true;
            const writes = actions.slice(next).filter((_, k) => isWrite(next + k));
            return { content: proposal(domain, writes, tools.map((t) => resultValue(t.content)), seed), toolCalls: [] };
          }
          const i = next++;
          return { content: narration(domain, action, seed), toolCalls: [{ id: `call_${i + 1}`, name: action.tool, arguments: JSON.stringify(action.args) }] };
        }
        if (!reported) {
          reported = true;
          const outcomes = actions.map((action, i) => {
            const reply = tools.find((t) => t.tool_call_id === `call_${i + 1}`);
            const text = reply?.content ?? '';
            return { action, ok: reply !== undefined && !/^(Error|Invalid arguments)\b/.test(text), value: resultValue(text), text };
          });
          return { content: report(domain, task, outcomes, task.id), toolCalls: [] };
        }
        return { content: 'Glad I could help. Have a good day!', toolCalls: [] };
      },
    };
  }
}

function lastUser(transcript: readonly ChatMessage[]): string | undefined {
  for (let i = transcript.length - 1; i >= 0; i--) if (transcript[i].role === 'user') return transcript[i].content;
  return undefined;
}
