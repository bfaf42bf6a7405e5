import 'reflect-metadata';
import { execute, parse } from 'graphql';
import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../tests/kit/database';
import type { TestDatabase } from '../tests/kit/database';
import { testConfig } from '../tests/kit/supergraph';
import { billingSubgraph } from '../subgraphs/billing';
import { authzSubgraph } from '../subgraphs/authz';
import { Public, RequiresPermission } from './access-directives';
import { createAccessControl } from './authorization/access-control';
import type { AccessControl } from './authorization/access-control';
import { createDataSource } from './database';
import { buildFederatedSchema } from './federation';
import { createLogger } from './logger';
import { OutboxMutationAuditSink } from './mutation-audit';
import type { MutationOutcomeFact } from './outbox/event-catalogue';

let database: TestDatabase;
let dataSource: DataSource;
let authzData: DataSource;
let access: AccessControl;

/** Mutations that write a row to `public.widgets`, in the ways a real one can end. */
@Resolver()
class WidgetResolver {
  @Query(() => Boolean)
  @Public()
  widgets(): boolean {
    return true;
  }

  @Mutation(() => String)
  @Public()
  async createWidget(@Arg('name') name: string, @Arg('password') _password: string): Promise<string> {
    await dataSource.query('INSERT INTO public.widgets (name) VALUES ($1)', [name]);
    return name;
  }

  /** Commits one write, then fails before the second: a partial write. */
  @Mutation(() => String)
  @Public()
  async createTwoWidgets(@Arg('name') name: string): Promise<string> {
    await dataSource.query('INSERT INTO public.widgets (name) VALUES ($1)', [`${name}-1`]);
    throw new Error('the second write failed');
  }

  @Mutation(() => String)
  @RequiresPermission('billing', 'update')
  async guardedWidget(@Arg('name') name: string): Promise<string> {
    await dataSource.query('INSERT INTO public.widgets (name) VALUES ($1)', [name]);
    return name;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(billingSubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'mutation-audit-test',
  }).initialize();
  authzData = await createDataSource(authzSubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'mutation-audit-test',
  }).initialize();
  await dataSource.query('CREATE TABLE public.widgets (name text NOT NULL)');
  access = await createAccessControl(testConfig(), authzData, createLogger('silent'));
});
afterAll(async () => {
  await access?.close();
  await authzData?.destroy();
  await dataSource?.destroy();
  await database?.drop();
});

async function recorded(): Promise<MutationOutcomeFact[]> {
  const rows = (await dataSource.query(`SELECT payload FROM billing.outbox WHERE type = 'audit.mutation.recorded' ORDER BY sequence`)) as {
    payload: MutationOutcomeFact;
  }[];
  return rows.map((row) => row.payload);
}

describe('the mutation audit plugin', () => {
  it('records success only after the resolver returned, a partial write that failed as failed, and a refusal as denied', async () => {
    const schema = await buildFederatedSchema({ name: 'billing', resolvers: [WidgetResolver] });
    const context = {
      requestId: 'req_1',
      principal: { userId: 'user_nobody', organizationId: 'org_widgets', sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) },
      logger: createLogger('silent'),
      access,
      mutationAudit: new OutboxMutationAuditSink(dataSource),
    };
    const run = (document: string) => execute({ schema, document: parse(document), contextValue: context });

    expect((await run('mutation { createWidget(name: "one", password: "hunter2") }')).errors).toBeUndefined();
    expect((await run('mutation { createTwoWidgets(name: "pair") }')).errors?.[0]?.message).toBe('the second write failed');
    expect((await run('mutation { guardedWidget(name: "guarded") }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await run('{ widgets }');

    const widgets = (await dataSource.query('SELECT name FROM public.widgets ORDER BY name')) as { name: string }[];
    expect(widgets.map((w) => w.name)).toEqual(['one', 'pair-1']);
    expect(
      (await recorded()).map(({ field, outcome, errorCode, arguments: args, organizationId, userId, requestId }) => ({
        field,
        outcome,
        errorCode,
        args,
        organizationId,
        userId,
        requestId,
      })),
    ).toEqual([
      {
        field: 'createWidget',
        outcome: 'success',
        errorCode: null,
        args: { name: 'one', password: '[REDACTED]' },
        organizationId: 'org_widgets',
        userId: 'user_nobody',
        requestId: 'req_1',
      },
      {
        field: 'createTwoWidgets',
        outcome: 'failed',
        errorCode: 'INTERNAL',
        args: { name: 'pair' },
        organizationId: 'org_widgets',
        userId: 'user_nobody',
        requestId: 'req_1',
      },
      {
        field: 'guardedWidget',
        outcome: 'denied',
        errorCode: 'FORBIDDEN',
        args: { name: 'guarded' },
        organizationId: 'org_widgets',
        userId: 'user_nobody',
        requestId: 'req_1',
      },
    ]);
  });
});
