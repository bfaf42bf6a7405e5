import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admins export the audit log and handle security events (`audit:export`, `audit:update`;
 * owners have them through `*:*`), and authz gets an outbox, so the outcome of its mutations
 * (role changes, assignments) reaches the audit log (platform/mutation-audit.ts).
 */
export class AuditPermissionsAndOutbox1796194328020 implements MigrationInterface {
  name = 'AuditPermissionsAndOutbox1796194328020';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const action of ['export', 'update']) {
      await queryRunner.query(`INSERT INTO "authz"."casbin_rule" (ptype, v0, v1, v2, v3) VALUES ('p', 'role_admin', '*', 'audit', $1)`, [
        action,
      ]);
    }
    await queryRunner.query(
      'CREATE TABLE "authz"."outbox" ("sequence" BIGSERIAL NOT NULL, "id" character varying(64) NOT NULL, "type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_authz_outbox_sequence" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "outbox_id_key" ON "authz"."outbox"  ("id") ');
    await queryRunner.query('CREATE INDEX "outbox_published_at_idx" ON "authz"."outbox"  ("published_at") ');
    await queryRunner.query('CREATE INDEX "outbox_unsent_idx" ON "authz"."outbox"  ("sequence") WHERE published_at IS NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "authz"."outbox"');
    await queryRunner.query(
      `DELETE FROM "authz"."casbin_rule" WHERE ptype = 'p' AND v0 = 'role_admin' AND v1 = '*' AND v2 = 'audit' AND v3 IN ('export', 'update')`,
    );
  }
}
