import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The five system roles' permissions, for every organization (domain `*`). Written out
 * here rather than read from the platform, so this migration means the same forever; a
 * test checks the table against SYSTEM_ROLES, and a change there needs a new migration.
 */
const SYSTEM_ROLE_PERMISSIONS: Record<string, string[]> = {
  role_owner: ['*:*'],
  role_admin: [
    'organization:read',
    'organization:update',
    'organization:create',
    'members:*',
    'roles:*',
    'permissions:read',
    'profile:*',
    'billing:read',
    'audit:read',
    'compliance:*',
    'analytics:*',
  ],
  role_billing_manager: [
    'organization:read',
    'organization:create',
    'members:read',
    'roles:read',
    'profile:*',
    'billing:*',
    'analytics:read',
  ],
  role_member: ['organization:read', 'organization:create', 'members:read', 'roles:read', 'profile:*', 'analytics:read'],
  role_guest: ['organization:read', 'members:read', 'roles:read', 'profile:read'],
};

export class SeedSystemRoles1795318450073 implements MigrationInterface {
  name = 'SeedSystemRoles1795318450073';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [role, permissions] of Object.entries(SYSTEM_ROLE_PERMISSIONS)) {
      for (const permission of permissions) {
        const [resource, action] = permission.split(':');
        await queryRunner.query(`INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', $1, '*', $2, $3)`, [
          role,
          resource,
          action,
        ]);
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v1 = '*' AND v0 = ANY($1)`, [
      Object.keys(SYSTEM_ROLE_PERMISSIONS),
    ]);
  }
}
