import type { DataSource } from 'typeorm';
import { createAccessControl } from '../../platform/authorization/access-control';
import type { AccessControl } from '../../platform/authorization/access-control';
import { createDataSource } from '../../platform/database';
import { createLogger } from '../../platform/logger';
import { ROLE_PROVISIONING_CONSUMER } from '../../platform/outbox/event-catalogue';
import { createMessaging } from '../../platform/outbox/messaging';
import type { Messaging } from '../../platform/outbox/messaging';
import { authzSubgraph } from '../../subgraphs/authz';
import { membershipRolesConsumer } from '../../subgraphs/authz/consumers/membership-roles.consumer';
import { createAuthzServices } from '../../subgraphs/authz/services';
import type { AuthzServices } from '../../subgraphs/authz/services';
import { identitySubgraph } from '../../subgraphs/identity';
import { execute } from '../kit/client';
import { createTestDatabase } from '../kit/database';
import { eventually } from '../kit/eventually';
import type { TestDatabase } from '../kit/database';
import { deleteRedisKeys } from '../kit/redis';
import { Seed, uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { startSubgraphProcess } from '../kit/subgraph-process';
import type { SubgraphProcess } from '../kit/subgraph-process';
import { TEST_REDIS_URL, testConfig } from '../kit/supergraph';

/**
 * Identity as its own process (bin/serve.ts), killed with SIGKILL at the two moments where a
 * fact can be lost or doubled: after the membership committed but before its event was
 * published, and after it was published but before it was marked sent. Authz's consumer
 * runs in this process, as an authz process would.
 */
const PAUSED = 'outbox relay paused (test hook)';

let database: TestDatabase;
let config: ReturnType<typeof testConfig>;
let dataSources: { identity: DataSource; authz: DataSource };
let access: AccessControl;
let messaging: Messaging;
let authz: AuthzServices;
let seed: Seed;
let team: SeededOrganization;
const started: SubgraphProcess[] = [];

interface Identity extends SubgraphProcess {
  /** Resolves with the event ids the relay paused on (after `pause` was set). */
  paused: Promise<string[]>;
}

async function startIdentity(pause?: string): Promise<Identity> {
  let onPaused: (ids: string[]) => void = () => undefined;
  const paused = new Promise<string[]>((resolve) => {
    onPaused = resolve;
  });
  const identity = await startSubgraphProcess(
    'identity',
    {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      EVENT_STREAM_PREFIX: config.events.streamPrefix,
      SECRETS_KEY: config.secretsKey,
      OUTBOX_TEST_PAUSE: pause ?? '',
    },
    {
      onOutput: (output) => {
        const line = output.split('\n').find((candidate) => candidate.includes(PAUSED));
        if (line) onPaused((JSON.parse(line) as { events: string[] }).events);
      },
    },
  );
  started.push(identity);
  return { ...identity, paused };
}

async function outboxRow(eventId: string): Promise<{ published: boolean }> {
  const [row] = await dataSources.identity.query('SELECT published_at IS NOT NULL AS published FROM identity.outbox WHERE id = $1', [
    eventId,
  ]);
  return row as { published: boolean };
}

async function timesApplied(eventId: string): Promise<number> {
  const [{ count }] = await dataSources.authz.query('SELECT count(*)::int AS count FROM authz.processed_events WHERE event_id = $1', [
    eventId,
  ]);
  return count as number;
}

beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL });
  const logger = createLogger('silent');
  const open = (storage: typeof identitySubgraph.storage) =>
    createDataSource(storage, { url: database.url, poolMax: 3, applicationName: 'outbox-crash-test' }).initialize();
  dataSources = { identity: await open(identitySubgraph.storage), authz: await open(authzSubgraph.storage) };
  access = await createAccessControl(config, dataSources.authz, logger);
  messaging = createMessaging(config, logger);
  authz = createAuthzServices({ dataSource: dataSources.authz, access });
  messaging.registerConsumer(membershipRolesConsumer(authz), dataSources.authz);
  await messaging.start();
  seed = new Seed(config, dataSources, access, messaging);
});

afterAll(async () => {
  await Promise.all(started.map((identity) => identity.stop()));
  await messaging?.close();
  await access?.close();
  await Promise.all([dataSources?.identity.destroy(), dataSources?.authz.destroy()]);
  await deleteRedisKeys(TEST_REDIS_URL, config.events.streamPrefix);
  await database?.drop();
});

describe('identity killed with SIGKILL while a membership fact is on its way', () => {
  it('gives the new member their role exactly once, whichever moment the process died at', async () => {
    // 1. Identity runs; its relay will hang once it holds a "member added" event it has not published.
    const first = await startIdentity('before-publish:identity.member.added');
    team = await seed.org().create(); // the organization's own fact flows: the owner gets their role
    const email = uniqueEmail('arrival');
    // The newcomer accepts an invitation: that is what adds the membership (and its fact).
    const invited = await execute(
      first.url,
      'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { token } }',
      { input: { organizationId: team.organization.id, email } },
      { token: team.owner.token },
    );
    const invitation = (invited.data as { inviteMember: { token: string } } | null)?.inviteMember.token;
    expect(invitation).toEqual(expect.any(String));
    const adding = execute(first.url, 'mutation($token: String!) { acceptInvitation(token: $token) { id } }', {
      token: invitation!,
    }).catch(() => 'connection lost');
    const [eventId] = await first.paused;
    await first.stop();
    await adding;

    // The membership committed; its fact did not leave the outbox, and authz has not heard of it.
    const user = (await seed.identity.users.findByEmail(email))!;
    expect(await seed.identity.members.isActiveMember(team.organization.id, user.id)).toBe(true);
    expect(await outboxRow(eventId!)).toEqual({ published: false });
    expect(await authz.assignments.listForUser(team.organization.id, user.id)).toEqual([]);

    // 2. Started again, identity publishes it, and dies once more before marking it sent.
    const applied = messaging.waitUntilApplied(eventId!, ROLE_PROVISIONING_CONSUMER, 30_000);
    const second = await startIdentity('after-publish:identity.member.added');
    expect(await second.paused).toContain(eventId);
    expect(await applied).toBe(true);
    expect((await authz.assignments.listForUser(team.organization.id, user.id)).map((role) => role.roleId)).toEqual(['role_member']);
    await second.stop();
    expect(await outboxRow(eventId!)).toEqual({ published: false });

    // Meanwhile the owner makes the newcomer a guest instead: a second application would bring role_member back.
    await authz.assignments.assign(team.organization.id, team.owner.user.id, { userId: user.id, roleId: 'role_guest' });
    await authz.assignments.revoke(team.organization.id, team.owner.user.id, { userId: user.id, roleId: 'role_member' });

    // 3. The third start publishes the same event again; authz recognises it and changes nothing.
    let announcements = 0;
    await messaging.transport.onApplied((group, id) => {
      if (group === ROLE_PROVISIONING_CONSUMER && id === eventId) announcements += 1;
    });
    await startIdentity();
    await eventually(async () => ((await outboxRow(eventId!)).published && announcements > 0 ? true : undefined), 'the republished event');
    expect((await authz.assignments.listForUser(team.organization.id, user.id)).map((role) => role.roleId)).toEqual(['role_guest']);
    expect(await timesApplied(eventId!)).toBe(1);
    // Three identity processes start from source (ts-node) one after another: slow on a loaded machine.
  }, 180_000);
});
