import { Directive, Field, Float, ID, ObjectType, Query, Resolver, Ctx } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { SubgraphName } from './config';
import { Public } from './access-directives';

export type HealthStatus = 'ok' | 'unavailable';

@ObjectType({ description: "One subgraph's view of its own health." })
@Directive('@shareable')
export class SubgraphHealth {
  @Field(() => String, { description: '"ok", or "unavailable" when its database does not answer.' })
  status: HealthStatus;

  @Field(() => Float, { nullable: true, description: 'Round trip of `SELECT 1` to its database, in milliseconds.' })
  databaseLatencyMs: number | null;
}

export interface HealthProbe {
  check(): Promise<SubgraphHealth>;
}

export function databaseHealthProbe(dataSource: DataSource): HealthProbe {
  return {
    async check() {
      const started = performance.now();
      try {
        await dataSource.query('SELECT 1');
        return { status: 'ok', databaseLatencyMs: Math.round((performance.now() - started) * 100) / 100 };
      } catch {
        return { status: 'unavailable', databaseLatencyMs: null };
      }
    },
  };
}

/**
 * The probe as one request sees it: checked once however often the request asks (the root
 * field and any number of `Health` keys in `_entities` share one round trip to the database).
 */
export function oneCheckPerRequest(probe: HealthProbe): HealthProbe {
  let report: Promise<SubgraphHealth> | undefined;
  return { check: () => (report ??= probe.check()) };
}

export const HEALTH_ID = 'supergraph';

/**
 * `health` is one field in the supergraph: each subgraph contributes its own field to the
 * `Health` entity, so `{ health { identity { status } billing { status } } }` asks all six.
 */
export function healthModule(subgraph: SubgraphName): { resolvers: ClassType[]; types: ClassType[] } {
  @ObjectType('Health', { description: 'The health of each subgraph of the supergraph.' })
  @Directive('@key(fields: "id")')
  class Health {
    @Field(() => ID)
    id: string;

    @Field(() => SubgraphHealth, { name: subgraph, nullable: true, description: `The ${subgraph} subgraph; null when it does not answer.` })
    report: SubgraphHealth;
  }
  Object.defineProperty(Health, 'name', { value: `${subgraph}Health` });

  @Resolver(() => Health)
  class HealthResolver {
    @Query(() => Health, { nullable: true, description: 'Health of every subgraph and its database. Needs no token.' })
    @Directive('@shareable')
    @Public()
    async health(@Ctx() context: { health: HealthProbe }): Promise<Health> {
      return { id: HEALTH_ID, report: await context.health.check() };
    }
  }

  return { resolvers: [HealthResolver], types: [Health] };
}

/** Resolves `Health` by key for the gateway: the same report as the root field, from the request's one check. */
export const healthReferenceResolver = {
  public: true,
  __resolveReference: async (_reference: { id: string }, context: { health: HealthProbe }) => ({
    id: HEALTH_ID,
    report: await context.health.check(),
  }),
};
