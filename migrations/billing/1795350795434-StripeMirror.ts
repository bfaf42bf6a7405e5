import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The Stripe customer of each organization and the Stripe id of each mirrored invoice. */
export class StripeMirror1795350795434 implements MigrationInterface {
  name = 'StripeMirror1795350795434';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "billing"."stripe_customers" ("organization_id" character varying(64) NOT NULL, "customer_id" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c606dd6b31a7a7f8ad5e98f1207" PRIMARY KEY ("organization_id"))',
    );
    await queryRunner.query('ALTER TABLE "billing"."invoices" ADD "stripe_invoice_id" character varying(255)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "billing"."invoices" DROP COLUMN "stripe_invoice_id"');
    await queryRunner.query('DROP TABLE "billing"."stripe_customers"');
  }
}
