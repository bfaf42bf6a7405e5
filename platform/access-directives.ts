import { Kind } from 'graphql';
import type { ConstDirectiveNode, GraphQLField, GraphQLSchema } from 'graphql';
import { Directive } from 'type-graphql';
import { isCataloguedPermission } from './authorization/permissions';
import type { Permission } from './authorization/permissions';

/**
 * Our own access-control directives, `@link`ed from this spec and kept in the
 * supergraph with `@composeDirective`, so clients and tools see them. (@apollo/gateway
 * refuses Apollo's @authenticated/@policy, so these are ours.) Every subgraph enforces
 * them itself; the gateway only refuses anonymous calls early.
 */
export const ACCESS_SPEC_URL = 'https://specs.auralink.dev/access/v0.1';
export const ACCESS_DIRECTIVE_NAMES = ['@public', '@requiresPermission'] as const;

export const ACCESS_DIRECTIVE_DEFINITIONS = `
"""The field may be called without a token."""
directive @public on FIELD_DEFINITION

"""The caller needs this permission in the organization of the request (their token's)."""
directive @requiresPermission(resource: String!, action: String!) on FIELD_DEFINITION
`;

/** Marks a root field as callable without a token. */
export const Public = (): MethodDecorator & PropertyDecorator => Directive('@public');

/**
 * The permission a field needs, in the caller's organization: on every root field that is
 * not `@public`, and on object fields that expose something more sensitive than their parent.
 */
export function RequiresPermission(resource: string, action: string): MethodDecorator & PropertyDecorator {
  if (!isCataloguedPermission(resource, action)) throw new Error(`@RequiresPermission: ${resource}:${action} is not in the catalogue`);
  return Directive(`@requiresPermission(resource: ${JSON.stringify(resource)}, action: ${JSON.stringify(action)})`);
}

export interface AccessRule {
  public: boolean;
  permission: Permission | null;
}

const rules = new WeakMap<GraphQLField<unknown, unknown>, AccessRule>();

/** What a field's directives say, read once per field from its SDL. */
export function accessRuleOf(field: GraphQLField<unknown, unknown>): AccessRule {
  let rule = rules.get(field);
  if (!rule) {
    rule = accessRuleFromDirectives(field.astNode?.directives ?? []);
    rules.set(field, rule);
  }
  return rule;
}

function accessRuleFromDirectives(directives: readonly ConstDirectiveNode[]): AccessRule {
  const stringArgument = (directive: ConstDirectiveNode, name: string) => {
    const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
    return value?.kind === Kind.STRING ? value.value : null;
  };
  let permission: Permission | null = null;
  for (const directive of directives) {
    if (directive.name.value !== 'requiresPermission') continue;
    const resource = stringArgument(directive, 'resource');
    const action = stringArgument(directive, 'action');
    if (resource && action) permission = { resource, action };
  }
  return { public: directives.some((directive) => directive.name.value === 'public'), permission };
}

export const ROOT_TYPE_NAMES = ['Query', 'Mutation', 'Subscription'] as const;

/**
 * Deny by default, checked on a whole schema (a subgraph's or the composed supergraph's):
 * every root field that is neither `@public` nor `@requiresPermission`, as `Type.field`.
 */
export function rootFieldsWithoutAccessRule(schema: GraphQLSchema): string[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  return roots.flatMap((type) =>
    type
      ? Object.values(type.getFields())
          .filter((field) => !field.name.startsWith('_'))
          .filter((field) => {
            const rule = accessRuleOf(field as GraphQLField<unknown, unknown>);
            return !rule.public && !rule.permission;
          })
          .map((field) => `${type.name}.${field.name}`)
      : [],
  );
}
