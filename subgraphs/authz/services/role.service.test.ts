import { ForbiddenError } from '../../../platform/errors';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed } from '../../../tests/kit/seed';
import type { Seed, SeededOrganization } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let team: SeededOrganization;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  team = await seed.org().withMember({ role: 'role_admin' }).withMember().create();
});
afterAll(async () => {
  await close?.();
  await database?.drop();
});

const organizationId = () => team.organization.id;
const owner = () => team.owner.user.id;
const admin = () => team.members[0]!.user.id;
const member = () => team.members[1]!.user.id;

describe('RoleService: nobody makes a role stronger than themselves', () => {
  it('refuses a permission the caller does not hold, naming it', async () => {
    // Admins read billing; they do not change it.
    await expect(
      seed.authz.roles.create(organizationId(), admin(), { name: 'Payer', permissions: ['members:read', 'billing:update'] }),
    ).rejects.toThrow(new ForbiddenError('input.permissions: you cannot grant billing:update, which you do not hold yourself'));
  });

  it('needs a grant at least as wide as a wildcard asked for', async () => {
    await expect(seed.authz.roles.create(organizationId(), admin(), { name: 'Biller', permissions: ['billing:*'] })).rejects.toThrow(
      /billing:\*/,
    );
    await expect(seed.authz.roles.create(organizationId(), admin(), { name: 'Root', permissions: ['*:*'] })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    // members:* covers members:delete, and the admin holds members:*.
    const remover = await seed.authz.roles.create(organizationId(), admin(), { name: 'Remover', permissions: ['members:delete'] });
    expect(remover.permissions).toEqual(['members:delete']);
  });

  it('refuses to change, delete or hand out a role that grants more than the caller holds', async () => {
    const payer = await seed.authz.roles.create(organizationId(), owner(), { name: 'Payer', permissions: ['billing:update'] });
    await expect(seed.authz.roles.update(organizationId(), admin(), payer.id, { name: 'Mine' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(seed.authz.roles.delete(organizationId(), admin(), payer.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(seed.authz.assignments.assign(organizationId(), admin(), { userId: member(), roleId: payer.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      seed.authz.assignments.assign(organizationId(), admin(), { userId: admin(), roleId: 'role_owner' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    // Widening a role one holds beyond oneself is refused as well.
    const reader = await seed.authz.roles.create(organizationId(), admin(), { name: 'Reader', permissions: ['members:read'] });
    await expect(
      seed.authz.roles.update(organizationId(), admin(), reader.id, { permissions: ['members:read', 'billing:update'] }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await seed.authz.roles.get(organizationId(), reader.id)).permissions).toEqual(['members:read']);
  });

  it('lets an owner do all of it', async () => {
    const payer = await seed.authz.roles.create(organizationId(), owner(), { name: 'Treasurer', permissions: ['billing:*'] });
    await seed.authz.assignments.assign(organizationId(), owner(), { userId: member(), roleId: payer.id });
    expect(await seed.authz.decisions.check(organizationId(), member(), 'billing', 'update')).toMatchObject({ allowed: true });
    await seed.authz.roles.delete(organizationId(), owner(), payer.id);
    expect(await seed.authz.decisions.check(organizationId(), member(), 'billing', 'update')).toMatchObject({ allowed: false });
  });

  it('answers BAD_USER_INPUT for a malformed role id and NOT_FOUND for an unknown one', async () => {
    await expect(seed.authz.roles.get(organizationId(), 'admin')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(seed.authz.roles.get(organizationId(), 'role_nope')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
