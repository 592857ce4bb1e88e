import type { DomainSpec } from '../spec/domain.js';
import { startHeartbeat } from '../util/watched-process.js';
import { verifySpec } from './verify.js';
import type { FromVerifier } from './verify-bounded.js';

/** The process that verifies one spec for verifyBounded: it names each tool as it starts, then sends the result and exits. */
process.once('message', (spec: DomainSpec) => {
  startHeartbeat();
  const result = verifySpec(spec, (tool) => process.send?.({ type: 'tool', tool } satisfies FromVerifier));
  process.send?.({ type: 'result', result } satisfies FromVerifier, () => process.exit(0));
});
