import type { GraphQLField } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../context';
import { PaymentRequiredError } from '../errors';
import { entitlementOf } from './entitlement-directive';

/**
 * Enforces `@requiresEntitlement` on every field a subgraph resolves, before its resolver:
 * the caller's organization (their token's) past its plan's hard limit for the feature is
 * refused with PAYMENT_REQUIRED. Runs after access enforcement, so the caller is known.
 */
export function entitlementEnforcement(): MiddlewareFn<RequestContext> {
  return async ({ context, info }, next) => {
    const field = info.parentType.getFields()[info.fieldName] as GraphQLField<unknown, unknown> | undefined;
    const feature = field ? entitlementOf(field) : null;
    const counter = context.access?.entitlements;
    if (feature && counter && context.principal) {
      const state = await counter.get(context.principal.organizationId, feature);
      if (state && state.limit !== null && state.used >= state.limit) throw new PaymentRequiredError(feature, state.used, state.limit);
    }
    return next();
  };
}
