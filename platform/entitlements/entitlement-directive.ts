import { Kind } from 'graphql';
import type { GraphQLField } from 'graphql';
import { Directive } from 'type-graphql';

/**
 * `@requiresEntitlement(feature:)`: the field is refused with PAYMENT_REQUIRED when the
 * caller's organization has used all its plan allows of `feature` this billing period.
 * `@link`ed from this spec and kept in the supergraph with `@composeDirective`, like the
 * access directives.
 */
export const ENTITLEMENT_SPEC_URL = 'https://specs.auralink.dev/entitlements/v0.1';
export const ENTITLEMENT_DIRECTIVE_NAMES = ['@requiresEntitlement'] as const;

/** What a plan limits: the allowances billing meters. */
export const ENTITLEMENT_FEATURES = ['call_minutes', 'ai_calls', 'recording_storage'] as const;
export type EntitlementFeature = (typeof ENTITLEMENT_FEATURES)[number];

export function isEntitlementFeature(value: string): value is EntitlementFeature {
  return (ENTITLEMENT_FEATURES as readonly string[]).includes(value);
}

export const ENTITLEMENT_DIRECTIVE_DEFINITIONS = `
"""The caller's organization must have some of this plan feature left this billing period (\`call_minutes\`, \`ai_calls\`, \`recording_storage\`)."""
directive @requiresEntitlement(feature: String!) on FIELD_DEFINITION
`;

/** Put on a field that uses a metered feature: past the plan's hard limit it answers PAYMENT_REQUIRED before its resolver runs. */
export function RequiresEntitlement(feature: EntitlementFeature): MethodDecorator & PropertyDecorator {
  if (!isEntitlementFeature(feature)) throw new Error(`@RequiresEntitlement: ${String(feature)} is not an entitlement feature`);
  return Directive(`@requiresEntitlement(feature: ${JSON.stringify(feature)})`);
}

const features = new WeakMap<GraphQLField<unknown, unknown>, EntitlementFeature | null>();

/** The feature a field requires, read once per field from its SDL; null for most fields. */
export function entitlementOf(field: GraphQLField<unknown, unknown>): EntitlementFeature | null {
  let feature = features.get(field);
  if (feature === undefined) {
    feature = null;
    for (const directive of field.astNode?.directives ?? []) {
      if (directive.name.value !== 'requiresEntitlement') continue;
      const value = directive.arguments?.find((argument) => argument.name.value === 'feature')?.value;
      if (value?.kind === Kind.STRING && isEntitlementFeature(value.value)) feature = value.value;
    }
    features.set(field, feature);
  }
  return feature;
}
