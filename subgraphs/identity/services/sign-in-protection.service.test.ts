import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { NotFoundError, RateLimitedError, UnauthenticatedError } from '../../../platform/errors';
import { Outbox } from '../../../platform/outbox/outbox';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { TEST_REDIS_URL, testConfig } from '../../../tests/kit/supergraph';
import { identitySubgraph } from '../index';
import { SignInProtectionService } from './sign-in-protection.service';
import type { SignInProtectionSettings } from './sign-in-protection.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let clock = Date.now();
const opened: SignInProtectionService[] = [];

const SETTINGS: SignInProtectionSettings = {
  failureWindowSeconds: 900,
  maxFailures: 3,
  lockoutSeconds: 600,
  ipMaxFailures: 4,
  mfaIssuer: 'AuraLink',
};

/** A service with counters of its own: in Redis (shared by two services, as by two identity processes) or in memory. */
function protection(store: 'redis' | 'memory', keyPrefix = `auralink-test:${randomBytes(6).toString('hex')}:sign-in`) {
  const service = new SignInProtectionService(
    dataSource,
    new Outbox(),
    SETTINGS,
    store === 'redis' ? TEST_REDIS_URL : undefined,
    keyPrefix,
    () => clock,
  );
  opened.push(service);
  return service;
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-sign-in-protection',
  }).initialize();
});
afterAll(async () => {
  await Promise.all(opened.map((service) => service.close()));
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

const facts = async (userId: string) =>
  (await dataSource.query(
    "SELECT type, payload FROM identity.outbox WHERE type LIKE 'identity.user.%' AND payload->>'userId' = $1 ORDER BY sequence",
    [userId],
  )) as { type: string; payload: Record<string, unknown> }[];

describe.each(['redis', 'memory'] as const)('SignInProtectionService (%s counters)', (store) => {
  it('locks a member out at the limit of failures, refuses them with 429 and the time left, and the lock ends by itself', async () => {
    const team = await seed.org().withMember().create();
    const { organization } = team;
    const member = team.members[0]!;
    const service = protection(store);
    expect(await service.failedForMember(organization.id, member.user.id, '192.0.2.1')).toBe(false);
    expect(await service.failedForMember(organization.id, member.user.id, '192.0.2.1')).toBe(false);
    await service.assertNotLocked(organization.id, member.user.id);
    expect(await service.failedForMember(organization.id, member.user.id, '192.0.2.9')).toBe(true);

    const refusal = await service.assertNotLocked(organization.id, member.user.id).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal).toMatchObject({ retryAfterSeconds: 600, extensions: { code: 'RATE_LIMITED', reason: 'locked_out' } });
    expect(await service.lockedUntilOf([`${organization.id}:${member.user.id}`, `${organization.id}:${team.owner.user.id}`])).toEqual([
      new Date(clock + 600_000),
      null,
    ]);
    // The lock-out is the member's in this organization only.
    const elsewhere = await seed.org().create();
    await service.assertNotLocked(elsewhere.organization.id, member.user.id);

    clock += 600_000;
    await service.assertNotLocked(organization.id, member.user.id);
    await service.assertNotLocked(organization.id, member.user.id);
    expect(await facts(member.user.id)).toEqual([
      {
        type: 'identity.user.locked_out',
        payload: {
          organizationId: organization.id,
          userId: member.user.id,
          failures: 3,
          lockedUntil: new Date(clock).toISOString(),
          ip: '192.0.2.9',
        },
      },
      {
        type: 'identity.user.unlocked',
        payload: { organizationId: organization.id, userId: member.user.id, reason: 'expired', unlockedById: null },
      },
    ]);
    // The count started again with the lock-out: one more failure locks nobody.
    expect(await service.failedForMember(organization.id, member.user.id, null)).toBe(false);
  });

  it('lets an admin of the organization unlock a member, and nobody of another organization', async () => {
    const team = await seed.org().withMember().create();
    const member = team.members[0]!;
    const service = protection(store);
    for (let i = 0; i < 3; i++) await service.failedForMember(team.organization.id, member.user.id, null);
    const stranger = await seed.org().create();
    await expect(service.unlock(principalFor(stranger.owner.user.id, stranger.organization.id), member.user.id)).rejects.toThrow(
      NotFoundError,
    );
    await expect(service.assertNotLocked(team.organization.id, member.user.id)).rejects.toThrow(RateLimitedError);

    const owner = principalFor(team.owner.user.id, team.organization.id);
    expect(await service.unlock(owner, member.user.id)).toBe(true);
    expect(await service.unlock(owner, member.user.id)).toBe(false);
    await service.assertNotLocked(team.organization.id, member.user.id);
    expect((await facts(member.user.id)).map((fact) => [fact.type, fact.payload.reason, fact.payload.unlockedById])).toEqual([
      ['identity.user.locked_out', undefined, undefined],
      ['identity.user.unlocked', 'by_admin', team.owner.user.id],
    ]);
    // A success forgets the failures before it.
    await service.failedForMember(team.organization.id, member.user.id, null);
    await service.failedForMember(team.organization.id, member.user.id, null);
    await service.succeeded(team.organization.id, member.user.id);
    expect(await service.failedForMember(team.organization.id, member.user.id, null)).toBe(false);
  });

  it('refuses an address once its failed attempts reach the limit, whatever the attempt; successes cost nothing', async () => {
    const service = protection(store);
    const address = `198.51.100.${Math.floor(Math.random() * 250)}`;
    expect(await service.attempt(address, async () => 'signed in')).toBe('signed in');
    for (let i = 0; i < 4; i++) {
      await expect(
        service.attempt(address, async () => {
          throw new UnauthenticatedError('refused');
        }),
      ).rejects.toThrow(UnauthenticatedError);
    }
    const refusal = await service.attempt(address, async () => 'never run').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal).toMatchObject({ extensions: { reason: 'too_many_failures' } });
    expect((refusal as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await service.attempt('203.0.113.7', async () => 'another address')).toBe('another address');
  });
});

describe('SignInProtectionService with Redis', () => {
  it('counts the failures of every identity process together', async () => {
    const team = await seed.org().withMember().create();
    const member = team.members[0]!;
    const keyPrefix = `auralink-test:${randomBytes(6).toString('hex')}:sign-in`;
    const [one, two] = [protection('redis', keyPrefix), protection('redis', keyPrefix)];
    expect(await one.failedForMember(team.organization.id, member.user.id, null)).toBe(false);
    expect(await two.failedForMember(team.organization.id, member.user.id, null)).toBe(false);
    expect(await one.failedForMember(team.organization.id, member.user.id, null)).toBe(true);
    await expect(two.assertNotLocked(team.organization.id, member.user.id)).rejects.toThrow(RateLimitedError);
  });
});
