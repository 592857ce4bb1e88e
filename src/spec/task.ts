import { z } from 'zod';

export const Action = z.object({
  tool: z.string(),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type Action = z.infer<typeof Action>;

/** A statement applied to a fresh state before the session starts. Same checks as tool SQL. */
export const InitialStatement = z.object({
  sql: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type InitialStatement = z.infer<typeof InitialStatement>;

export const Task = z.object({
  id: z.string().min(1),
  description: z.string().optional(),
  user: z.object({
    /** What the user wants, in the second person. */
    instructions: z.string(),
    /** Facts the user knows and may reveal when asked (name, email, order number...). */
    known: z.record(z.string(), z.unknown()).default({}),
    persona: z.string().optional(),
  }),
  initial: z.array(InitialStatement).default([]),
  gold: z.object({
    actions: z.array(Action),
    /** Canonical hash of the state after the gold actions, from the task's initial state. */
    state_hash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  }),
  /** Strings the agent must say to the user (case-insensitive). */
  communicate: z.array(z.string()).default([]),
  /** Which parts of the reward count. Default: state and communication; actions only for read-only tasks. */
  evaluation: z
    .object({
      state: z.boolean().optional(),
      communicate: z.boolean().optional(),
      actions: z.boolean().optional(),
    })
    .default({}),
  tags: z.array(z.string()).default([]),
});
export type Task = z.infer<typeof Task>;
export type TaskInput = z.input<typeof Task>;

export const TaskFile = z.array(Task);
