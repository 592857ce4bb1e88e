import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { UserError, messageOf } from '../util/errors.js';

export interface EmbeddingOptions {
  model: string;
  /** Folder of the on-disk cache; one JSON Lines file per model. */
  cacheDir: string;
  baseURL?: string;
  apiKey?: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function encode(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

function decode(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

/**
 * The cache: lines of `{"k": sha256(text), "v": base64 float32}`. Appending means a crash loses at
 * most the batch in flight; a torn last line is ignored when read.
 */
function loadCache(file: string): Map<string, Float32Array> {
  const cache = new Map<string, Float32Array>();
  if (!existsSync(file)) return cache;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const { k, v } = JSON.parse(line) as { k: string; v: string };
      if (typeof k === 'string' && typeof v === 'string') cache.set(k, decode(v));
    } catch {
      // A torn line from an interrupted run: that text is simply embedded again.
    }
  }
  return cache;
}

/**
 * Unit-length embeddings of `texts` from an OpenAI-compatible endpoint (OPENAI_BASE_URL,
 * OPENAI_API_KEY), reusing cached vectors for texts already embedded with the same model.
 */
export async function embedTexts(texts: string[], opts: EmbeddingOptions): Promise<Float32Array[]> {
  mkdirSync(opts.cacheDir, { recursive: true });
  const file = join(opts.cacheDir, `${sha256(opts.model).slice(0, 16)}.jsonl`);
  const cache = loadCache(file);
  const keys = texts.map((t) => sha256(`${opts.model}\u0000${t}`));
  const missing = [...new Set(keys.filter((k) => !cache.has(k)))];
  if (missing.length > 0) {
    const baseURL = opts.baseURL ?? process.env.OPENAI_BASE_URL;
    const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY ?? (baseURL ? 'unused' : undefined);
    if (!apiKey) throw new UserError('Embeddings need OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server); set one or partition without --embeddings.');
    const client = new OpenAI({ apiKey, baseURL, maxRetries: 1, timeout: 60_000 });
    const textOf = new Map(keys.map((k, i) => [k, texts[i]]));
    const size = opts.batchSize ?? 256;
    let dims: number | undefined;
    for (let start = 0; start < missing.length; start += size) {
      const batch = missing.slice(start, start + size);
      let data: Array<{ embedding: unknown; index: number }>;
      try {
        const res = await client.embeddings.create({ model: opts.model, input: batch.map((k) => textOf.get(k)!), encoding_format: 'float' });
        data = res.data;
      } catch (err) {
        throw new UserError(`The embeddings endpoint ${baseURL ?? 'api.openai.com'} failed for model ${opts.model} (${messageOf(err)}); check --model, OPENAI_BASE_URL and OPENAI_API_KEY.`);
      }
      const lines: string[] = [];
      for (let i = 0; i < batch.length; i++) {
        const values = data?.find((d) => d.index === i)?.embedding;
        if (!Array.isArray(values) || values.length === 0 || (dims !== undefined && values.length !== dims) || !values.every((x) => typeof x === 'number')) {
          throw new UserError(`The embeddings endpoint returned no usable vector for input ${start + i} of model ${opts.model}; check that the endpoint serves embeddings for that model.`);
        }
        dims = values.length;
        const v = unit(values as number[]);
        cache.set(batch[i], v);
        lines.push(JSON.stringify({ k: batch[i], v: encode(v) }));
      }
      appendFileSync(file, `${lines.join('\n')}\n`);
      opts.onProgress?.(Math.min(start + size, missing.length), missing.length);
    }
  }
  const vectors = keys.map((k) => cache.get(k)!);
  if (new Set(vectors.map((v) => v.length)).size > 1) {
    throw new UserError(`The embeddings cache ${file} holds vectors of different sizes for model ${opts.model}; delete it and run again.`);
  }
  return vectors;
}
