import type { ActionResult, EpisodeView } from '../episode/port.js';

export interface StepResponse {
  observation: Record<string, unknown>;
  reward: number | null;
  done: boolean;
  info: Record<string, unknown>;
}

/** What every step of the step API reports beside its observation. */
export function stepInfo(view: EpisodeView): Record<string, unknown> {
  return {
    steps: view.steps,
    state_hash: view.stateHash,
    ...(view.done ? { stop_reason: view.stopReason, ...(view.error ? { error: view.error } : {}) } : {}),
    ...(view.rewardParts ? { reward_parts: view.rewardParts, explanation: view.explanation } : {}),
    ...(view.shaped !== undefined ? { shaped: view.shaped } : {}),
  };
}

/** The step API's answer to an action. */
export function stepResponse({ outcome, view }: ActionResult): StepResponse {
  let observation: Record<string, unknown>;
  if (outcome.kind === 'tools') observation = { type: 'tools', tools: outcome.tools };
  else if (outcome.kind === 'message') observation = { type: 'user_message', content: outcome.step.reply };
  else {
    const { step } = outcome;
    observation = { type: 'tool_result', tool_name: step.tool, content: step.text, is_error: !step.ok, ...(step.error ? { error: step.error } : {}) };
  }
  return { observation, reward: view.reward, done: view.done, info: stepInfo(view) };
}
