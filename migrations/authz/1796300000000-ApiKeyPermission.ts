import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admins manage their organization's API keys (`api_keys:manage`; owners have it through `*:*`). */
export class ApiKeyPermission1796300000000 implements MigrationInterface {
  name = 'ApiKeyPermission1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', 'role_admin', '*', 'api_keys', 'manage')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v0 = 'role_admin' AND v1 = '*' AND v2 = 'api_keys' AND v3 = 'manage'`,
    );
  }
}
