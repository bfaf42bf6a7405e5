import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { UnauthenticatedError } from '../../../platform/errors';
import { Outbox } from '../../../platform/outbox/outbox';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { identitySubgraph } from '../index';
import { ApiKeyService } from './api-key.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-api-keys',
  }).initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

const keysOf = () => new ApiKeyService(dataSource, new Outbox(), seed.access.authorizer, seed.identity.members);
const lastUsed = async (id: string) =>
  ((await dataSource.query('SELECT last_used_at FROM identity.api_keys WHERE id = $1', [id])) as { last_used_at: Date | null }[])[0]!
    .last_used_at;

describe('ApiKeyService', () => {
  it('records the last-used time in a batch, not on every verification', async () => {
    const team = await seed.org().create();
    const keys = keysOf();
    const { apiKey, secret } = await keys.create(principalFor(team.owner.user.id, team.organization.id), { name: 'Batch' });
    for (let i = 0; i < 3; i += 1) {
      const principal = await keys.verify(secret);
      expect(principal).toMatchObject({ userId: team.owner.user.id, organizationId: team.organization.id, apiKey: { id: apiKey.id } });
    }
    expect(await lastUsed(apiKey.id)).toBeNull();
    await keys.flushLastUsed();
    expect(await lastUsed(apiKey.id)).toBeInstanceOf(Date);
  });

  it('refuses the key of a member who is no longer active, though it was never revoked', async () => {
    const team = await seed.org().withMember({ role: 'role_admin' }).create();
    const admin = team.members[0]!;
    const keys = keysOf();
    const { secret } = await keys.create(principalFor(admin.user.id, team.organization.id), { name: 'Leaver' });
    await keys.verify(secret);
    await seed.identity.members.remove(principalFor(team.owner.user.id, team.organization.id), admin.membership.id);
    await expect(keys.verify(secret)).rejects.toThrow(UnauthenticatedError);
    await keys.close();
  });
});
