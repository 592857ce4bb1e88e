import { resolve } from 'node:path';
import { readDomainSpec } from '../../src/env/load.js';
import type { DomainSpec } from '../../src/spec/domain.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const tinyDir = resolve(repoRoot, 'fixtures/domains/tiny');

/** A fresh, mutable copy of the tiny domain's spec, for tests that vary it. */
export function tinySpec(): DomainSpec {
  return structuredClone(readDomainSpec(tinyDir));
}
