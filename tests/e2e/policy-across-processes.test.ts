import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AssignRoleDocument, CreateRoleDocument, RevokeRoleDocument } from '../../schema/generated/operations';
import { jwksUrlOf } from '../../platform/config';
import { execute, expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { TEST_REDIS_URL, gatewayCredential, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const ROOT = path.resolve(__dirname, '../..');
const SUBSCRIPTION_OF = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { subscription { plan { code } } } } }';

let supergraph: TestSupergraph;
let team: SeededOrganization;
let billing: ChildProcess | undefined;
let billingUrl: string;

/** The billing subgraph as its own process (bin/serve.ts), as in production, on the same database and Redis. */
async function startBillingProcess(): Promise<string> {
  // node itself, not npx, so the signal that stops it reaches the server and not a wrapper.
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bin/serve.ts', 'billing'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: supergraph.config.database.url,
      REDIS_URL: TEST_REDIS_URL,
      EVENT_STREAM_PREFIX: supergraph.config.events.streamPrefix,
      BILLING_PORT: '0',
      AUTH_JWKS_URL: jwksUrlOf(supergraph.subgraphUrls.identity),
      SUBGRAPH_SECRET: supergraph.config.subgraph.secret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  billing = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`billing did not start:\n${output}`)), 45_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`billing exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  supergraph = await startTestSupergraph({ REDIS_URL: TEST_REDIS_URL });
  team = await supergraph.seed.org({ name: 'Two processes' }).withMember().create();
  billingUrl = await startBillingProcess();
});
afterAll(async () => {
  if (billing && billing.exitCode === null) {
    const exited = new Promise((resolve) => billing!.once('exit', resolve));
    billing.kill('SIGTERM');
    await exited;
  }
  await supergraph?.stop();
});

describe('a policy change in one process', () => {
  it('reaches another process on the next request: a granted role starts and a revoked role stops granting there', async () => {
    const [person] = team.members;
    const ask = () =>
      execute(
        billingUrl,
        SUBSCRIPTION_OF,
        { r: [{ __typename: 'Organization', id: team.organization.id }] },
        { token: person!.token, headers: gatewayCredential(supergraph.config) },
      );

    // The other process has loaded this organization's policy: a member may not read billing.
    expect(expectError(await ask(), 'FORBIDDEN').extensions?.requiredPermission).toBe('billing:read');

    const role = expectNoErrors(
      await supergraph.gateway(
        CreateRoleDocument,
        { input: { name: 'Books', permissions: ['billing:read'] } },
        { token: team.owner.token },
      ),
    ).createRole;
    expectNoErrors(
      await supergraph.gateway(AssignRoleDocument, { input: { userId: person!.user.id, roleId: role.id } }, { token: team.owner.token }),
    );
    expect(expectNoErrors(await ask())).toEqual({ _entities: [{ subscription: { plan: { code: 'FREE' } } }] });

    expectNoErrors(
      await supergraph.gateway(RevokeRoleDocument, { input: { userId: person!.user.id, roleId: role.id } }, { token: team.owner.token }),
    );
    expectError(await ask(), 'FORBIDDEN');
  });
});
