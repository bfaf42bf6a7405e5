import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admins end their organization's members' sessions (`sessions:manage`; owners have it through `*:*`). */
export class SessionsPermission1796304341927 implements MigrationInterface {
  name = 'SessionsPermission1796304341927';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', 'role_admin', '*', 'sessions', 'manage')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v0 = 'role_admin' AND v1 = '*' AND v2 = 'sessions' AND v3 = 'manage'`,
    );
  }
}
