import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed } from '../../../tests/kit/seed';
import type { Seed, SeededOrganization } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { authzSubgraph } from '..';
import { accessReviewRevocationsConsumer } from '../consumers/access-review-revocations.consumer';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let authz: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  authz = await createDataSource(authzSubgraph.storage, { url: database.url, poolMax: 2, applicationName: 'assignment-test' }).initialize();
});
afterAll(async () => {
  await authz?.destroy();
  await close?.();
  await database?.drop();
});

/** authz's facts about the organization, in outbox order, without the mutation outcomes. */
async function factsOf(organizationId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return authz.query(
    `SELECT type, payload FROM authz.outbox WHERE payload->>'organizationId' = $1 AND type LIKE 'authz.%' ORDER BY sequence`,
    [organizationId],
  );
}

async function rolesOf(organizationId: string, userId: string): Promise<string[]> {
  return (await seed.authz.assignments.listForUser(organizationId, userId)).map((assignment) => assignment.roleId).sort();
}

async function team(): Promise<SeededOrganization> {
  return seed.org().withMember().withMember().create();
}

describe('authz states every role change as a fact, in the transaction of the change', () => {
  it('the owner of a new organization and each new member’s role, then an assignment and a revocation by a member', async () => {
    const org = await team();
    const [ann, bob] = org.members.map((member) => member.user.id);
    const organizationId = org.organization.id;
    const owner = org.owner.user.id;
    expect(await factsOf(organizationId)).toEqual([
      {
        type: 'authz.role.assigned',
        payload: {
          organizationId,
          userId: owner,
          roleId: 'role_owner',
          expiresAt: null,
          assignedById: null,
          reason: 'organization_created',
        },
      },
      ...[ann, bob].map((userId) => ({
        type: 'authz.role.assigned',
        payload: { organizationId, userId, roleId: 'role_member', expiresAt: null, assignedById: null, reason: 'member_added' },
      })),
    ]);

    const expiresAt = new Date(Date.now() + 86_400_000);
    await seed.authz.assignments.assign(organizationId, owner, { userId: ann!, roleId: 'role_admin' });
    await seed.authz.assignments.assign(organizationId, owner, { userId: ann!, roleId: 'role_admin', expiresAt });
    // The same role again, as it is, is no change and no fact.
    await seed.authz.assignments.assign(organizationId, owner, { userId: ann!, roleId: 'role_admin', expiresAt });
    await seed.authz.assignments.revoke(organizationId, owner, { userId: ann!, roleId: 'role_admin' });
    expect((await factsOf(organizationId)).slice(3)).toEqual([
      {
        type: 'authz.role.assigned',
        payload: { organizationId, userId: ann, roleId: 'role_admin', expiresAt: null, assignedById: owner, reason: 'assigned' },
      },
      {
        type: 'authz.role.assigned',
        payload: {
          organizationId,
          userId: ann,
          roleId: 'role_admin',
          expiresAt: expiresAt.toISOString(),
          previousExpiresAt: null,
          assignedById: owner,
          reason: 'assigned',
        },
      },
      {
        type: 'authz.role.unassigned',
        payload: { organizationId, userId: ann, roleId: 'role_admin', unassignedById: owner, reason: 'revoked' },
      },
    ]);
  });

  it('writes neither the change nor its fact when the transaction rolls back', async () => {
    const org = await team();
    const organizationId = org.organization.id;
    const ann = org.members[0]!.user.id;
    const before = await factsOf(organizationId);
    await expect(
      authz.transaction(async (manager) => {
        await seed.authz.assignments.grantWithin(
          manager,
          organizationId,
          { userId: ann, roleId: 'role_admin' },
          { assignedById: org.owner.user.id, reason: 'assigned' },
        );
        await seed.authz.assignments.unassignWithin(manager, organizationId, ann, 'role_member', {
          unassignedById: org.owner.user.id,
          reason: 'revoked',
        });
        expect(
          (
            await manager.query('SELECT count(*)::int AS n FROM authz.outbox WHERE payload->>$1 = $2', ['organizationId', organizationId])
          )[0].n,
        ).toBe(before.length + 2);
        throw new Error('the change fails after its facts were added');
      }),
    ).rejects.toThrow('the change fails');
    expect(await factsOf(organizationId)).toEqual(before);
    expect(await rolesOf(organizationId, ann)).toEqual(['role_member']);
    // Outside a transaction the outbox refuses the fact rather than write it on its own.
    await expect(
      seed.authz.assignments.grantWithin(
        authz.manager,
        organizationId,
        { userId: ann, roleId: 'role_admin' },
        { assignedById: null, reason: 'assigned' },
      ),
    ).rejects.toThrow(/must be added in the transaction/);
  });

  it('states custom roles created, changed and deleted, and the assignments a deletion takes', async () => {
    const org = await team();
    const organizationId = org.organization.id;
    const owner = org.owner.user.id;
    const ann = org.members[0]!.user.id;
    const role = await seed.authz.roles.create(organizationId, owner, { name: 'Reader', permissions: ['members:read'] });
    await seed.authz.roles.update(organizationId, owner, role.id, { name: 'Auditor', permissions: ['members:read', 'audit:read'] });
    await seed.authz.assignments.assign(organizationId, owner, { userId: ann, roleId: role.id });
    await seed.authz.roles.delete(organizationId, owner, role.id);
    expect((await factsOf(organizationId)).slice(3).map((fact) => [fact.type, fact.payload])).toEqual([
      ['authz.role.created', { organizationId, roleId: role.id, name: 'Reader', permissions: ['members:read'], actorId: owner }],
      [
        'authz.role.updated',
        {
          organizationId,
          roleId: role.id,
          name: 'Auditor',
          permissions: ['audit:read', 'members:read'],
          actorId: owner,
          previous: { name: 'Reader', permissions: ['members:read'] },
        },
      ],
      ['authz.role.assigned', expect.objectContaining({ userId: ann, roleId: role.id, reason: 'assigned' })],
      ['authz.role.unassigned', { organizationId, userId: ann, roleId: role.id, unassignedById: owner, reason: 'role_deleted' }],
      [
        'authz.role.deleted',
        { organizationId, roleId: role.id, name: 'Auditor', permissions: ['audit:read', 'members:read'], actorId: owner },
      ],
    ]);
  });
});

describe('an access review’s revoke request', () => {
  const request = (organizationId: string, userId: string, roleId: string, requestedById: string): AnyEvent => ({
    id: newId('event'),
    type: 'compliance.access_review.revoke_requested',
    source: 'compliance',
    sequence: 1,
    occurredAt: new Date(),
    payload: {
      organizationId,
      reviewId: newId('accessReview'),
      entryId: newId('accessReviewEntry'),
      userId,
      roleId,
      requestedById,
    },
  });

  it('takes the role away once however often it is delivered, stating it with the review’s ids; the last owner keeps theirs', async () => {
    const org = await team();
    const organizationId = org.organization.id;
    const owner = org.owner.user.id;
    const ann = org.members[0]!.user.id;
    await seed.authz.assignments.assign(organizationId, owner, { userId: ann, roleId: 'role_admin' });
    const consumer = accessReviewRevocationsConsumer(seed.authz);
    const revoke = request(organizationId, ann, 'role_admin', owner);
    expect(await applyOnce(authz, consumer, revoke)).toBe('applied');
    expect(await applyOnce(authz, consumer, revoke)).toBe('duplicate');
    expect(await rolesOf(organizationId, ann)).toEqual(['role_member']);
    const unassigned = (await factsOf(organizationId)).filter((fact) => fact.type === 'authz.role.unassigned');
    expect(unassigned).toEqual([
      {
        type: 'authz.role.unassigned',
        payload: {
          organizationId,
          userId: ann,
          roleId: 'role_admin',
          unassignedById: owner,
          reason: 'access_review',
          reviewId: (revoke.payload as { reviewId: string }).reviewId,
          entryId: (revoke.payload as { entryId: string }).entryId,
        },
      },
    ]);

    expect(await applyOnce(authz, consumer, request(organizationId, owner, 'role_owner', ann))).toBe('applied');
    expect(await rolesOf(organizationId, owner)).toEqual(['role_owner']);
  });
});
