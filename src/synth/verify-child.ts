import type { DomainSpec } from '../spec/domain.js';
import { startHeartbeat } from '../util/watched-process.js';
import { verifySpec } from './verify.js';
import type { FromVerifier } from './verify-bounded.js';

/** The process that verifies one spec for verifyBounded: it names each tool as it starts, then sends the result. */
const send = (m: FromVerifier) => process.send?.(m);

process.once('message', (spec: DomainSpec) => {
  startHeartbeat();
  const result = verifySpec(spec, (tool) => send({ type: 'tool', tool }));
  send({ type: 'result', result });
  process.disconnect();
});
