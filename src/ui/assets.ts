import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { packageRoot } from '../util/package-root.js';

export interface Asset {
  body: Buffer;
  type: string;
  /** Vite names bundles by content hash, so they can be cached for good; index.html never. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Where `npm run build` puts the viewer's front end (bundled by Vite from src/ui/web). */
export const ASSET_DIR = join(packageRoot(), 'dist', 'ui');

/**
 * The built front end, read once into memory (a few hundred KB): requests are answered from this
 * map by exact path, so no URL can reach another file.
 */
export function readAssets(dir = ASSET_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const rel = relative(dir, path).split('\\').join('/');
        out.set(`/${rel}`, { body: readFileSync(path), type: TYPES[extname(path)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') });
      }
    }
  };
  walk(dir);
  return out;
}
