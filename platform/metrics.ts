import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { bearerToken } from './auth/token-verifier';
import { HTTP_STATUS_BY_CODE, RateLimitedError } from './errors';
import { operationManifest } from './operation-manifest';
import type { RateLimiter } from './rate-limit';

/** How a GraphQL request ended: no error, only errors of the caller's making, or one of ours. */
export type Outcome = 'success' | 'client_error' | 'server_error';

/** The caller's errors: every coded error answered below 500, and Apollo Server's refusals of a document. */
const CLIENT_CODES = new Set<string>([
  ...Object.entries(HTTP_STATUS_BY_CODE)
    .filter(([, status]) => status < 500)
    .map(([code]) => code),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function outcomeOf(errors: readonly { extensions?: { code?: unknown } }[] | undefined): Outcome {
  if (!errors || errors.length === 0) return 'success';
  return errors.every((error) => CLIENT_CODES.has(String(error.extensions?.code))) ? 'client_error' : 'server_error';
}

/** Where the rate limiter refused a caller: a request or operation, a refused token's charge, or an API key's own budgets. */
export type RateLimitReason = 'request' | 'authentication' | 'api_key_requests' | 'api_key_cost';

export interface ProcessMetrics {
  readonly registry: Registry;
  /** A GraphQL request answered; the operation is labelled by name only when it is a manifest operation (else `other`). */
  graphqlRequest(operationName: string | null | undefined, outcome: Outcome, seconds: number): void;
  /** The gateway's fetch from a subgraph. */
  subgraphFetch(subgraph: string, outcome: 'ok' | 'error', seconds: number): void;
  rateLimited(reason: RateLimitReason): void;
  /** Query plans the gateway built: at start-up (the manifest's operations), or for a request it had no plan for. */
  queryPlanned(origin: 'startup' | 'request', count?: number): void;
  /** How many subscriptions are open, read when the metrics are scraped. */
  countSubscriptions(read: () => number): void;
  /** The Apollo Server plugin counting each request. */
  plugin<C extends BaseContext>(): ApolloServerPlugin<C>;
  /** `GET /metrics` in Prometheus' text format; with a token configured, only for `Authorization: Bearer <token>`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export interface MetricsOptions {
  /** `METRICS_TOKEN`: required of scrapers when set; in production, unset means `/metrics` answers 404. */
  token?: string;
  production: boolean;
}

/**
 * Prometheus metrics of one component (the gateway or a subgraph), with prom-client: requests
 * by operation and outcome, their latency, the gateway's subgraph fetches, open subscriptions,
 * rate-limit refusals, and Node's own process metrics. Each component has its own registry, so
 * `npm start`'s one process still answers each component's `/metrics` apart.
 */
export function createMetrics(component: string, options: MetricsOptions): ProcessMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  collectDefaultMetrics({ register: registry });
  const known = new Set(operationManifest().operations.map((operation) => operation.name));
  const labelOf = (name: string | null | undefined) => (name && known.has(name) ? name : 'other');

  const requests = new Counter({
    name: 'auralink_graphql_requests_total',
    help: 'GraphQL requests answered, by operation (manifest operations by name, others as "other") and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'auralink_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL request',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const fetches = new Histogram({
    name: 'auralink_subgraph_fetch_duration_seconds',
    help: "The gateway's fetches from subgraphs, by subgraph and outcome",
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'auralink_rate_limit_refusals_total',
    help: 'Requests, sign-in attempts and subscriptions refused by the rate limiter',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const plans = new Counter({
    name: 'auralink_query_plans_total',
    help: 'Query plans the gateway built: at start-up from the operation manifest, or for a request whose document it had no plan for',
    labelNames: ['origin'] as const,
    registers: [registry],
  });
  const subscriptionReaders: (() => number)[] = [];
  new Gauge({
    name: 'auralink_subscriptions_open',
    help: 'GraphQL subscriptions open on this process',
    registers: [registry],
    collect() {
      this.set(subscriptionReaders.reduce((sum, read) => sum + read(), 0));
    },
  });

  const metrics: ProcessMetrics = {
    registry,
    graphqlRequest(operationName, outcome, seconds) {
      const operation = labelOf(operationName);
      requests.inc({ operation, outcome });
      latency.observe({ operation }, seconds);
    },
    subgraphFetch(subgraph, outcome, seconds) {
      fetches.observe({ subgraph, outcome }, seconds);
    },
    rateLimited(reason) {
      refusals.inc({ reason });
    },
    queryPlanned(origin, count = 1) {
      plans.inc({ origin }, count);
    },
    countSubscriptions(read) {
      subscriptionReaders.push(read);
    },
    plugin<C extends BaseContext>(): ApolloServerPlugin<C> {
      return {
        async requestDidStart() {
          const started = performance.now();
          return {
            async willSendResponse({ operationName, response }) {
              const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
              metrics.graphqlRequest(operationName, outcomeOf(body?.errors), (performance.now() - started) / 1000);
            },
          };
        },
      };
    },
    handle(req, res) {
      if (options.production && !options.token) {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] }));
        return;
      }
      if (options.token && !sameSecret(bearerTokenOf(req), options.token)) {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' });
        res.end(
          JSON.stringify({ errors: [{ message: 'Metrics need the METRICS_TOKEN bearer token', extensions: { code: 'UNAUTHENTICATED' } }] }),
        );
        return;
      }
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics unavailable');
        },
      );
    },
  };
  return metrics;
}

function bearerTokenOf(req: IncomingMessage): string | undefined {
  try {
    return bearerToken(req.headers.authorization);
  } catch {
    return undefined;
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The limiter, its refusals counted in `metrics`. */
export function withRefusalCounts(limiter: RateLimiter, metrics: Pick<ProcessMetrics, 'rateLimited'>): RateLimiter {
  const counted =
    <A extends unknown[]>(reason: RateLimitReason, charge: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await charge(...args);
      } catch (error) {
        if (error instanceof RateLimitedError) metrics.rateLimited(error.reason === 'API_KEY_REQUESTS' ? 'api_key_requests' : reason);
        throw error;
      }
    };
  return {
    ...limiter,
    admit: counted('request', limiter.admit.bind(limiter)),
    chargeCost: counted('api_key_cost', limiter.chargeCost.bind(limiter)),
    chargeFailedAuthentication: counted('authentication', limiter.chargeFailedAuthentication.bind(limiter)),
  };
}
