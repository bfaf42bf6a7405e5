import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One `authz.role.assigned` fact (reason `existing`) for every role assignment made before
 * authz stated them, so compliance's copy of the assignments starts complete.
 */
export class RoleAssignmentFacts1796612345001 implements MigrationInterface {
  name = 'RoleAssignmentFacts1796612345001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "authz"."outbox" ("id", "type", "payload")
       SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), 'authz.role.assigned',
              jsonb_build_object('organizationId', v2, 'userId', v0, 'roleId', v1, 'expiresAt', v3,
                                 'assignedById', NULL, 'reason', 'existing')
         FROM "authz"."casbin_rule" WHERE ptype = 'g' ORDER BY id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "authz"."outbox" WHERE type = 'authz.role.assigned' AND payload->>'reason' = 'existing' AND published_at IS NULL`,
    );
  }
}
