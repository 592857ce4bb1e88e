import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_CACHE_DIR } from '../llm/cache.js';

/** Commander argument parsers that reject bad values with one clear sentence. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number, not "${value}".`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number (0 or more), not "${value}".`);
    return n;
  };
}

/** A finite number; with `positive`, above zero. */
export function decimal(name: string, positive = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (positive && n <= 0)) throw new InvalidArgumentError(`${name} must be a ${positive ? 'positive ' : ''}number, not "${value}".`);
    return n;
  };
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`port must be a number from 0 to 65535, not "${value}".`);
  return n;
}

/** A JSON object given on the command line. */
export function jsonObject(name: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InvalidArgumentError(`${name} is not valid JSON; pass an object such as '{"task_id": "T-1001"}'.`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError(`${name} must be a JSON object such as '{"task_id": "T-1001"}'.`);
    return parsed as Record<string, unknown>;
  };
}

/** The options of a verb that can have a model do part of its work; `llm` says what the model does. */
export function withModelOptions(command: Command, llm: string): Command {
  return command
    .option('--llm', llm)
    .option('--model <name>', 'model for --llm')
    .option('--base-url <url>', 'endpoint for --llm (default $OPENAI_BASE_URL)')
    .option('--cache <dir>', 'where model responses are cached', DEFAULT_CACHE_DIR);
}

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
