import { Client } from 'pg';
import { SYSTEM_ROLES } from '../../platform/authorization/system-roles';
import { createTestDatabase } from '../kit/database';
import type { TestDatabase } from '../kit/database';

let database: TestDatabase;
afterAll(async () => {
  await database?.drop();
});

describe('the system roles', () => {
  it('in the migrated policy table are exactly the ones the code describes (a change needs a migration)', async () => {
    database = await createTestDatabase();
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ role: string; permission: string }>(
        `SELECT v0 AS role, v2 || ':' || v3 AS permission FROM authz.casbin_rule WHERE ptype = 'p' AND v1 = '*' ORDER BY v0, v2, v3`,
      );
      const stored = new Map<string, string[]>();
      for (const { role, permission } of rows) stored.set(role, [...(stored.get(role) ?? []), permission]);
      const described = new Map(SYSTEM_ROLES.map((role) => [role.id, [...role.permissions].sort()]));
      expect(Object.fromEntries([...stored].map(([role, permissions]) => [role, permissions.sort()]))).toEqual(
        Object.fromEntries(described),
      );
    } finally {
      await client.end();
    }
  });
});
