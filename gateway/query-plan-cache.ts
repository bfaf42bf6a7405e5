import { createHash } from 'node:crypto';
import type { QueryPlan, QueryPlanCache } from '@apollo/query-planner';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { parse } from 'graphql';
import type { DocumentNode } from 'graphql';
import type { Logger } from '../platform/logger';
import type { OperationManifest } from '../platform/operation-manifest';

/** The size @apollo/gateway gives its own query plan store (about 30 MiB of plans). */
const STORE_BYTES = 30 * 2 ** 20;

export interface QueryPlanStore extends QueryPlanCache {
  /** Stores a plan made ahead of any request (the warm-up), not counted as planned for one. */
  prime(key: string, plan: QueryPlan): Promise<void>;
}

/**
 * @apollo/gateway's query plan store as it builds its own (an LRU bounded by the plans'
 * size), told of every plan the gateway stores: it stores one only after planning a
 * document it had no plan for, so `onPlanned` counts the requests that had to be planned.
 */
export function countedQueryPlanStore(onPlanned: () => void): QueryPlanStore {
  const lru = new InMemoryLRUCache<QueryPlan>({
    maxSize: STORE_BYTES,
    sizeCalculation: (plan) => Buffer.byteLength(JSON.stringify(plan), 'utf8'),
  });
  return {
    get: (key) => lru.get(key),
    set: async (key, plan, options) => {
      onPlanned();
      await lru.set(key, plan, options);
    },
    delete: (key) => lru.delete(key),
    clear: () => lru.clear(),
    prime: (key, plan) => lru.set(key, plan),
  };
}

/** The key @apollo/gateway looks a plan up by: the document's SHA-256, with the operation's name when the request names it. */
export function queryPlanKey(queryHash: string, operationName: string | undefined): string {
  return operationName ? createHash('sha256').update(queryHash).update(operationName).digest('hex') : queryHash;
}

/**
 * Plans every query and mutation of the manifest before the first request, under both keys
 * a request for it can have (named, as by id or the REST shim; unnamed, its text alone), so
 * the first call of a manifest operation is not planned again. Answers how many were planned;
 * one that cannot be planned is logged and left to its first request, which answers why.
 */
export async function warmQueryPlans(
  store: QueryPlanStore,
  planner: { queryPlan(document: DocumentNode, operationName: string | undefined): QueryPlan },
  manifest: OperationManifest,
  logger: Logger,
): Promise<number> {
  let planned = 0;
  for (const operation of manifest.operations) {
    if (operation.type === 'subscription') continue;
    let plan: QueryPlan;
    try {
      plan = planner.queryPlan(parse(operation.body), operation.name);
    } catch (error) {
      logger.warn({ err: error, operation: operation.name }, 'a manifest operation could not be planned ahead');
      continue;
    }
    const queryHash = createHash('sha256').update(operation.body).digest('hex');
    await store.prime(queryPlanKey(queryHash, operation.name), plan);
    await store.prime(queryPlanKey(queryHash, undefined), plan);
    planned += 1;
  }
  return planned;
}
