import { Client } from 'pg';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed, SeededOrganization } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { MemberStatus } from '../entities/organization-member.entity';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
});
afterAll(async () => {
  await close?.();
  await database?.drop();
});

const as = (team: SeededOrganization, member: SeededOrganization['owner']) => principalFor(member.user.id, team.organization.id);

describe('MemberService: the last active member', () => {
  it('cannot be suspended or removed; anyone else can', async () => {
    const team = await seed.org().withMember().create();
    const [other] = team.members;
    const owner = as(team, team.owner);
    await seed.identity.members.setStatus(owner, other!.membership.id, MemberStatus.SUSPENDED);
    // The last active member is the caller: nobody changes their own status, and they cannot leave.
    await expect(seed.identity.members.setStatus(owner, team.owner.membership.id, MemberStatus.SUSPENDED)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(seed.identity.members.remove(owner, team.owner.membership.id)).rejects.toThrow(
      new ConflictError('id: this is the last active member of the organization', 'id'),
    );
    await seed.identity.members.remove(owner, other!.membership.id);
    expect((await seed.identity.members.listByOrganizations([team.organization.id])).map((m) => m.id)).toEqual([team.owner.membership.id]);
  });

  it("answers NOT_FOUND for another organization's membership, and BAD_USER_INPUT for a malformed id", async () => {
    const team = await seed.org().withMember().create();
    const stranger = await seed.org().create();
    const outsider = as(stranger, stranger.owner);
    await expect(seed.identity.members.remove(outsider, team.members[0]!.membership.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(seed.identity.members.getInOrganization(outsider, 'not-an-id')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
    expect(await seed.identity.members.findVisible(outsider, team.members[0]!.membership.id)).toBeNull();
  });
});

describe('MemberService: owners', () => {
  it('only an owner may suspend or remove an owner', async () => {
    const team = await seed.org().withMember({ role: 'role_admin' }).withMember({ role: 'role_owner' }).create();
    const [admin, coOwner] = team.members;
    const byAdmin = as(team, admin!);
    await expect(seed.identity.members.setStatus(byAdmin, team.owner.membership.id, MemberStatus.SUSPENDED)).rejects.toThrow(
      new ForbiddenError('id: only an owner may suspend an owner', { field: 'id' }),
    );
    await expect(seed.identity.members.remove(byAdmin, coOwner!.membership.id)).rejects.toBeInstanceOf(ForbiddenError);
    // An admin may still act on members who are not owners, and an owner on owners.
    await seed.identity.members.remove(as(team, team.owner), coOwner!.membership.id);
    expect(await seed.identity.members.isActiveMember(team.organization.id, coOwner!.user.id)).toBe(false);
  });

  it('the last owner counts only active owners whose role does not expire', async () => {
    const team = await seed.org().withMember().withMember({ role: 'role_owner' }).create();
    const [temporary, permanent] = team.members;
    const owner = as(team, team.owner);
    await seed.authz.assignments.grant(team.organization.id, {
      userId: temporary!.user.id,
      roleId: 'role_owner',
      expiresAt: new Date(Date.now() + 60_000),
    });
    // A suspended permanent owner and one whose role lapses in a minute: neither counts.
    await seed.identity.members.setStatus(owner, permanent!.membership.id, MemberStatus.SUSPENDED);
    await expect(seed.identity.members.remove(owner, team.owner.membership.id)).rejects.toThrow(/last owner/);

    await seed.identity.members.setStatus(owner, permanent!.membership.id, MemberStatus.ACTIVE);
    await seed.identity.members.remove(owner, team.owner.membership.id);
    expect(await seed.identity.members.isActiveMember(team.organization.id, team.owner.user.id)).toBe(false);
  });
});

describe('MemberService: sessions end with the membership', () => {
  it("ends a suspended member's sessions and a removed member's, each a fact naming who ended it; reactivation reopens none", async () => {
    const team = await seed.org().withMember().withMember().create();
    const [suspended, removed] = team.members as [SeededOrganization['owner'], SeededOrganization['owner']];
    const owner = as(team, team.owner);
    const first = await seed.identity.sessions.start(suspended.user.id, team.organization.id);
    const second = await seed.identity.sessions.start(removed.user.id, team.organization.id);
    const kept = await seed.identity.sessions.start(team.owner.user.id, team.organization.id);

    await seed.identity.members.setStatus(owner, suspended.membership.id, MemberStatus.SUSPENDED);
    await seed.identity.members.remove(owner, removed.membership.id);
    await seed.identity.members.setStatus(owner, suspended.membership.id, MemberStatus.ACTIVE);

    expect(await seed.identity.sessions.isOpen(first.sessionId)).toBe(false);
    expect(await seed.identity.sessions.isOpen(second.sessionId)).toBe(false);
    expect(await seed.identity.sessions.isOpen(kept.sessionId)).toBe(true);
    await expect(seed.identity.sessions.refresh(first.refreshToken)).rejects.toMatchObject({ extensions: { reason: 'SESSION_ENDED' } });
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows: outbox } = await client
      .query<{ payload: Record<string, unknown> }>(
        "SELECT payload FROM identity.outbox WHERE type = 'identity.session.revoked' AND payload->>'sessionId' = ANY($1) ORDER BY sequence",
        [[first.sessionId, second.sessionId]],
      )
      .finally(() => client.end());
    expect(outbox.map(({ payload }) => [payload.sessionId, payload.reason, payload.revokedById])).toEqual([
      [first.sessionId, 'member_suspended', team.owner.user.id],
      [second.sessionId, 'member_removed', team.owner.user.id],
    ]);
  });
});
