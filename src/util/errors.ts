/**
 * An error caused by the user's input (a file, an argument, an endpoint). Its message is one
 * sentence that names the thing and the fix; the CLI prints it without a stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
