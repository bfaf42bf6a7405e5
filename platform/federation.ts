import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import type { ClassType, NonEmptyArray } from 'type-graphql';
import { ACCESS_DIRECTIVE_DEFINITIONS, ACCESS_DIRECTIVE_NAMES, ACCESS_SPEC_URL } from './access-directives';
import { accessEnforcement } from './access-enforcement';
import { ENTITLEMENT_DIRECTIVE_DEFINITIONS, ENTITLEMENT_DIRECTIVE_NAMES, ENTITLEMENT_SPEC_URL } from './entitlements/entitlement-directive';
import { entitlementEnforcement } from './entitlements/entitlement-enforcement';
import { mutationAudit } from './mutation-audit';
import {
  PERSONAL_DATA_DIRECTIVE_DEFINITIONS,
  PERSONAL_DATA_DIRECTIVE_NAMES,
  PERSONAL_DATA_SPEC_URL,
} from './personal-data/personal-data-directive';
import { dataSubjectModule } from './personal-data/data-subject';
import type { SubgraphName } from './config';
import type { RequestContext } from './context';
import { healthModule, healthReferenceResolver } from './health';
import { QueryTooComplexError, UnauthenticatedError } from './errors';

/** Every subgraph speaks the same Federation version: bump it here, for all six. */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.7';
const FEDERATION_IMPORTS = ['@key', '@shareable', '@external', '@requires', '@provides', '@inaccessible', '@composeDirective', '@tag'];

const SCHEMA_HEADER = `extend schema
  @link(url: "${FEDERATION_SPEC_URL}", import: [${FEDERATION_IMPORTS.map((name) => `"${name}"`).join(', ')}])
  @link(url: "${ACCESS_SPEC_URL}", import: [${ACCESS_DIRECTIVE_NAMES.map((name) => `"${name}"`).join(', ')}])
  @link(url: "${ENTITLEMENT_SPEC_URL}", import: [${ENTITLEMENT_DIRECTIVE_NAMES.map((name) => `"${name}"`).join(', ')}])
  @link(url: "${PERSONAL_DATA_SPEC_URL}", import: [${PERSONAL_DATA_DIRECTIVE_NAMES.map((name) => `"${name}"`).join(', ')}])
${[...ACCESS_DIRECTIVE_NAMES, ...ENTITLEMENT_DIRECTIVE_NAMES, ...PERSONAL_DATA_DIRECTIVE_NAMES].map((name) => `  @composeDirective(name: "${name}")`).join('\n')}
${ACCESS_DIRECTIVE_DEFINITIONS}${ENTITLEMENT_DIRECTIVE_DEFINITIONS}${PERSONAL_DATA_DIRECTIVE_DEFINITIONS}`;

export interface ReferenceResolver {
  __resolveReference: (reference: any, context: any, info: any) => unknown;
  /** Entities need a token unless marked public (only `Health` is). */
  public?: boolean;
}
export type ReferenceResolvers = Record<string, ReferenceResolver>;

export interface FederatedSchemaOptions {
  /** The subgraph's name: it contributes this field to the supergraph's `health`. */
  name: SubgraphName;
  resolvers?: ClassType[];
  orphanedTypes?: ClassType[];
  /** `__resolveReference` per entity type this subgraph can resolve from a key. */
  referenceResolvers?: ReferenceResolvers;
  /**
   * It holds personal data: it answers the data-subject contract's two fields from its
   * `services.dataSubject` (platform/personal-data/data-subject.ts).
   */
  dataSubject?: boolean;
}

/**
 * Builds a Federation 2 subgraph schema from type-graphql classes: type-graphql builds
 * the schema, its SDL (with `@key` and our directives) is printed behind the `@link`
 * header, and @apollo/subgraph adds `_entities`/`_service` with type-graphql's resolvers.
 */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const health = healthModule(options.name);
  const dataSubject = options.dataSubject ? dataSubjectModule(options.name) : { resolvers: [], types: [] };
  const schema = await buildSchema({
    resolvers: [...health.resolvers, ...dataSubject.resolvers, ...(options.resolvers ?? [])] as NonEmptyArray<ClassType>,
    orphanedTypes: [...health.types, ...dataSubject.types, ...(options.orphanedTypes ?? [])],
    // The mutation audit first: it records refusals by the other two as well.
    globalMiddlewares: [mutationAudit(options.name), accessEnforcement(options.name), entitlementEnforcement()],
    validate: { forbidUnknownValues: false },
    // Subscriptions name their source with `subscribe` (the event bus, per organization), never type-graphql topics.
    pubSub: {
      publish: () => {
        throw new Error('publish through the EventBus');
      },
      subscribe: () => {
        throw new Error('@Subscription needs a `subscribe` function over the EventBus');
      },
    },
    skipCheck: true,
  });
  const typeDefs = parse(`${SCHEMA_HEADER}\n${printSchemaWithDirectives(schema)}`);
  const typeGraphqlResolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  const resolvers: GraphQLResolverMap<unknown> = { ...typeGraphqlResolvers };
  const referenceResolvers: ReferenceResolvers = { ...options.referenceResolvers, Health: healthReferenceResolver };
  for (const [typeName, { __resolveReference, public: isPublic }] of Object.entries(referenceResolvers)) {
    // `_entities` needs a token like any other root field, unless the entity is public.
    const guarded = (reference: unknown, context: RequestContext, info: unknown) => {
      if (!context.principal && !isPublic) throw new UnauthenticatedError();
      return __resolveReference(reference, context, info);
    };
    resolvers[typeName] = { ...(resolvers[typeName] as object), __resolveReference: guarded } as GraphQLResolverMap<unknown>[string];
  }
  return guardFederationFields(buildSubgraphSchema({ typeDefs, resolvers }));
}

/**
 * `_entities` and `_service` are for the gateway (and tools holding its credential), never
 * for a client that found a subgraph's address: without the credential both answer
 * UNAUTHENTICATED, and `_entities` takes at most `maxRepresentations` keys in one call.
 */
function guardFederationFields(schema: GraphQLSchema): GraphQLSchema {
  const fields = schema.getQueryType()!.getFields();
  for (const name of ['_entities', '_service']) {
    const field = fields[name];
    const resolve = field?.resolve;
    if (!field || !resolve) continue;
    field.resolve = (source, args: { representations?: unknown[] }, context: RequestContext, info) => {
      const lookups = context.entityLookups;
      if (!lookups?.allowed) {
        throw new UnauthenticatedError(
          `${name} answers the gateway only: send its credential (SUBGRAPH_SECRET) in the X-Subgraph-Secret header`,
        );
      }
      const count = args.representations?.length ?? 0;
      if (count > lookups.maxRepresentations) throw new QueryTooComplexError('representations', count, lookups.maxRepresentations);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
