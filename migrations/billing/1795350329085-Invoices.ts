import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invoices, one per subscription and billing period. */
export class Invoices1795350329085 implements MigrationInterface {
  name = 'Invoices1795350329085';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TYPE \"billing\".\"invoice_status\" AS ENUM('draft', 'open', 'paid', 'void')");
    await queryRunner.query(
      'CREATE TABLE "billing"."invoices" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "subscription_id" character varying(64) NOT NULL, "status" "billing"."invoice_status" NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "currency" character(3) NOT NULL, "lines" jsonb NOT NULL, "subtotal_cents" integer NOT NULL, "tax_cents" integer NOT NULL, "total_cents" integer NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_668cef7c22a427fd822cc1be3ce" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "invoices_organization_id_idx" ON "billing"."invoices"  ("organization_id", "period_start") ');
    await queryRunner.query('CREATE UNIQUE INDEX "invoices_one_per_period" ON "billing"."invoices"  ("subscription_id", "period_start") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "billing"."invoices_one_per_period"');
    await queryRunner.query('DROP INDEX "billing"."invoices_organization_id_idx"');
    await queryRunner.query('DROP TABLE "billing"."invoices"');
    await queryRunner.query('DROP TYPE "billing"."invoice_status"');
  }
}
