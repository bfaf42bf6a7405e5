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
    { idleTimeoutMs: 2 * HOUR, absoluteLifetimeMs: 10 * HOUR },
    () => clock,
  );

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
    await expect(sessions.refresh(idle.refreshToken)).rejects.toThrow(/idle too long/);

    let current = await sessions.start(team.owner.user.id, team.organization.id);
    for (let hour = 0; hour < 9; hour += 1) {
      clock += HOUR;
      current = await sessions.refresh(current.refreshToken);
    }
    clock += HOUR;
    await expect(sessions.refresh(current.refreshToken)).rejects.toThrow(/reached its lifetime/);
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
    await expect(sessions.refresh(theirs.refreshToken)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('refuses an unknown refresh token', async () => {
    await expect(sessionsAt().refresh('rt_unknown')).rejects.toThrow(new UnauthenticatedError('Refresh token is not valid: sign in again'));
  });
});
