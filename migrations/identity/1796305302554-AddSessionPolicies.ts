import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each organization's session policy (the automatic log-off): how long a session may go
 * unrefreshed and how long it may live at all. An organization without a row has the defaults.
 */
export class AddSessionPolicies1796305302554 implements MigrationInterface {
  name = 'AddSessionPolicies1796305302554';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."session_policies" ("organization_id" character varying(64) NOT NULL, "idle_timeout_minutes" integer NOT NULL, "absolute_lifetime_minutes" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by_id" character varying(64), CONSTRAINT "session_policies_pkey" PRIMARY KEY ("organization_id"), CONSTRAINT "session_policies_idle_check" CHECK ("idle_timeout_minutes" BETWEEN 5 AND 43200), CONSTRAINT "session_policies_absolute_check" CHECK ("absolute_lifetime_minutes" BETWEEN 60 AND 129600), CONSTRAINT "session_policies_organization_fkey" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "identity"."session_policies"');
  }
}
