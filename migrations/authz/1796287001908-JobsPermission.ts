import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admins see their organization's background job runs (`jobs:read`: `jobs`, `job(id)`,
 * `jobUpdates`); owners have it through `*:*`.
 */
export class JobsPermission1796287001908 implements MigrationInterface {
  name = 'JobsPermission1796287001908';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', 'role_admin', '*', 'jobs', 'read')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v0 = 'role_admin' AND v1 = '*' AND v2 = 'jobs' AND v3 = 'read'`,
    );
  }
}
