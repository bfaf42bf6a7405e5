import { createTestDatabase } from '../../tests/kit/database';
import type { TestDatabase } from '../../tests/kit/database';
import { eventually } from '../../tests/kit/eventually';
import { createLogger } from '../logger';
import { defineJob } from './job-definition';
import { startJobRunner } from './runner';
import type { JobRunner } from './runner';

/** The runner on the real database: what a run of a job looks like from pg-boss's tables. */
describe('job runner', () => {
  let database: TestDatabase;
  let runner: JobRunner;
  const attempts: string[] = [];

  const counts = defineJob<{ multiplier: number }, { organizationId?: string; items?: number }>({
    name: 'test.count-items',
    description: 'counts items, reporting progress',
    run: async (context, services) => {
      const items = context.payload.items ?? 0;
      for (let done = 1; done <= items; done += 1) await context.progress(done, items);
      return { counted: items * services.multiplier, organizationId: context.payload.organizationId ?? null };
    },
  });
  const fails = defineJob<unknown>({
    name: 'test.always-fails',
    description: 'fails every time',
    retryLimit: 2,
    retryDelaySeconds: 1,
    run: async (context) => {
      attempts.push(context.id);
      throw new Error('the provider is down');
    },
  });
  const hangs = defineJob<unknown>({
    name: 'test.hangs',
    description: 'never ends by itself',
    retryLimit: 0,
    timeoutSeconds: 1,
    run: () => new Promise(() => undefined),
  });

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    runner = await startJobRunner({
      databaseUrl: database.url,
      schema: 'pgboss',
      logger: createLogger('silent'),
      jobs: [
        { definition: counts, services: { multiplier: 3 } },
        { definition: fails, services: {} },
        { definition: hangs, services: {} },
      ],
      shutdownGraceSeconds: 1,
      pollingIntervalSeconds: 0.5,
    });
  });

  afterAll(async () => {
    await runner?.close();
    await database?.drop();
  });

  it('runs a job with its services and payload, keeping its result and its progress', async () => {
    const id = await runner.send('test.count-items', { organizationId: 'org-1', items: 4 });
    const run = await eventually(async () => {
      const state = await runner.getRun('test.count-items', id!);
      return state?.state === 'completed' ? state : undefined;
    }, 'the run to complete');
    expect(run.output).toEqual({ counted: 12, organizationId: 'org-1' });
    expect(run.progress).toEqual({ done: 4, total: 4 });
    expect(run.retryCount).toBe(0);
  });

  it('tries a failing job again, then puts it in its dead-letter queue with its last error', async () => {
    const id = await runner.send('test.always-fails', { organizationId: 'org-2' });
    const run = await eventually(
      async () => {
        const state = await runner.getRun('test.always-fails', id!);
        return state?.state === 'failed' ? state : undefined;
      },
      'the run to fail for good',
      45_000,
    );
    expect(attempts.filter((attempt) => attempt === id)).toHaveLength(3);
    expect(run.retryCount).toBe(2);
    expect(JSON.stringify(run.output)).toContain('the provider is down');
    const dead = await runner.boss.fetch<{ organizationId: string }>(runner.deadLetterQueue('test.always-fails'));
    expect(dead.map((job) => job.data)).toEqual([{ organizationId: 'org-2' }]);
  }, 60_000);

  it('fails a run that outlives its timeout', async () => {
    const id = await runner.send('test.hangs');
    const run = await eventually(async () => {
      const state = await runner.getRun('test.hangs', id!);
      return state?.state === 'failed' ? state : undefined;
    }, 'the run to time out');
    expect(JSON.stringify(run.output)).toContain('timed out after 1 s');
  });

  it('refuses a job nobody registered', async () => {
    await expect(runner.send('test.nobody-knows')).rejects.toThrow('unknown job test.nobody-knows');
  });
});
