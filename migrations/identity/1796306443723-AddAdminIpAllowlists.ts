import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each organization's admin IP allowlist: the networks its owners and admins make changes from (no row or none: anywhere). */
export class AddAdminIpAllowlists1796306443723 implements MigrationInterface {
  name = 'AddAdminIpAllowlists1796306443723';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."admin_ip_allowlists" ("organization_id" character varying(64) NOT NULL, "cidrs" text array NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by_id" character varying(64), CONSTRAINT "admin_ip_allowlists_pkey" PRIMARY KEY ("organization_id"), CONSTRAINT "admin_ip_allowlists_organization_fkey" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "identity"."admin_ip_allowlists"');
  }
}
