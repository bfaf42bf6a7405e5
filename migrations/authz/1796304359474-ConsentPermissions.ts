import type { MigrationInterface, QueryRunner } from 'typeorm';

const ROLES = ['role_admin', 'role_billing_manager', 'role_member', 'role_guest'];
const ACTIONS = ['read', 'update'];

/**
 * Every member reads and records their own consent (`consent:read`, `consent:update`), whatever
 * their role: withdrawing consent must be as easy as giving it (GDPR Art. 7(3)). Owners have both through `*:*`.
 */
export class ConsentPermissions1796304359474 implements MigrationInterface {
  name = 'ConsentPermissions1796304359474';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const role of ROLES) {
      for (const action of ACTIONS) {
        await queryRunner.query(`INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', $1, '*', 'consent', $2)`, [
          role,
          action,
        ]);
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v1 = '*' AND v2 = 'consent' AND v0 = ANY($1)`, [
      ROLES,
    ]);
  }
}
