import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors';
import { Outbox } from '../../../platform/outbox/outbox';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor, uniqueEmail } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { MemberStatus } from '../entities/organization-member.entity';
import { SsoProviderType } from '../entities/sso-config.entity';
import { MfaRequirement } from '../types/mfa-requirement.type';
import type { SsoConfig } from '../entities/sso-config.entity';
import { identitySubgraph } from '../index';
import { SsoSignInService, identityFrom } from './sso-sign-in.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let signIns: SsoSignInService;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-sso-sign-in',
  }).initialize();
  signIns = new SsoSignInService(
    dataSource,
    seed.identity.users,
    seed.identity.members,
    seed.identity.sessions,
    new Outbox(),
    seed.identity.mfa,
    seed.identity.signInProtection,
    seed.identity.signInStates,
  );
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

/** An organization with one member and an OIDC configuration of its own. */
async function setUp(fields: { autoProvisionUsers: boolean }) {
  const team = await seed.org().withMember().create();
  const principal = principalFor(team.owner.user.id, team.organization.id);
  const created = await seed.identity.ssoConfigs.create(principal, {
    organizationId: team.organization.id,
    providerType: SsoProviderType.OIDC,
    providerName: 'Spec',
    enabled: true,
    oidcIssuer: 'https://idp.example.test',
    oidcClientId: 'spec',
    autoProvisionUsers: fields.autoProvisionUsers,
    defaultRole: 'guest',
    attributeMapping: { emailAttribute: 'upn', groupsAttribute: 'roles', groupRoles: [{ group: 'billing', role: 'billing_manager' }] },
  });
  const config = await seed.identity.ssoConfigs.forSignIn(created.id, SsoProviderType.OIDC);
  return { team, config };
}

const factsOf = async (config: SsoConfig, type: string) =>
  (
    (await dataSource.query(`SELECT payload FROM identity.outbox WHERE type = $1 AND payload->>'ssoConfigId' = $2 ORDER BY sequence`, [
      type,
      config.id,
    ])) as { payload: Record<string, unknown> }[]
  ).map((row) => row.payload);

describe('SsoSignInService', () => {
  it('reads the claims the attribute mapping names', async () => {
    const { config } = await setUp({ autoProvisionUsers: false });
    expect(identityFrom({ upn: [' Ann@Example.test '], name: 'Ann', roles: 'billing', email_verified: 'false' }, config)).toEqual({
      email: 'Ann@Example.test',
      name: 'Ann',
      groups: ['billing'],
      emailVerified: false,
    });
  });

  it('provisions a new person with the role of their first mapped group, and states the sign-in', async () => {
    const { team, config } = await setUp({ autoProvisionUsers: true });
    const email = uniqueEmail('provisioned');
    const outcome = await signIns.complete(
      config,
      { email, name: 'New Person', groups: ['staff', 'billing'], emailVerified: true },
      { ip: '192.0.2.44', userAgent: 'Spec Browser' },
    );
    if (outcome.kind !== 'signed_in') throw new Error('expected a session');
    const signedIn = outcome;
    expect(signedIn).toMatchObject({
      organizationId: team.organization.id,
      provisioned: true,
      refreshToken: expect.stringMatching(/^rt_/),
    });
    const user = await seed.identity.users.findByEmail(email);
    expect(user).toMatchObject({ id: signedIn.userId, name: 'New Person' });
    const [added] = (await dataSource.query(
      `SELECT payload FROM identity.outbox WHERE type = 'identity.member.added' AND payload->>'userId' = $1`,
      [signedIn.userId],
    )) as { payload: { roleId: string } }[];
    expect(added!.payload.roleId).toBe('role_billing_manager');
    expect(await factsOf(config, 'identity.sso.login_succeeded')).toEqual([
      expect.objectContaining({ userId: signedIn.userId, sessionId: signedIn.sessionId, provisioned: true }),
    ]);
    // The session notes where the browser signed in from.
    expect(await dataSource.query('SELECT ip, user_agent FROM identity.sessions WHERE id = $1', [signedIn.sessionId])).toEqual([
      { ip: '192.0.2.44', user_agent: 'Spec Browser' },
    ]);

    const again = await signIns.complete(config, { email: email.toUpperCase(), name: undefined, groups: [], emailVerified: true });
    expect(again.kind).toBe('signed_in');
    expect(again).toMatchObject({ userId: signedIn.userId, provisioned: false });
  });

  it('asks for a second factor before any session when the organization requires one, and refuses a locked-out member', async () => {
    const { team, config } = await setUp({ autoProvisionUsers: false });
    const member = team.members[0]!;
    const owner = principalFor(team.owner.user.id, team.organization.id);
    await seed.identity.mfa.setRequirement(owner, team.organization.id, MfaRequirement.EVERYONE);
    const outcome = await signIns.complete(config, { email: member.user.email, name: undefined, groups: [], emailVerified: true });
    expect(outcome).toMatchObject({
      kind: 'mfa_required',
      mfaToken: expect.stringMatching(/^mfa_/),
      enrollmentRequired: true,
      userId: member.user.id,
    });
    expect(outcome).not.toHaveProperty('refreshToken');
    expect(await dataSource.query('SELECT id FROM identity.sessions WHERE user_id = $1', [member.user.id])).toEqual([]);
    expect(await factsOf(config, 'identity.sso.login_succeeded')).toEqual([]);

    for (let i = 0; i < 5; i++) await seed.identity.signInProtection.failedForMember(team.organization.id, member.user.id, null);
    await expect(
      signIns.complete(config, { email: member.user.email, name: undefined, groups: [], emailVerified: true }),
    ).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', reason: 'locked_out' } });
  });

  it('refuses, and states why: a stranger without provisioning, a suspended member, an unverified or missing address', async () => {
    const { team, config } = await setUp({ autoProvisionUsers: false });
    const member = team.members[0]!;
    await expect(
      signIns.complete(config, { email: uniqueEmail('stranger'), name: undefined, groups: [], emailVerified: true }),
    ).rejects.toThrow(ForbiddenError);
    await expect(signIns.complete(config, { email: member.user.email, name: undefined, groups: [], emailVerified: false })).rejects.toThrow(
      UnauthenticatedError,
    );
    await expect(signIns.complete(config, { email: undefined, name: undefined, groups: [], emailVerified: true })).rejects.toThrow(
      /no email address in "upn"/,
    );
    await seed.identity.members.setStatus(
      principalFor(team.owner.user.id, team.organization.id),
      member.membership.id,
      MemberStatus.SUSPENDED,
    );
    await expect(signIns.complete(config, { email: member.user.email, name: undefined, groups: [], emailVerified: true })).rejects.toThrow(
      ForbiddenError,
    );
    expect((await factsOf(config, 'identity.sso.login_failed')).map((fact) => [fact.reason, fact.userId])).toEqual([
      ['not_provisioned', null],
      ['unverified_email', null],
      ['missing_email', null],
      ['inactive_member', member.user.id],
    ]);
    expect(await factsOf(config, 'identity.sso.login_succeeded')).toEqual([]);
  });
});
