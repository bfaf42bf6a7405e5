import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admins manage their organization's single sign-on configurations (`sso:manage`: read,
 * create, update, delete); owners have it through `*:*`.
 */
export class SsoPermission1796304274433 implements MigrationInterface {
  name = 'SsoPermission1796304274433';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', 'role_admin', '*', 'sso', 'manage')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v0 = 'role_admin' AND v1 = '*' AND v2 = 'sso' AND v3 = 'manage'`,
    );
  }
}
