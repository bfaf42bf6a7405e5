import type { GraphQLField, GraphQLResolveInfo } from 'graphql';
import { Directive } from 'type-graphql';

/**
 * Our own access-control directives, `@link`ed from this spec and kept in the
 * supergraph with `@composeDirective`, so clients and tools see them. (@apollo/gateway
 * refuses Apollo's @authenticated/@policy, so these are ours.)
 */
export const ACCESS_SPEC_URL = 'https://specs.auralink.dev/access/v0.1';

export const ACCESS_DIRECTIVE_DEFINITIONS = `
"""The field may be called without a token."""
directive @public on FIELD_DEFINITION
`;

/** Marks a root field as callable without a token. Every other root field needs one. */
export const Public = (): MethodDecorator & PropertyDecorator => Directive('@public');

const publicFields = new WeakMap<GraphQLField<unknown, unknown>, boolean>();

export function isPublicField(info: Pick<GraphQLResolveInfo, 'parentType' | 'fieldName'>): boolean {
  const field = info.parentType.getFields()[info.fieldName];
  if (!field) return false;
  let answer = publicFields.get(field);
  if (answer === undefined) {
    answer = field.astNode?.directives?.some((directive) => directive.name.value === 'public') ?? false;
    publicFields.set(field, answer);
  }
  return answer;
}
