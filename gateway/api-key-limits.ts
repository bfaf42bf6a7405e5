import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { Principal } from '../platform/auth/principal';
import { HTTP_STATUS_BY_CODE, RateLimitedError } from '../platform/errors';
import { operationCost } from '../platform/limits/cost-rule';
import type { RateLimiter } from '../platform/rate-limit';

/**
 * Charges each operation an API key runs its cost (the document cost limit's count) against
 * the key's cost budget, once the operation is resolved and before it is planned; spent:
 * 429 with Retry-After, RATE_LIMITED with `reason: API_KEY_COST`. A document the key may not
 * run is left to the trusted-documents plugin, which refuses it, and costs nothing.
 */
export function apiKeyCostPlugin<C extends BaseContext & { principal: Principal | null }>(
  limiter: Pick<RateLimiter, 'chargeCost'>,
  allows: (principal: Principal | null, query: string | undefined) => boolean,
): ApolloServerPlugin<C> {
  // Apollo Server keeps a parsed document per text: its operation's cost is computed once.
  const costs = new WeakMap<OperationDefinitionNode, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation, schema, source }) {
          const principal = contextValue.principal;
          if (!principal?.apiKey?.limits || !operation || !allows(principal, source)) return;
          let cost = costs.get(operation);
          if (cost === undefined) {
            cost = operationCost(schema, document, operation);
            costs.set(operation, cost);
          }
          try {
            await limiter.chargeCost(principal, cost);
          } catch (error) {
            if (error instanceof RateLimitedError) {
              error.extensions.http = {
                status: HTTP_STATUS_BY_CODE.RATE_LIMITED,
                headers: new Map([['retry-after', String(error.retryAfterSeconds)]]),
              };
            }
            throw error;
          }
        },
      };
    },
  };
}
