/**
 * Permission decisions, two ways.
 *
 * `authz-enforce` (in process): the same questions answered by plain node-casbin (one
 * enforcer for every organization, and one per organization) and by the fast path the
 * subgraphs use (OrganizationPolicy, and the Authorizer around it), over a generated
 * policy of 100 organizations × 1,000 users with the five system roles and three custom
 * roles each. Every fast answer is checked against Casbin's before anything is timed.
 *
 * `authz-check` (over HTTP): `checkPermission` through our gateway with 10 concurrent
 * clients, against the same operation sent straight to the authz subgraph (the floor).
 */
import { build } from 'hdr-histogram-js';
import { isProcessAlive } from '../../platform/process-alive';
import { Authorizer } from '../../platform/authorization/authorizer';
import { createCasbinEnforcer } from '../../platform/authorization/casbin-model';
import { OrganizationPolicy } from '../../platform/authorization/organization-policy';
import type { PolicyRule } from '../../platform/authorization/policy-rule';
import { InProcessPolicyWatcher } from '../../platform/authorization/policy-watcher';
import { CATALOGUED, generatePolicy, seededRandom } from '../../tests/kit/policy-generator';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import { runHttpLoad } from '../load';
import type { HttpRequestSpec, LoadResult } from '../load';
import type { Scenario } from '../options';
import { watchUsage } from '../processes';
import type { Cell } from '../report';
import { buildProject, startGateway, startSubgraphs } from '../stack';

const NOW = Date.now();
const QUESTIONS = CATALOGUED;

interface Timing {
  calls: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

/** Calls `decide` for the questions in turn, for `seconds` or `maxCalls`, and records each call in nanoseconds. */
async function time(decide: (i: number) => unknown, seconds: number, maxCalls = Number.POSITIVE_INFINITY): Promise<Timing> {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
  const endAt = performance.now() + seconds * 1000;
  const started = performance.now();
  let calls = 0;
  while (performance.now() < endAt && calls < maxCalls) {
    const began = performance.now();
    const answer = decide(calls);
    if (answer instanceof Promise) await answer;
    histogram.recordValue(Math.max(1, Math.round((performance.now() - began) * 1e6)));
    calls++;
  }
  const elapsedUs = (performance.now() - started) * 1000;
  return {
    calls,
    p50Us: histogram.getValueAtPercentile(50) / 1000,
    p99Us: histogram.getValueAtPercentile(99) / 1000,
    meanUs: elapsedUs / calls,
  };
}

export const authzEnforceScenario: Scenario = async (options, log) => {
  const organizations = options.smoke ? 3 : 100;
  const users = options.smoke ? 20 : 1000;
  const seconds = options.smoke ? 0.2 : Math.max(2, options.durationSeconds);
  const next = seededRandom(7);
  const rules = generatePolicy({ organizations, usersPerOrganization: users, now: NOW, seed: 11 });
  const questions = Array.from({ length: 10_000 }, () => {
    const organization = Math.floor(next() * organizations);
    const permission = QUESTIONS[Math.floor(next() * QUESTIONS.length)]!;
    return { organization: `org_${organization}`, user: `user_${organization}_${Math.floor(next() * users)}`, ...permission };
  });
  log(`${rules.length} policy lines (${rules.filter((rule) => rule.ptype === 'p').length} permission lines); building enforcers`);

  const byOrganization = new Map<string, PolicyRule[]>();
  for (const rule of rules) {
    const domains = rule.ptype === 'p' && rule.domain === '*' ? [...Array(organizations).keys()].map((o) => `org_${o}`) : [rule.domain];
    for (const domain of domains) {
      const list = byOrganization.get(domain);
      if (list) list.push(rule);
      else byOrganization.set(domain, [rule]);
    }
  }
  const global = await createCasbinEnforcer(rules, NOW);
  const perOrganization = new Map(
    await Promise.all(
      [...byOrganization].map(async ([organization, orgRules]) => [organization, await createCasbinEnforcer(orgRules, NOW)] as const),
    ),
  );
  const policies = new Map(
    [...byOrganization].map(([organization, orgRules]) => [organization, new OrganizationPolicy(organization, orgRules)]),
  );
  const authorizer = new Authorizer({
    source: { loadOrganization: async (organization) => byOrganization.get(organization) ?? [] },
    watcher: new InProcessPolicyWatcher(),
    maxAgeMs: Number.POSITIVE_INFINITY,
  });

  // Before timing anything: the fast path answers exactly as Casbin does.
  let allowed = 0;
  for (const q of questions) {
    const casbin = perOrganization.get(q.organization)!.enforceSync(q.user, q.organization, q.resource, q.action);
    const fast = policies.get(q.organization)!.allows(q.user, q.resource, q.action, NOW);
    const authorized = await authorizer.allows(q.user, q.organization, q.resource, q.action);
    if (casbin !== fast || fast !== authorized) throw new Error(`disagreement on ${JSON.stringify(q)}: casbin=${casbin} fast=${fast}`);
    if (casbin) allowed++;
  }
  log(`fast path and Casbin agree on ${questions.length} questions (${allowed} allowed)`);
  // The index compiles a user's permissions on first use: measure cold (a fresh index per call) and warm.
  const ask = (i: number) => questions[i % questions.length]!;
  const runs: [string, () => Promise<Timing>][] = [
    [
      'node-casbin, one enforcer for all organizations',
      () =>
        time(
          (i) => {
            const q = ask(i);
            return global.enforceSync(q.user, q.organization, q.resource, q.action);
          },
          seconds,
          options.smoke ? 3 : 200,
        ),
    ],
    [
      'node-casbin, one enforcer per organization',
      () =>
        time((i) => {
          const q = ask(i);
          return perOrganization.get(q.organization)!.enforceSync(q.user, q.organization, q.resource, q.action);
        }, seconds),
    ],
    [
      'OrganizationPolicy, cold (index built, user compiled)',
      () =>
        time(
          (i) => {
            const q = ask(i);
            return new OrganizationPolicy(q.organization, byOrganization.get(q.organization)!).grantsOf(q.user, NOW);
          },
          seconds / 2,
          options.smoke ? 10 : 2000,
        ),
    ],
    [
      'OrganizationPolicy.allows, warm',
      () =>
        time((i) => {
          const q = ask(i);
          return policies.get(q.organization)!.allows(q.user, q.resource, q.action, NOW);
        }, seconds),
    ],
    [
      'Authorizer.allows (await, cache lookup), warm',
      () =>
        time((i) => {
          const q = ask(i);
          return authorizer.allows(q.user, q.organization, q.resource, q.action);
        }, seconds),
    ],
  ];
  const rows: Cell[][] = [];
  const raw: unknown[] = [];
  let casbinPerOrgP99 = 0;
  for (const [name, run] of runs) {
    const result = await run();
    if (name.includes('per organization')) casbinPerOrgP99 = result.p99Us;
    log(`${name}: p50 ${result.p50Us.toFixed(2)} µs, p99 ${result.p99Us.toFixed(2)} µs (${result.calls} calls)`);
    rows.push([name, result.calls, result.p50Us, result.p99Us, result.meanUs, casbinPerOrgP99 > 0 ? casbinPerOrgP99 / result.p99Us : null]);
    raw.push({ name, ...result });
  }
  await authorizer.close();
  return {
    scenario: 'authz-enforce',
    comparison:
      'One permission decision, in process: plain node-casbin (one enforcer for all, one per organization) against the fast path over the same rules. The last column is how many times lower its p99 is than Casbin per organization.',
    tables: [{ title: 'Decisions', table: { columns: ['decider', 'calls', 'p50 µs', 'p99 µs', 'mean µs', '× Casbin/org (p99)'], rows } }],
    raw,
    notes: [
      `${organizations} organizations × ${users} users, 5 system roles and 3 custom roles per organization, 30% of users with a second role (half of them expired): ${rules.length} policy lines.`,
      `Before timing, all three deciders answered the same ${questions.length} random questions identically (${allowed} allowed).`,
    ],
  };
};

export const authzCheckScenario: Scenario = async (options, log) => {
  const size = options.smoke
    ? { organizations: 3, membersPerOrganization: 3, callers: 3 }
    : { organizations: 100, membersPerOrganization: 100, callers: 100 };
  const connections = options.smoke ? 2 : 10;
  log('compiling the project');
  await buildProject();
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase(size);
  const cleanups: (() => Promise<void>)[] = [() => database.drop()];
  try {
    log(`data: ${JSON.stringify(database.rows)}`);
    const subgraphs = await startSubgraphs(database);
    cleanups.unshift(() => subgraphs.stop());
    const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    const gateway = await startGateway('ours', database, subgraphs, { nodeArgs });
    cleanups.unshift(() => gateway.stop());
    const query = 'query Check($userId: ID!) { checkPermission(userId: $userId, resource: "billing", action: "update") { allowed } }';
    const requests: HttpRequestSpec[] = database.callers.map((caller) => ({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${caller.token}` },
      body: JSON.stringify({ query, variables: { userId: caller.userId } }),
    }));
    const [first] = requests;
    const answer = (await (await fetch(gateway.url, { method: 'POST', headers: first!.headers, body: first!.body })).json()) as unknown;
    if (JSON.stringify(answer) !== '{"data":{"checkPermission":{"allowed":true}}}')
      throw new Error(`unexpected answer: ${JSON.stringify(answer)}`);

    const peers: [string, string][] = [
      ['authz subgraph directly (floor)', subgraphs.urls.authz],
      ['through our gateway', gateway.url],
    ];
    const results: [string, LoadResult, number | null][] = [];
    for (const [name, url] of peers) {
      await runHttpLoad(url, requests, { connections, durationSeconds: options.warmupSeconds });
      const usage = watchUsage([gateway.pid]);
      const load = await runHttpLoad(url, requests, { connections, durationSeconds: options.durationSeconds });
      const gatewayCpu = usage.stop();
      log(
        `${name}: ${load.throughput.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p95 ${load.p95Ms.toFixed(2)} ms, errors ${load.errors}`,
      );
      results.push([name, load, url === gateway.url ? gatewayCpu.cores : null]);
    }
    const floor = results[0]![1];
    return {
      scenario: 'authz-check',
      comparison: `checkPermission with ${connections} concurrent clients, each request for another caller: straight to the authz subgraph, and through our gateway (the goal: p95 ≤ 5 ms).`,
      tables: [
        {
          title: 'checkPermission',
          table: {
            columns: ['path', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'gateway cores busy', 'p50 over floor ms'],
            rows: results.map(([name, load, cpu]) => [
              name,
              Math.round(load.throughput),
              load.p50Ms,
              load.p95Ms,
              load.p99Ms,
              load.errors,
              cpu,
              load.p50Ms - floor.p50Ms,
            ]),
          },
        },
      ],
      raw: results.map(([name, load]) => ({ name, ...load })),
      notes: [
        `${size.organizations} organizations × ${size.membersPerOrganization} members; ${size.callers} callers, each an owner asking about themselves.`,
      ],
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
};
