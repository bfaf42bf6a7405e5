import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Audit's outbox: what it tells compliance after applying a retention request (`retention.applied`). */
export class Outbox1796400000002 implements MigrationInterface {
  name = 'Outbox1796400000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit"."outbox" ("sequence" BIGSERIAL NOT NULL, "id" character varying(64) NOT NULL, "type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c2e6d231ef9d59cd2e1cb40316c" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "outbox_id_key" ON "audit"."outbox"  ("id") ');
    await queryRunner.query('CREATE INDEX "outbox_published_at_idx" ON "audit"."outbox"  ("published_at") ');
    await queryRunner.query('CREATE INDEX "outbox_unsent_idx" ON "audit"."outbox"  ("sequence") WHERE published_at IS NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "audit"."outbox_unsent_idx"');
    await queryRunner.query('DROP INDEX "audit"."outbox_published_at_idx"');
    await queryRunner.query('DROP INDEX "audit"."outbox_id_key"');
    await queryRunner.query('DROP TABLE "audit"."outbox"');
  }
}
