import { decodeJwt } from 'jose';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { UnauthenticatedError } from '../../../platform/errors';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { identitySubgraph } from '../index';
import { Outbox } from '../../../platform/outbox/outbox';
import { SessionPolicyService } from './session-policy.service';
import { SessionService } from './session.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let clock = Date.now();

const HOUR = 60 * 60 * 1000;
const sessionsAt = () =>
  new SessionService(
    dataSource,
    seed.identity.sessionTokens,
    new Outbox(),
    seed.access.authorizer,
    new SessionPolicyService(dataSource, new Outbox(), { idleTimeoutMs: 2 * HOUR, absoluteLifetimeMs: 10 * HOUR }, () => clock),
    { now: () => clock },
  );
/** The caller whose token belongs to `sessionId`. */
const inSession = (userId: string, organizationId: string, sessionId: string) => ({
  ...principalFor(userId, organizationId),
  sessionId,
});

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-sessions',
  }).initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

async function revocationFacts(sessionId: string): Promise<{ reason: string }[]> {
  const rows = (await dataSource.query(
    "SELECT payload FROM identity.outbox WHERE type = 'identity.session.revoked' AND payload->>'sessionId' = $1",
    [sessionId],
  )) as { payload: { reason: string } }[];
  return rows.map((row) => row.payload);
}

describe('SessionService', () => {
  it('signs in with an access token carrying the session id, and rotates the refresh token on every use', async () => {
    const team = await seed.org().create();
    const sessions = sessionsAt();
    const signedIn = await sessions.start(team.owner.user.id, team.organization.id);
    const claims = decodeJwt(signedIn.accessToken.token);
    expect(claims).toMatchObject({ sub: team.owner.user.id, org: team.organization.id, sid: signedIn.sessionId, jti: signedIn.sessionId });
    expect(signedIn.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);

    const refreshed = await sessions.refresh(signedIn.refreshToken);
    expect(refreshed.sessionId).toBe(signedIn.sessionId);
    expect(refreshed.refreshToken).not.toBe(signedIn.refreshToken);
    expect(await sessions.isOpen(signedIn.sessionId)).toBe(true);
    // Only the hash is kept.
    const stored = (await dataSource.query('SELECT token_hash FROM identity.refresh_tokens WHERE session_id = $1', [
      signedIn.sessionId,
    ])) as {
      token_hash: string;
    }[];
    expect(stored.map((row) => row.token_hash).join()).not.toContain(refreshed.refreshToken.slice(3));
  });

  it('reuse of a rotated refresh token ends the whole session: the newest refresh token is refused too', async () => {
    const team = await seed.org().create();
    const sessions = sessionsAt();
    const signedIn = await sessions.start(team.owner.user.id, team.organization.id);
    const rotated = await sessions.refresh(signedIn.refreshToken);
    await expect(sessions.refresh(signedIn.refreshToken)).rejects.toThrow(
      new UnauthenticatedError('Refresh token was already used: the session has been ended, sign in again'),
    );
    expect(await sessions.isOpen(signedIn.sessionId)).toBe(false);
    expect(await revocationFacts(signedIn.sessionId)).toEqual([
      { organizationId: team.organization.id, userId: team.owner.user.id, sessionId: signedIn.sessionId, reason: 'refresh_reuse' },
    ]);
    await expect(sessions.refresh(rotated.refreshToken)).rejects.toThrow(new UnauthenticatedError('This session has ended: sign in again'));
  });

  it('ends a session idle too long, and one past its absolute lifetime however often refreshed', async () => {
    const team = await seed.org().create();
    const sessions = sessionsAt();
    const idle = await sessions.start(team.owner.user.id, team.organization.id);
    clock += 3 * HOUR;
    await expect(sessions.refresh(idle.refreshToken)).rejects.toThrow(/idle longer than the organization allows/);

    let current = await sessions.start(team.owner.user.id, team.organization.id);
    for (let hour = 0; hour < 9; hour += 1) {
      clock += HOUR;
      current = await sessions.refresh(current.refreshToken);
    }
    clock += HOUR;
    await expect(sessions.refresh(current.refreshToken)).rejects.toThrow(/reached the organization's session lifetime/);
  });

  it('sign-out ends the session; a removed member cannot refresh', async () => {
    const team = await seed.org().withMember().create();
    const sessions = sessionsAt();
    const signedIn = await sessions.start(team.owner.user.id, team.organization.id);
    await sessions.logout(signedIn.refreshToken);
    await sessions.logout(signedIn.refreshToken);
    expect((await revocationFacts(signedIn.sessionId)).map((fact) => fact.reason)).toEqual(['logout']);
    await expect(sessions.refresh(signedIn.refreshToken)).rejects.toBeInstanceOf(UnauthenticatedError);

    const member = team.members[0]!;
    const theirs = await sessions.start(member.user.id, team.organization.id);
    await seed.identity.members.remove(principalFor(team.owner.user.id, team.organization.id), member.membership.id);
    // The removal ended the session with the membership.
    await expect(sessions.refresh(theirs.refreshToken)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' },
    });
  });

  it('lists the caller’s open sessions with where they came from, marking the current one', async () => {
    const team = await seed.org().create();
    const sessions = sessionsAt();
    const { owner, organization } = team;
    const laptop = await sessions.start(owner.user.id, organization.id, { ip: '203.0.113.7', userAgent: 'Firefox/140' });
    const phone = await sessions.start(owner.user.id, organization.id, { ip: '2001:db8::1', userAgent: 'AuraLink iOS' });
    const ended = await sessions.start(owner.user.id, organization.id);
    await sessions.logout(ended.refreshToken);
    // Another organization's session of the same person is not listed.
    const elsewhere = await seed.org().withMember({ email: owner.user.email }).create();
    await sessions.start(owner.user.id, elsewhere.organization.id);

    const listed = await sessions.listMine(inSession(owner.user.id, organization.id, laptop.sessionId));
    expect(listed.map((session) => [session.id, session.ip, session.userAgent, session.current])).toEqual(
      expect.arrayContaining([
        [laptop.sessionId, '203.0.113.7', 'Firefox/140', true],
        [phone.sessionId, '2001:db8::1', 'AuraLink iOS', false],
      ]),
    );
    expect(listed).toHaveLength(2);
    expect(listed[0]!.expiresAt.getTime()).toBe(listed[0]!.createdAt.getTime() + 10 * HOUR);
  });

  it('ends one’s own session by id; another organization’s is NOT_FOUND, a member’s needs sessions:manage', async () => {
    const team = await seed.org().withMember({ role: 'role_admin' }).withMember().create();
    const [admin, member] = [team.members[0]!, team.members[1]!];
    const organizationId = team.organization.id;
    const sessions = sessionsAt();
    const mine = await sessions.start(member.user.id, organizationId);
    const other = await sessions.start(member.user.id, organizationId);
    const asMember = inSession(member.user.id, organizationId, mine.sessionId);

    const revoked = await sessions.revoke(asMember, other.sessionId);
    expect(revoked).toMatchObject({ id: other.sessionId, current: false, revokedAt: expect.any(Date) });
    expect(await sessions.isOpen(other.sessionId)).toBe(false);
    expect(await revocationFacts(other.sessionId)).toEqual([
      { organizationId, userId: member.user.id, sessionId: other.sessionId, reason: 'by_user', revokedById: member.user.id },
    ]);
    await expect(sessions.refresh(other.refreshToken)).rejects.toThrow(/session has ended/);
    // Again: answered as it is, no second fact.
    await sessions.revoke(asMember, other.sessionId);
    expect(await revocationFacts(other.sessionId)).toHaveLength(1);

    const ownersSession = await sessions.start(team.owner.user.id, organizationId);
    await expect(sessions.revoke(asMember, ownersSession.sessionId)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', requiredPermission: 'sessions:manage' },
    });
    expect(await sessions.isOpen(ownersSession.sessionId)).toBe(true);

    const asAdmin = principalFor(admin.user.id, organizationId);
    await sessions.revoke(asAdmin, mine.sessionId);
    expect(await revocationFacts(mine.sessionId)).toEqual([
      { organizationId, userId: member.user.id, sessionId: mine.sessionId, reason: 'by_admin', revokedById: admin.user.id },
    ]);
    expect(await sessions.listForMember(asAdmin, member.user.id)).toEqual([]);

    const foreign = await seed.org().create();
    const theirs = await sessions.start(foreign.owner.user.id, foreign.organization.id);
    await expect(sessions.revoke(asAdmin, theirs.sessionId)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(sessions.listForMember(asAdmin, foreign.owner.user.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(await sessions.isOpen(theirs.sessionId)).toBe(true);
    await expect(sessions.revoke(asAdmin, 'not-a-session')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
  });

  it('ends all the caller’s sessions, keeping the current one unless told otherwise; an API key cannot', async () => {
    const team = await seed.org().create();
    const { owner, organization } = team;
    const sessions = sessionsAt();
    const [current, second, third] = [
      await sessions.start(owner.user.id, organization.id),
      await sessions.start(owner.user.id, organization.id),
      await sessions.start(owner.user.id, organization.id),
    ];
    const caller = inSession(owner.user.id, organization.id, current.sessionId);
    const apiKey = { ...caller, apiKey: { id: 'apikey_x', name: 'Robot', permissions: null } };
    await expect(sessions.revokeAll(apiKey, false)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });

    expect(await sessions.revokeAll(caller, true)).toBe(2);
    expect(await sessions.isOpen(current.sessionId)).toBe(true);
    expect([await sessions.isOpen(second.sessionId), await sessions.isOpen(third.sessionId)]).toEqual([false, false]);
    expect((await sessions.listMine(caller)).map((session) => session.id)).toEqual([current.sessionId]);

    expect(await sessions.revokeAll(caller, false)).toBe(1);
    expect(await sessions.listMine(caller)).toEqual([]);
  });

  it('refuses an unknown refresh token', async () => {
    await expect(sessionsAt().refresh('rt_unknown')).rejects.toThrow(new UnauthenticatedError('Refresh token is not valid: sign in again'));
  });
});
