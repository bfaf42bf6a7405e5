import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a scenario on a tiny data set with half-second runs: it must start, finish and report; its figures mean nothing. */
async function smoke(scenario: string, ...args: string[]): Promise<{ stdout: string; results: Record<string, unknown> }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'bench/run.ts', scenario, '--smoke', ...args],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024, timeout: 110_000 },
  );
  const file = /^results: (.+\.json)$/m.exec(stdout)?.[1];
  if (!file) throw new Error(`no results file reported:\n${stdout}`);
  const absolute = path.resolve(ROOT, file);
  expect(existsSync(absolute)).toBe(true);
  const results = JSON.parse(readFileSync(absolute, 'utf8')) as Record<string, unknown>;
  rmSync(absolute);
  return { stdout, results };
}

describe('benchmark scenarios (smoke)', () => {
  it('gateway: the floor, Hive Gateway and ours side by side for each query, with ratios', async () => {
    const { stdout, results } = await smoke('gateway');

    expect(stdout).toContain('| query ');
    expect(stdout).toContain('× hive');
    for (const query of ['me', 'organization', 'nested']) {
      for (const peer of ['floor', 'hive', 'ours']) {
        expect(stdout).toMatch(new RegExp(`^\\| ${query}\\s+\\| ${peer}\\s+\\|`, 'm'));
      }
    }
    const { measurements } = results.raw as { measurements: { peer: string; load: { requests: number; errors: number } }[] };
    expect(measurements).toHaveLength(9);
    for (const measurement of measurements) {
      expect(measurement.load.requests).toBeGreaterThan(0);
      expect(measurement.load.errors).toBe(0);
    }
  }, 120_000);

  it('edge: the REST shim, the full document and the manifest id of one operation side by side, with the ratios', async () => {
    const { stdout, results } = await smoke('edge');

    for (const way of ['rest', 'graphql', 'by id']) expect(stdout).toMatch(new RegExp(`^\\| ${way}\\s+\\|`, 'm'));
    expect(stdout).toContain('REST overhead %');
    const { measurements } = results.raw as { measurements: { way: string; load: { requests: number; errors: number } }[] };
    expect(measurements.map((measurement) => measurement.way)).toEqual(['rest', 'graphql', 'by id']);
    for (const measurement of measurements) {
      expect(measurement.load.requests).toBeGreaterThan(0);
      expect(measurement.load.errors).toBe(0);
    }
  }, 120_000);

  it('planner: parse, validate and plan timed per query', async () => {
    const { stdout, results } = await smoke('planner');

    for (const query of ['me', 'organization', 'nested']) expect(stdout).toMatch(new RegExp(`^\\| ${query}\\s+\\| parse`, 'm'));
    expect(results.scenario).toBe('planner');
  }, 60_000);
});
