import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** `npm run build` bundles the viewer's front end into dist/ui, which the viewer server reads. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset paths: the viewer works wherever it is mounted (/ui under serve, or its own server).
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    // sigma.js is one chunk of its own, loaded by the graph pages only.
    chunkSizeWarningLimit: 800,
  },
});
