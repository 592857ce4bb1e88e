import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DomainCatalog } from '../../src/ui/domains.js';
import { PROJECTS_DIR } from '../helpers/viewer-store.js';

const work = mkdtempSync(join(tmpdir(), 'envscale-ui-verification-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the viewer counts verdicts from a verification.json in its format, and none from one that is not', () => {
  const dir = join(work, 'projects');
  cpSync(PROJECTS_DIR, dir, { recursive: true });
  const verified = () => new DomainCatalog([work]).list().find((d) => d.name === 'projects')?.verified;
  const verdict = (tool: string, ok: boolean) => ({ tool, kind: 'read', ok, warnings: [], ...(ok ? {} : { code: 'output schema', reason: 'refused' }) });
  writeFileSync(join(dir, 'verification.json'), JSON.stringify({ tools: [verdict('a', true), verdict('b', true), verdict('c', false)] }));
  expect(verified()).toEqual({ ok: 2, failed: 1 });
  // A verdict with an unknown failure code is not this format: no counts rather than wrong ones.
  writeFileSync(join(dir, 'verification.json'), JSON.stringify({ tools: [verdict('a', true), { ...verdict('c', false), code: 'gremlins' }] }));
  expect(verified()).toBeNull();
});
