import { UserError } from '../util/errors.js';

/**
 * A model request failed for good. `fatal` marks an endpoint that cannot work for any episode
 * (unreachable, wrong key, unknown model): the rollout stops starting episodes. Its own module, so
 * that code handling failures (an episode) does not load the model client.
 */
export class ModelFailure extends UserError {
  constructor(
    message: string,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}
