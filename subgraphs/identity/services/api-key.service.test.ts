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
import { API_KEY_LIMITS, ApiKeyService } from './api-key.service';
import type { CreateApiKey } from './api-key.service';

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

  it('gives every key budgets of its own, the defaults unless set within their bounds, and carries them on its principal', async () => {
    const team = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const keys = keysOf();
    const plain = await keys.create(owner, { name: 'Defaults' });
    expect(plain.apiKey).toMatchObject({
      requestsPerWindow: API_KEY_LIMITS.requestsPerWindow.default,
      costPerWindow: API_KEY_LIMITS.costPerWindow.default,
    });
    const bounded = await keys.create(owner, { name: 'Partner', requestsPerWindow: 5, costPerWindow: 2_000 });
    expect((await keys.verify(bounded.secret)).apiKey?.limits).toEqual({ requestsPerWindow: 5, costPerWindow: 2_000 });

    for (const [field, value] of [
      ['requestsPerWindow', 0],
      ['requestsPerWindow', 1.5],
      ['requestsPerWindow', API_KEY_LIMITS.requestsPerWindow.max + 1],
      ['costPerWindow', API_KEY_LIMITS.costPerWindow.min - 1],
    ] as const) {
      await expect(keys.create(owner, { name: 'Out of bounds', [field]: value } as CreateApiKey)).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: `input.${field}` },
      });
    }
    await keys.close();
  });

  it('changes a key’s budgets in its own organization only, keeping what is left out', async () => {
    const team = await seed.org().create();
    const other = await seed.org().create();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    const keys = keysOf();
    const { apiKey, secret } = await keys.create(owner, { name: 'Tuned', costPerWindow: 5_000 });

    const updated = await keys.updateLimits(owner, { id: apiKey.id, requestsPerWindow: 42 });
    expect(updated).toMatchObject({ id: apiKey.id, requestsPerWindow: 42, costPerWindow: 5_000 });
    expect((await keys.verify(secret)).apiKey?.limits).toEqual({ requestsPerWindow: 42, costPerWindow: 5_000 });

    await expect(keys.updateLimits(owner, { id: apiKey.id, costPerWindow: 0 })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.costPerWindow' },
    });
    await expect(
      keys.updateLimits(principalFor(other.owner.user.id, other.organization.id), { id: apiKey.id, requestsPerWindow: 1 }),
    ).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(keys.updateLimits(await keys.verify(secret), { id: apiKey.id, requestsPerWindow: 1 })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await keys.close();
  });
});
