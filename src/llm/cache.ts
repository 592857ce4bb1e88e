import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { writeFileAtomic } from '../util/files.js';
import type { ChatModel } from './chat-model.js';

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

/**
 * The model's reply text to `messages`, from the cache when this model was asked exactly this
 * before (same messages, temperature and reply format), else from the model, then cached.
 */
export async function cachedCompletion(cache: ResponseCache, model: ChatModel, messages: ChatCompletionMessageParam[], options: { json?: boolean } = {}): Promise<string> {
  const key = cache.key(model.model, { messages, temperature: model.endpoint.temperature, ...(options.json ? { json: true } : {}) });
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const text = (await model.complete(messages, options)).content;
  cache.set(key, text);
  return text;
}
