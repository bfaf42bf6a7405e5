import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox (platform/outbox), and one `identity.member.status_changed` fact for every
 * membership that exists already, so that authz's projection of memberships and every
 * process's revocations start complete.
 */
export class Outbox1795345594713 implements MigrationInterface {
  name = 'Outbox1795345594713';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."outbox" ("sequence" BIGSERIAL NOT NULL, "id" character varying(64) NOT NULL, "type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c2e6d231ef9d59cd2e1cb40316c" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "outbox_id_key" ON "identity"."outbox"  ("id") ');
    await queryRunner.query('CREATE INDEX "outbox_published_at_idx" ON "identity"."outbox"  ("published_at") ');
    await queryRunner.query('CREATE INDEX "outbox_unsent_idx" ON "identity"."outbox"  ("sequence") WHERE published_at IS NULL');
    await queryRunner.query(
      `INSERT INTO "identity"."outbox" ("id", "type", "payload")
       SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), 'identity.member.status_changed',
              jsonb_build_object('organizationId', organization_id, 'userId', user_id, 'membershipId', id, 'status', status::text)
         FROM "identity"."organization_members" ORDER BY created_at, id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "identity"."outbox_unsent_idx"');
    await queryRunner.query('DROP INDEX "identity"."outbox_published_at_idx"');
    await queryRunner.query('DROP INDEX "identity"."outbox_id_key"');
    await queryRunner.query('DROP TABLE "identity"."outbox"');
  }
}
