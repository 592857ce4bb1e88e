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

const FS_REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of that path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the device',
};

/** One sentence for a file system error on a path (Node's errors carry the call and the path), or undefined. */
export function fileSystemError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.path !== 'string' || typeof e.syscall !== 'string') return undefined;
  return `Cannot ${e.syscall.replace(/sync$/i, '')} ${e.path}: ${FS_REASONS[e.code ?? ''] ?? e.code ?? messageOf(err)}; check the path and try again.`;
}
