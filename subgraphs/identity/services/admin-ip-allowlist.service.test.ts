import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { Outbox } from '../../../platform/outbox/outbox';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { identitySubgraph } from '../index';
import { AdminIpAllowlistService } from './admin-ip-allowlist.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let allowlists: AdminIpAllowlistService;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-admin-ip-allowlists',
  }).initialize();
  allowlists = new AdminIpAllowlistService(dataSource, new Outbox());
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

describe('AdminIpAllowlistService', () => {
  it('stores the networks once each, states the change as a fact, and clears with an empty list', async () => {
    const team = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const id = team.organization.id;
    expect(await allowlists.get(id)).toEqual([]);

    const saved = await allowlists.set(owner, id, ['203.0.113.0/24', ' 203.0.113.0/24', '2001:db8::1'], false, '203.0.113.4');
    expect(saved).toEqual(['203.0.113.0/24', '2001:db8::1/128']);
    expect(await allowlists.get(id)).toEqual(saved);
    expect(await allowlists.set(owner, id, [], false, null)).toEqual([]);
    const facts = (await dataSource.query(
      "SELECT payload FROM identity.outbox WHERE type = 'identity.admin_ip_allowlist.changed' AND payload->>'organizationId' = $1 ORDER BY sequence",
      [id],
    )) as { payload: unknown }[];
    expect(facts.map((fact) => fact.payload)).toEqual([
      { organizationId: id, userId: team.owner.user.id, cidrs: saved },
      { organizationId: id, userId: team.owner.user.id, cidrs: [] },
    ]);
  });

  it('refuses a list without the caller’s address unless confirmed, and another organization’s list', async () => {
    const team = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const id = team.organization.id;
    await expect(allowlists.set(owner, id, ['198.51.100.0/24'], false, '203.0.113.4')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'confirmLockout' },
    });
    await expect(allowlists.set(owner, id, ['198.51.100.0/24'], false, null)).rejects.toMatchObject({
      extensions: { field: 'confirmLockout' },
    });
    expect(await allowlists.get(id)).toEqual([]);
    expect(await allowlists.set(owner, id, ['198.51.100.0/24'], true, '203.0.113.4')).toEqual(['198.51.100.0/24']);
    // An IPv4 caller seen as IPv6 is on its IPv4 network.
    expect(await allowlists.set(owner, id, ['203.0.113.0/24'], false, '::ffff:203.0.113.4')).toEqual(['203.0.113.0/24']);

    await expect(
      allowlists.set(
        owner,
        id,
        Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`),
        true,
        null,
      ),
    ).rejects.toMatchObject({
      extensions: { field: 'cidrs' },
    });
    const foreign = await seed.org().create();
    await expect(allowlists.set(owner, foreign.organization.id, [], false, null)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });
});
