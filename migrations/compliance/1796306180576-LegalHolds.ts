import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Legal holds on a person's or a whole organization's data; released ones are kept. */
export class LegalHolds1796306180576 implements MigrationInterface {
  name = 'LegalHolds1796306180576';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "compliance"."legal_holds" ("id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "user_id" character varying(64), "reason" character varying(1000) NOT NULL, "reference" character varying(200), "placed_by_id" character varying(64) NOT NULL, "placed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "released_at" TIMESTAMP WITH TIME ZONE, "released_by_id" character varying(64), "release_note" character varying(1000), CONSTRAINT "PK_bbe3e0c98678909493a90442dfb" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "legal_holds_active_idx" ON "compliance"."legal_holds"  ("organization_id", "user_id") WHERE released_at IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "legal_holds_organization_placed_idx" ON "compliance"."legal_holds"  ("organization_id", "placed_at") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "compliance"."legal_holds_organization_placed_idx"');
    await queryRunner.query('DROP INDEX "compliance"."legal_holds_active_idx"');
    await queryRunner.query('DROP TABLE "compliance"."legal_holds"');
  }
}
