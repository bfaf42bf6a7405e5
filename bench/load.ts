/**
 * Load generators. HTTP endpoints get autocannon; the floor (the same query's subgraph
 * fetches sent straight to the subgraphs) gets a small closed-loop client that replays
 * them wave by wave, the way the query plan orders them. Both record every response time
 * in the same kind of HDR histogram, so their percentiles compare.
 */
import autocannon from 'autocannon';
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { Pool } from 'undici';

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  /** Completed requests per second. */
  throughput: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Non-2xx answers, GraphQL errors in a 200 answer, timeouts and socket errors. */
  errors: number;
}

export interface HttpRequestSpec {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  /** None for a GET. */
  body?: string;
}

function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

function summarize(latencies: Histogram, requests: number, errors: number, seconds: number): LoadResult {
  const ms = (percentile: number) => latencies.getValueAtPercentile(percentile) / 1000;
  return {
    requests,
    throughput: seconds > 0 ? requests / seconds : 0,
    p50Ms: ms(50),
    p95Ms: ms(95),
    p99Ms: ms(99),
    errors,
  };
}

const hasGraphqlErrors = (body: string) => body.includes('"errors"');

/**
 * autocannon against one URL. Every request takes the next of `requests` (one per caller)
 * from one counter shared by all connections, so concurrent requests are for different
 * callers, never the same request sent in lockstep (which a gateway could deduplicate).
 */
export async function runHttpLoad(url: string, requests: HttpRequestSpec[], options: LoadOptions): Promise<LoadResult> {
  const latencies = histogram();
  let count = 0;
  let next = 0;
  const startedAt = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.durationSeconds,
        requests: [
          {
            method: requests[0]!.method,
            path: requests[0]!.path,
            setupRequest: (request) => ({ ...request, ...requests[next++ % requests.length] }),
          },
        ],
        verifyBody: (body) => !hasGraphqlErrors(String(body)),
        timeout: 10,
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      count += 1;
      latencies.recordValue(Math.max(1, Math.round(responseTime * 1000)));
    });
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const errors = result.non2xx + result.errors + result.timeouts + (result.mismatches ?? 0);
  return summarize(latencies, count, errors, seconds);
}

export interface SubgraphFetch {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The fetches of one query for one caller: waves run one after another, fetches of a wave at once. */
export type FetchWaves = SubgraphFetch[][];

/**
 * The floor: `connections` virtual clients, each sending one query's subgraph fetches
 * (wave by wave, a wave's fetches in parallel) over keep-alive pools, again and again.
 */
export async function runReplayLoad(plans: FetchWaves[], options: LoadOptions): Promise<LoadResult> {
  const pools = new Map<string, Pool>();
  const poolFor = (url: string) => {
    const origin = new URL(url).origin;
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: options.connections, pipelining: 1 });
      pools.set(origin, pool);
    }
    return pool;
  };
  const send = async (fetch: SubgraphFetch): Promise<boolean> => {
    const { statusCode, body } = await poolFor(fetch.url).request({
      method: 'POST',
      path: new URL(fetch.url).pathname,
      headers: fetch.headers,
      body: fetch.body,
    });
    const text = await body.text();
    return statusCode >= 200 && statusCode < 300 && !hasGraphqlErrors(text);
  };

  const latencies = histogram();
  let requests = 0;
  let errors = 0;
  const startedAt = performance.now();
  const endAt = startedAt + options.durationSeconds * 1000;
  const client = async (offset: number) => {
    for (let i = offset; performance.now() < endAt; i += options.connections) {
      const waves = plans[i % plans.length]!;
      const began = performance.now();
      let ok = true;
      try {
        for (const wave of waves) {
          const results = await Promise.all(wave.map(send));
          ok &&= results.every(Boolean);
        }
      } catch {
        ok = false;
      }
      latencies.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000)));
      requests += 1;
      if (!ok) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, offset) => client(offset)));
  const seconds = (performance.now() - startedAt) / 1000;
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  return summarize(latencies, requests, errors, seconds);
}
