import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase } from '../kit/database';
import type { TestDatabase } from '../kit/database';
import { testConfig } from '../kit/supergraph';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

let database: TestDatabase;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  database = await createTestDatabase();
  env = { ...process.env, DATABASE_URL: database.url, SECRETS_KEY: testConfig().secretsKey!, LOG_LEVEL: 'silent', REDIS_URL: '' };
});
afterAll(async () => {
  await database?.drop();
});

const job = (...args: string[]) =>
  run('npx', ['ts-node', '--transpile-only', 'bin/job.ts', ...args], { cwd: ROOT, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('npm run job', () => {
  it('runs a job once and exits 0 with its result, its progress kept', async () => {
    const { code, stdout } = await job('billing.issue-invoices');
    expect(code).toBe(0);
    const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(outcome).toMatchObject({ job: 'billing.issue-invoices', status: 'completed', result: { issued: 0 } });
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT name, done, total FROM pgboss.job_progress WHERE job_id = $1', [outcome.id]);
      expect(rows).toEqual([{ name: 'billing.issue-invoices', done: 0, total: 0 }]);
    } finally {
      await client.end();
    }
  });

  it('exits 1 with the error when the job fails', async () => {
    const { code, stderr } = await job('billing.issue-invoices', '--org', 'organization_one');
    expect(code).toBe(1);
    expect(stderr).toContain('billing.issue-invoices failed: billing.issue-invoices runs for every organization');
  });

  it('exits 2 for an unknown name, listing the known jobs', async () => {
    const { code, stderr } = await job('billing.nothing-like-it');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown job billing.nothing-like-it');
    for (const name of ['audit.archive-events', 'billing.issue-invoices', 'analytics.refresh-views']) expect(stderr).toContain(name);
  });
});
