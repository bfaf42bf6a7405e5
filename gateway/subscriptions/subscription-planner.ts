import { buildOperationContext, executeQueryPlan } from '@apollo/gateway';
import type { GraphQLDataSource } from '@apollo/gateway';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import type { Schema } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { Logger } from '../../platform/logger';
import type { GatewayContext } from '../context';
import { reportCompletionErrors } from '../value-completion';

/** The fetch that stands for the subgraph's event in a plan executed once per event. */
const EVENT_SERVICE = '__subscription_event__';
const MAX_CACHED_PLANS = 1_000;

export interface PlannedSubscription {
  /** The subgraph that owns the root field, and the subscription operation to send it. */
  subgraph: string;
  operation: string;
  operationName: string | undefined;
  variableUsages: string[];
  /** The primary fetch answered by the event, then what other subgraphs add to it. */
  perEvent: QueryPlan;
  operationContext: ReturnType<typeof buildOperationContext>;
}

/**
 * Plans subscriptions with Federation's own query planner: a primary fetch (the root field,
 * forwarded to its subgraph as a subscription) and the rest (the event's fields that other
 * subgraphs own). Each event is then executed by @apollo/gateway's executor, exactly like a
 * query whose first fetch is answered by the event itself: entity fetches, batching and the
 * response shaping are the gateway's own. Plans are cached per document.
 */
export class SubscriptionPlanner {
  private readonly supergraph: Supergraph;
  private readonly planner: QueryPlanner;
  readonly apiSchema: Schema;
  readonly schema: GraphQLSchema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly plans = new Map<string, PlannedSubscription>();

  constructor(supergraphSdl: string) {
    this.supergraph = Supergraph.build(supergraphSdl);
    this.planner = new QueryPlanner(this.supergraph);
    this.apiSchema = this.supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
  }

  /** A query's or mutation's plan, as @apollo/gateway builds it (the gateway's plan cache is warmed with these). */
  queryPlan(document: DocumentNode, operationName: string | undefined): QueryPlan {
    return this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
  }

  plan(document: DocumentNode, text: string, operationName: string | undefined): PlannedSubscription {
    const key = `${operationName ?? ''}\n${text}`;
    const cached = this.plans.get(key);
    if (cached) return cached;
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const queryPlan = this.planner.buildQueryPlan(operation);
    const node = queryPlan.node;
    if (node?.kind !== 'Subscription') throw new Error('not a subscription operation');
    const eventFetch: FetchNode = { ...node.primary, serviceName: EVENT_SERVICE };
    const perEventNode: PlanNode = node.rest ? { kind: 'Sequence', nodes: [eventFetch, node.rest] } : eventFetch;
    const planned: PlannedSubscription = {
      subgraph: node.primary.serviceName,
      operation: node.primary.operation,
      operationName: node.primary.operationName,
      variableUsages: node.primary.variableUsages ?? [],
      perEvent: { kind: 'QueryPlan', node: perEventNode },
      operationContext: buildOperationContext({ schema: this.schema, operationDocument: document, operationName }),
    };
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, planned);
    return planned;
  }

  /** One event through the rest of the plan, as the caller whose context is given. */
  async executeEvent(
    planned: PlannedSubscription,
    event: ExecutionResult,
    variables: Record<string, unknown>,
    context: GatewayContext,
    dataSources: Record<string, GraphQLDataSource<GatewayContext>>,
    logger: Logger,
  ): Promise<ExecutionResult> {
    const eventSource: GraphQLDataSource<GatewayContext> = {
      process: async () => ({ data: event.data as Record<string, unknown> | null, errors: event.errors as never }),
    };
    const requestContext = { request: { variables }, context, metrics: {}, logger, cache: undefined, overallCachePolicy: undefined };
    const result = await executeQueryPlan(
      planned.perEvent,
      { ...dataSources, [EVENT_SERVICE]: eventSource },
      requestContext as never,
      planned.operationContext,
      this.supergraphSchema,
      this.apiSchema,
      undefined,
    );
    return reportCompletionErrors(result, logger) as ExecutionResult;
  }
}
