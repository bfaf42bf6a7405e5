import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a scenario on a tiny data set with very short runs: it must start, finish and print its table; the figures mean nothing. */
async function smoke(scenario: string): Promise<{ stdout: string; raw: unknown }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'bench/run.ts', scenario, '--smoke'],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024, timeout: 230_000 },
  );
  const file = /^results: (.+\.json)$/m.exec(stdout)?.[1];
  if (!file) throw new Error(`no results file reported:\n${stdout}`);
  const absolute = path.resolve(ROOT, file);
  expect(existsSync(absolute)).toBe(true);
  const { raw } = JSON.parse(readFileSync(absolute, 'utf8')) as { raw: unknown };
  rmSync(absolute);
  return { stdout, raw };
}

describe('authorization and subscription benchmark scenarios (smoke)', () => {
  it('authz-enforce: plain Casbin and the fast path side by side, after checking they agree', async () => {
    const { stdout } = await smoke('authz-enforce');
    expect(stdout).toMatch(/answered the same 10000 random questions identically/);
    for (const decider of ['node-casbin, one enforcer per organization', 'OrganizationPolicy.allows, warm', 'Authorizer.allows']) {
      expect(stdout).toMatch(new RegExp(`^\\| ${decider}`, 'm'));
    }
  }, 60_000);

  it('authz-check: checkPermission straight to authz and through the gateway, without errors', async () => {
    const { stdout, raw } = await smoke('authz-check');
    expect(stdout).toMatch(/^\| authz subgraph directly \(floor\) /m);
    expect(stdout).toMatch(/^\| through our gateway /m);
    const runs = raw as { name: string; requests: number; errors: number }[];
    expect(runs.map((run) => run.name)).toEqual(['authz subgraph directly (floor)', 'through our gateway']);
    for (const run of runs) {
      expect(run.requests).toBeGreaterThan(0);
      expect(run.errors).toBe(0);
    }
  }, 240_000);

  it('subgraphs: the floor, identity `me` and authz `checkPermission` straight to their processes, without errors', async () => {
    const { stdout, raw } = await smoke('subgraphs');
    expect(stdout).toMatch(/^\| floor \(node:http \+ one pg query\) /m);
    const runs = raw as { peer: string; requests: number; errors: number; cpuMsPerRequest: number }[];
    expect(runs.map((run) => run.peer)).toEqual(['floor (node:http + one pg query)', 'identity `me`', 'authz `checkPermission`']);
    for (const run of runs) {
      expect(run.requests).toBeGreaterThan(0);
      expect(run.errors).toBe(0);
      expect(run.cpuMsPerRequest).toBeGreaterThan(0);
    }
  }, 240_000);

  it('subscriptions: the floor, ours and Hive Gateway fan out every published event to every subscriber', async () => {
    const { stdout, raw } = await smoke('subscriptions');
    expect(stdout).toMatch(/^\| floor /m);
    expect(stdout).toMatch(/^\| ours /m);
    expect(stdout).toMatch(/^\| hive /m);
    const runs = raw as { peer: string; subscribers: number; published: number; delivered: number }[];
    expect(runs.map((run) => run.peer)).toEqual(['floor', 'ours', 'hive']);
    for (const run of runs) expect(run.delivered).toBe(run.published * run.subscribers);
  }, 240_000);
  it('audit: ingest, outbox facts, filtered pages over a COPY-generated table and streamed CSV exports of a tenth and of all of it', async () => {
    const { stdout, raw } = await smoke('audit');
    expect(stdout).toMatch(/^\| recordAuditEvents, batches of 100 /m);
    expect(stdout).toMatch(/^\| CSV, whole organization /m);
    const figures = raw as {
      ingestBatch100: { committed: number };
      outboxFacts: { facts: number };
      export: { rows: number };
      exportNewestTenth: { rows: number };
      largeTable: { rows: number };
    };
    expect(figures.ingestBatch100.committed).toBeGreaterThan(0);
    expect(figures.outboxFacts.facts).toBeGreaterThan(0);
    // The export holds every generated event of the large organization, and nothing else.
    expect(figures.export.rows).toBe(figures.largeTable.rows);
    expect(figures.exportNewestTenth.rows).toBeGreaterThan(0);
    expect(figures.exportNewestTenth.rows).toBeLessThan(figures.largeTable.rows);
  }, 240_000);

  it('analytics: organizationAnalytics and the cost report from the views and the base tables, and call ingest', async () => {
    const { stdout, raw } = await smoke('analytics');
    for (const row of [
      'organizationAnalytics \\(month\\)\\s+\\| views',
      'cost report \\(30 days\\)\\s+\\| base tables',
      'batches of 100',
    ]) {
      expect(stdout).toMatch(new RegExp(`^\\| ${row}`, 'm'));
    }
    const figures = raw as { calls: number; ingestBatch1: { sent: number }; ingestBatch100: { sent: number } };
    expect(figures.calls).toBeGreaterThan(0);
    expect(figures.ingestBatch1.sent).toBeGreaterThan(0);
    expect(figures.ingestBatch100.sent).toBeGreaterThan(0);
  }, 240_000);
  it("dsr-export: one person exported in every format end to end, with every subgraph's records in the file", async () => {
    const { stdout, raw } = await smoke('dsr-export');
    for (const format of ['JSON', 'CSV', 'PDF']) expect(stdout).toMatch(new RegExp(`^\\| ${format} `, 'm'));
    const figures = raw as {
      seeded: Record<string, number>;
      runs: { format: string; bytes: number; records: Record<string, number> }[];
    };
    expect(figures.runs.map((run) => run.format)).toEqual(['JSON', 'CSV', 'PDF']);
    const { auditEvents, callRecords, recordings, aiUsage, sessions, consents } = figures.seeded;
    for (const run of figures.runs) {
      expect(run.bytes).toBeGreaterThan(0);
      // The seeded rows at least: the person's own requests, and the audit events of them, come on top.
      expect(run.records.audit).toBeGreaterThanOrEqual(auditEvents!);
      expect(run.records.analytics).toBe(callRecords! + recordings! + aiUsage! + 1);
      expect(run.records.identity).toBe(sessions! + 2);
      expect(run.records.compliance).toBeGreaterThanOrEqual(consents!);
    }
  }, 240_000);

  it('api-key: API-key verification per request with the cache warm, and a cache miss, for every key', async () => {
    const { stdout, raw } = await smoke('api-key');
    expect(stdout).toMatch(/^\| per request, cache warm \(authenticate\)/m);
    expect(stdout).toMatch(/^\| cache miss \(ApiKeyService\.verify: SQL\)/m);
    const figures = raw as { keys: number; warm: { calls: number }; cold: { calls: number } };
    expect(figures.keys).toBeGreaterThan(0);
    expect(figures.warm.calls).toBeGreaterThan(0);
    expect(figures.cold.calls).toBeGreaterThan(0);
  }, 240_000);

  it('jobs: the runner and pg-boss work() drain a queue and start sent runs, side by side', async () => {
    const { stdout, raw } = await smoke('jobs');
    for (const consumer of ['runner \\(platform/jobs\\)', 'pg-boss work\\(\\), batchSize 1 ']) {
      expect(stdout).toMatch(new RegExp(`^\\| ${consumer}`, 'm'));
    }
    const results = raw as { peer: string; throughput: { handled: number }; latency?: { samples: number } }[];
    expect(results.map((result) => result.peer)).toEqual([
      'runner (platform/jobs)',
      'pg-boss work(), batchSize 1',
      'pg-boss work(), batchSize 20',
      'floor: pg-boss fetch() + complete() loops',
    ]);
    for (const result of results) expect(result.throughput.handled).toBeGreaterThan(0);
    for (const result of results.slice(0, 2)) expect(result.latency?.samples).toBeGreaterThan(0);
  }, 240_000);

  it('sign-in: the SAML ACS and the OIDC callback sign a member in, each measured', async () => {
    const { stdout, raw } = await smoke('sign-in');
    expect(stdout).toMatch(/^\| SAML ACS /m);
    expect(stdout).toMatch(/^\| OIDC callback /m);
    const figures = raw as Record<'samlAcs' | 'oidcCallback', { signIns: number; p95Ms: number }>;
    for (const flow of [figures.samlAcs, figures.oidcCallback]) {
      expect(flow.signIns).toBeGreaterThan(0);
      expect(flow.p95Ms).toBeGreaterThan(0);
    }
  }, 240_000);
});
