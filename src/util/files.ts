import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError, messageOf } from './errors.js';

/**
 * Create a folder (and its parents) for output, with one clear sentence when a part of the path
 * is a file or cannot be created.
 */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw underFile(dir, fileOnPath(dir));
    throw new UserError(`Cannot create the folder ${dir}: ${messageOf(err)}.`);
  }
}

/** Refuse, before any work is done, an output folder that cannot be created because a part of its path is a file. */
export function checkOutputDir(dir: string): void {
  const file = fileOnPath(dir);
  if (file) throw underFile(dir, file);
}

const underFile = (dir: string, file: string | undefined) => new UserError(`Cannot create the folder ${dir}: ${file ?? 'a part of that path'} is a file; choose another path.`);

/** The first part of a path that exists and is not a folder. */
function fileOnPath(path: string): string | undefined {
  let at = resolve(path);
  const parts: string[] = [];
  while (dirname(at) !== at) {
    parts.unshift(at);
    at = dirname(at);
  }
  return parts.find((p) => existsSync(p) && !statSync(p).isDirectory());
}

/** Write a file so that readers see the old content or the new, never half of it. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDir(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UserError(`Cannot write ${path}: ${messageOf(err)}.`);
  }
}

/** Read and parse a JSON file, with one clear sentence when it is missing or broken. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path} does not exist.` : `Cannot read ${path}: ${messageOf(err)}.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON (${messageOf(err)}); fix the file and try again.`);
  }
}
