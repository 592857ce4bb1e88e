import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/files.js';

/** Where model responses are cached unless a command says otherwise. */
export const DEFAULT_CACHE_DIR = join('.envscale', 'cache', 'llm');

/**
 * Model responses on disk, one file per request, keyed by a hash of the model and the request,
 * so reruns are reproducible and free. Files are written atomically: a crash never leaves half.
 */
export class ResponseCache {
  constructor(readonly dir: string = DEFAULT_CACHE_DIR) {}

  key(model: string, request: unknown): string {
    return createHash('sha256').update(model).update('\0').update(JSON.stringify(request)).digest('hex');
  }

  get(key: string): string | undefined {
    const file = this.file(key);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { response: string }).response : undefined;
  }

  set(key: string, response: string): void {
    writeFileAtomic(this.file(key), JSON.stringify({ response }));
  }

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
