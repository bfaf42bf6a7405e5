/**
 * What each gateway query costs before any subgraph is called, timed in process: parsing,
 * validating against the API schema, and building the query plan. A gateway that caches
 * these per document pays them once; one that does not pays them on every request.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse, validate } from 'graphql';
import { build } from 'hdr-histogram-js';
import type { Scenario } from '../options';
import type { Cell } from '../report';
import { ROOT } from '../stack';
import { GATEWAY_QUERIES } from './gateway';

interface Step {
  name: string;
  run(): unknown;
}

/** Runs `step` repeatedly for `seconds` and answers its ops/s and per-call percentiles in µs. */
function time(step: Step, seconds: number) {
  const latencies = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const endAt = performance.now() + seconds * 1000;
  let calls = 0;
  const startedAt = performance.now();
  while (performance.now() < endAt) {
    const began = performance.now();
    step.run();
    // Nanoseconds, so that sub-microsecond steps still register.
    latencies.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000_000)));
    calls += 1;
  }
  const elapsed = (performance.now() - startedAt) / 1000;
  const us = (percentile: number) => latencies.getValueAtPercentile(percentile) / 1000;
  return { calls, opsPerSecond: calls / elapsed, p50Us: us(50), p99Us: us(99) };
}

export const plannerScenario: Scenario = async (options, log) => {
  const seconds = options.smoke ? 0.2 : Math.max(1, options.durationSeconds / 4);
  const supergraph = Supergraph.build(readFileSync(path.join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'));
  const apiSchema = supergraph.apiSchema();
  const graphqlSchema = apiSchema.toGraphQLJSSchema();
  const queries = GATEWAY_QUERIES.filter((q) => !options.queries || options.queries.includes(q.name));
  const rows: Cell[][] = [];
  const raw: unknown[] = [];
  for (const query of queries) {
    const document = parse(query.query);
    const steps: Step[] = [
      { name: 'cache key (sha256 of the text)', run: () => createHash('sha256').update(query.query).digest('hex') },
      { name: 'parse', run: () => parse(query.query) },
      { name: 'validate', run: () => validate(graphqlSchema, document) },
      {
        name: 'plan (new planner each time: cold)',
        run: () => new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(apiSchema, document)),
      },
      {
        name: 'plan (warm planner, no plan cache)',
        run: (() => {
          const planner = new QueryPlanner(supergraph);
          return () => planner.buildQueryPlan(operationFromDocument(apiSchema, document));
        })(),
      },
    ];
    for (const step of steps) {
      const result = time(step, step.name.includes('cold') ? seconds / 2 : seconds);
      log(`${query.name} ${step.name}: ${result.p50Us.toFixed(1)} µs p50`);
      rows.push([query.name, step.name, Math.round(result.opsPerSecond), result.p50Us, result.p99Us]);
      raw.push({ query: query.name, step: step.name, ...result });
    }
  }
  return {
    scenario: 'planner',
    comparison:
      'Per-document work a gateway can do once and cache, timed in process (no HTTP): what a request would cost if parsing, validation and planning were repeated.',
    tables: [{ title: 'Results', table: { columns: ['query', 'step', 'ops/s', 'p50 µs', 'p99 µs'], rows } }],
    raw,
    notes: [`Each step runs for ${seconds} s (cold planning for half of it) in the bench process.`],
  };
};
