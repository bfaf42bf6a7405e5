import { expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * Managing sign-in sessions through the gateway: list them, end one, end all. An ended
 * session's access token is refused on its very next request.
 */
const ME = '{ me { id } }';
const MY_SESSIONS = '{ mySessions { id ip userAgent current lastUsedAt expiresAt } }';
const REVOKE = 'mutation($id: ID!) { revokeSession(id: $id) { id revokedAt } }';

interface ListedSession {
  id: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

let supergraph: TestSupergraph;
let team: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  team = await supergraph.seed.org().withMember({ role: 'role_admin' }).withMember().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

const signIn = (userId: string, client = { ip: '198.51.100.20', userAgent: 'Firefox/140' }) =>
  supergraph.seed.identity.sessions.start(userId, team.organization.id, client);
const call = <T>(query: string, token: string, variables?: Record<string, unknown>) =>
  supergraph.gateway<T, Record<string, unknown> | undefined>(query, variables, { token });

describe('sign-in sessions through the gateway', () => {
  it('mySessions lists where you are signed in, marking this token’s session', async () => {
    const member = team.members[1]!;
    const laptop = await signIn(member.user.id);
    const phone = await signIn(member.user.id, { ip: '2001:db8::7', userAgent: 'AuraLink iOS' });
    const { mySessions } = expectNoErrors(await call<{ mySessions: ListedSession[] }>(MY_SESSIONS, laptop.accessToken.token));
    expect(mySessions.map(({ id, ip, userAgent, current }) => ({ id, ip, userAgent, current }))).toEqual(
      expect.arrayContaining([
        { id: laptop.sessionId, ip: '198.51.100.20', userAgent: 'Firefox/140', current: true },
        { id: phone.sessionId, ip: '2001:db8::7', userAgent: 'AuraLink iOS', current: false },
      ]),
    );
  });

  it('revokeSession ends another of your sessions: its token works, then is UNAUTHENTICATED on the next request', async () => {
    const member = team.members[1]!;
    const here = await signIn(member.user.id);
    const lost = await signIn(member.user.id);
    expectNoErrors(await call(ME, lost.accessToken.token));

    const { revokeSession } = expectNoErrors(
      await call<{ revokeSession: { id: string; revokedAt: string | null } }>(REVOKE, here.accessToken.token, { id: lost.sessionId }),
    );
    expect(revokeSession).toEqual({ id: lost.sessionId, revokedAt: expect.any(String) });

    const refused = await call(ME, lost.accessToken.token);
    expect(refused.status).toBe(401);
    expect(expectError(refused, 'UNAUTHENTICATED').message).toMatch(/session has ended/);
    expectNoErrors(await call(ME, here.accessToken.token));
    // Identity itself refuses it too, reached without the gateway.
    const direct = await fetch(supergraph.subgraphUrls.identity, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${lost.accessToken.token}` },
      body: JSON.stringify({ query: ME }),
    });
    expect(direct.status).toBe(401);
  });

  it('an admin sees and ends a member’s session; a member cannot end an admin’s', async () => {
    const [admin, member] = [team.members[0]!, team.members[1]!];
    const theirs = await signIn(member.user.id);
    const { memberSessions } = expectNoErrors(
      await call<{ memberSessions: { id: string }[] }>('query($u: ID!) { memberSessions(userId: $u) { id } }', admin.token, {
        u: member.user.id,
      }),
    );
    expect(memberSessions.map((session) => session.id)).toContain(theirs.sessionId);

    const adminSession = await signIn(admin.user.id);
    const denied = await call(REVOKE, theirs.accessToken.token, { id: adminSession.sessionId });
    expect(expectError(denied, 'FORBIDDEN').extensions?.requiredPermission).toBe('sessions:manage');
    expectNoErrors(await call(ME, adminSession.accessToken.token));

    expectNoErrors(await call(REVOKE, admin.token, { id: theirs.sessionId }));
    expectError(await call(ME, theirs.accessToken.token), 'UNAUTHENTICATED');
  });

  it('another organization’s session is NOT_FOUND and stays open', async () => {
    const foreign = await supergraph.seed.org().create();
    const theirs = await supergraph.seed.identity.sessions.start(foreign.owner.user.id, foreign.organization.id);
    expectError(await call(REVOKE, team.owner.token, { id: theirs.sessionId }), 'NOT_FOUND');
    expectNoErrors(await call(ME, theirs.accessToken.token));
  });

  it('revokeAllSessions ends the others and keeps this one; with keepCurrent: false, this one too', async () => {
    const owner = team.owner;
    const [current, other, another] = [await signIn(owner.user.id), await signIn(owner.user.id), await signIn(owner.user.id)];

    const kept = expectNoErrors(await call<{ revokeAllSessions: number }>('mutation { revokeAllSessions }', current.accessToken.token));
    expect(kept.revokeAllSessions).toBe(2);
    expectError(await call(ME, other.accessToken.token), 'UNAUTHENTICATED');
    expectError(await call(ME, another.accessToken.token), 'UNAUTHENTICATED');
    const { mySessions } = expectNoErrors(await call<{ mySessions: ListedSession[] }>(MY_SESSIONS, current.accessToken.token));
    expect(mySessions.map((session) => [session.id, session.current])).toEqual([[current.sessionId, true]]);

    const all = expectNoErrors(
      await call<{ revokeAllSessions: number }>('mutation { revokeAllSessions(keepCurrent: false) }', current.accessToken.token),
    );
    expect(all.revokeAllSessions).toBe(1);
    expectError(await call(ME, current.accessToken.token), 'UNAUTHENTICATED');
  });
});

describe('session policy through the gateway', () => {
  const POLICY = 'query($id: ID!) { organization(id: $id) { sessionPolicy { idleTimeoutMinutes absoluteLifetimeMinutes isDefault } } }';
  const UPDATE =
    'mutation($o: ID!, $input: SessionPolicyInput!) { updateSessionPolicy(organizationId: $o, input: $input) { idleTimeoutMinutes absoluteLifetimeMinutes isDefault } }';

  it('an admin sets the idle timeout; a session idle longer is ended at its refresh with a coded reason, its token refused', async () => {
    const strict = await supergraph.seed.org().withMember({ role: 'role_admin' }).create();
    const admin = strict.members[0]!;
    const organizationId = strict.organization.id;
    const before = expectNoErrors(
      await call<{ organization: { sessionPolicy: unknown } }>(POLICY, strict.owner.token, { id: organizationId }),
    );
    expect(before.organization.sessionPolicy).toEqual({ idleTimeoutMinutes: 1440, absoluteLifetimeMinutes: 43200, isDefault: true });

    const tooShort = await call(UPDATE, admin.token, { o: organizationId, input: { idleTimeoutMinutes: 4 } });
    expect(expectError(tooShort, 'BAD_USER_INPUT').message).toMatch(/idleTimeoutMinutes/);
    const { updateSessionPolicy } = expectNoErrors(
      await call<{ updateSessionPolicy: unknown }>(UPDATE, admin.token, { o: organizationId, input: { idleTimeoutMinutes: 15 } }),
    );
    expect(updateSessionPolicy).toEqual({ idleTimeoutMinutes: 15, absoluteLifetimeMinutes: 43200, isDefault: false });

    const session = await supergraph.seed.identity.sessions.start(strict.owner.user.id, organizationId);
    expectNoErrors(await call(ME, session.accessToken.token));
    // Sixteen minutes without a refresh.
    await supergraph.dataSources.identity.query(
      "UPDATE identity.sessions SET created_at = created_at - interval '16 minutes', last_used_at = last_used_at - interval '16 minutes' WHERE id = $1",
      [session.sessionId],
    );
    const refresh = await fetch(`${new URL(supergraph.gatewayUrl).origin}/api/v1/auth/token/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refreshToken }),
    });
    expect(refresh.status).toBe(401);
    const body = (await refresh.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]).toEqual({
      message: 'This session was idle longer than the organization allows (15 minutes): sign in again',
      extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_IDLE' },
    });
    expectError(await call(ME, session.accessToken.token), 'UNAUTHENTICATED');
  });
});
