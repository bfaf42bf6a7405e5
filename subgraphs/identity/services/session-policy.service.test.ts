import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { Outbox } from '../../../platform/outbox/outbox';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { identitySubgraph } from '../index';
import { SessionPolicyService } from './session-policy.service';
import { SessionService } from './session.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let policies: SessionPolicyService;
let sessions: SessionService;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-session-policies',
  }).initialize();
  policies = new SessionPolicyService(dataSource, new Outbox());
  sessions = new SessionService(dataSource, seed.identity.sessionTokens, new Outbox(), seed.access.authorizer, policies);
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

/** Moves a session's clock back, as if that much time had passed since sign-in and its last refresh. */
async function age(sessionId: string, minutes: { sinceSignIn?: number; sinceRefresh?: number }): Promise<void> {
  await dataSource.query(
    `UPDATE identity.sessions SET created_at = created_at - make_interval(mins => $2), last_used_at = last_used_at - make_interval(mins => $3)
      WHERE id = $1`,
    [sessionId, minutes.sinceSignIn ?? 0, minutes.sinceRefresh ?? 0],
  );
}

async function endings(sessionId: string): Promise<string[]> {
  const rows = (await dataSource.query(
    "SELECT payload->>'reason' AS reason FROM identity.outbox WHERE type = 'identity.session.revoked' AND payload->>'sessionId' = $1",
    [sessionId],
  )) as { reason: string }[];
  return rows.map((row) => row.reason);
}

describe('SessionPolicyService', () => {
  it('answers today’s defaults for an organization that set none: idle 24 hours, absolute 30 days', async () => {
    const team = await seed.org().create();
    expect(await policies.findByOrganizationIds([team.organization.id])).toEqual([
      {
        organizationId: team.organization.id,
        idleTimeoutMinutes: 24 * 60,
        absoluteLifetimeMinutes: 30 * 24 * 60,
        isDefault: true,
        updatedAt: null,
      },
    ]);
    const signedIn = await sessions.start(team.owner.user.id, team.organization.id);
    const [row] = (await dataSource.query('SELECT expires_at - created_at AS lifetime FROM identity.sessions WHERE id = $1', [
      signedIn.sessionId,
    ])) as { lifetime: { days: number } }[];
    expect(row!.lifetime).toEqual({ days: 30 });
  });

  it('ends a session idle longer than the organization allows, with a coded reason; another organization keeps its default', async () => {
    const strict = await seed.org().create();
    const relaxed = await seed.org().create();
    await policies.update(principalFor(strict.owner.user.id, strict.organization.id), strict.organization.id, { idleTimeoutMinutes: 30 });

    const idle = await sessions.start(strict.owner.user.id, strict.organization.id);
    const alsoIdle = await sessions.start(relaxed.owner.user.id, relaxed.organization.id);
    await age(idle.sessionId, { sinceSignIn: 31, sinceRefresh: 31 });
    await age(alsoIdle.sessionId, { sinceSignIn: 31, sinceRefresh: 31 });

    await expect(sessions.refresh(idle.refreshToken)).rejects.toMatchObject({
      message: 'This session was idle longer than the organization allows (30 minutes): sign in again',
      extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_IDLE' },
    });
    expect(await endings(idle.sessionId)).toEqual(['idle']);
    expect(await sessions.isOpen(idle.sessionId)).toBe(false);
    // Refreshed within its organization's 24 hours.
    expect((await sessions.refresh(alsoIdle.refreshToken)).sessionId).toBe(alsoIdle.sessionId);

    // Refreshed in time, a session goes on.
    const active = await sessions.start(strict.owner.user.id, strict.organization.id);
    await age(active.sessionId, { sinceSignIn: 29, sinceRefresh: 29 });
    expect((await sessions.refresh(active.refreshToken)).sessionId).toBe(active.sessionId);
  });

  it('ends a session past the absolute lifetime however recently refreshed; a shorter lifetime ends the sessions it has passed at once', async () => {
    const team = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const old = await sessions.start(team.owner.user.id, team.organization.id);
    const recent = await sessions.start(team.owner.user.id, team.organization.id);
    await age(old.sessionId, { sinceSignIn: 3 * 60 });
    await age(recent.sessionId, { sinceSignIn: 30 });

    const policy = await policies.update(owner, team.organization.id, { absoluteLifetimeMinutes: 2 * 60 });
    expect(policy).toMatchObject({
      idleTimeoutMinutes: 24 * 60,
      absoluteLifetimeMinutes: 120,
      isDefault: false,
      updatedAt: expect.any(Date),
    });
    expect(await endings(old.sessionId)).toEqual(['expired']);
    expect(await sessions.isOpen(old.sessionId)).toBe(false);
    expect(await sessions.isOpen(recent.sessionId)).toBe(true);
    const [{ lifetime }] = (await dataSource.query('SELECT expires_at - created_at AS lifetime FROM identity.sessions WHERE id = $1', [
      recent.sessionId,
    ])) as [{ lifetime: { hours: number } }];
    expect(lifetime).toEqual({ hours: 2 });

    // Past the two hours, though refreshed a minute ago.
    await age(recent.sessionId, { sinceSignIn: 91 });
    await expect(sessions.refresh(recent.refreshToken)).rejects.toMatchObject({
      message: "This session has reached the organization's session lifetime (2 hours): sign in again",
      extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' },
    });
    expect(await endings(recent.sessionId)).toEqual(['expired']);
  });

  it('keeps the bounds: idle 5 minutes to 30 days, absolute 1 hour to 90 days, only for the caller’s organization', async () => {
    const team = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const id = team.organization.id;
    await expect(policies.update(owner, id, { idleTimeoutMinutes: 4 })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.idleTimeoutMinutes' },
    });
    await expect(policies.update(owner, id, { absoluteLifetimeMinutes: 90 * 24 * 60 + 1 })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.absoluteLifetimeMinutes' },
    });
    const foreign = await seed.org().create();
    await expect(policies.update(owner, foreign.organization.id, { idleTimeoutMinutes: 10 })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await policies.findByOrganizationIds([id, foreign.organization.id])).map((policy) => policy.isDefault)).toEqual([true, true]);

    const widest = await policies.update(owner, id, { idleTimeoutMinutes: 30 * 24 * 60, absoluteLifetimeMinutes: 90 * 24 * 60 });
    expect(widest).toMatchObject({ idleTimeoutMinutes: 43200, absoluteLifetimeMinutes: 129600 });
    // A field left out keeps its value.
    expect(await policies.update(owner, id, { idleTimeoutMinutes: 5 })).toMatchObject({
      idleTimeoutMinutes: 5,
      absoluteLifetimeMinutes: 129600,
    });
  });
});
