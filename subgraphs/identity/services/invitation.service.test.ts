import { Client } from 'pg';
import { InvitationStatus } from '../entities/invitation.entity';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor, uniqueEmail } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';

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

describe('InvitationService', () => {
  it('lets one of two acceptances at the same time through, and makes one member', async () => {
    const team = await seed.org().create();
    const email = uniqueEmail('twice');
    const { token } = await seed.invite(team.organization.id, team.owner.user.id, { email });
    const results = await Promise.allSettled([
      seed.identity.invitations.accept(null, token!),
      seed.identity.invitations.accept(null, token!),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { extensions: { code: 'CONFLICT' } } });
    const members = await seed.identity.members.listByOrganizations([team.organization.id]);
    expect(members).toHaveLength(2);
  });

  it('marks a lapsed invitation expired when the same person is invited again, and only then', async () => {
    const team = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const email = uniqueEmail('late');
    const first = await seed.invite(team.organization.id, team.owner.user.id, { email });
    await expect(seed.identity.invitations.invite(owner, { organizationId: team.organization.id, email })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'input.email' },
    });

    await withClient((client) =>
      client.query("UPDATE identity.invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [first.id]),
    );
    await expect(seed.identity.invitations.accept(null, first.token!)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    const second = await seed.identity.invitations.invite(owner, { organizationId: team.organization.id, email });
    const listed = await seed.identity.invitations.list(owner, team.organization.id);
    expect(listed.map((invitation) => [invitation.id, invitation.status])).toEqual([
      [second.id, InvitationStatus.PENDING],
      [first.id, InvitationStatus.EXPIRED],
    ]);
  });
});

async function withClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
