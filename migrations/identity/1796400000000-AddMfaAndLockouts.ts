import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors and attack protection: each person's TOTP secret (sealed with SECRETS_KEY;
 * `enabled_at` null while the enrolment waits for its first code; `last_used_step` the TOTP
 * time step last accepted, so a code is never accepted twice), their recovery codes (SHA-256
 * only), each organization's MFA requirement, and each member's sign-in lock-out.
 */
export class AddMfaAndLockouts1796400000000 implements MigrationInterface {
  name = 'AddMfaAndLockouts1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."user_mfa" ("user_id" character varying(64) NOT NULL, "secret_sealed" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "enabled_at" TIMESTAMP WITH TIME ZONE, "last_used_step" bigint, CONSTRAINT "user_mfa_pkey" PRIMARY KEY ("user_id"), CONSTRAINT "user_mfa_user_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users"("id") ON DELETE CASCADE)',
    );
    await queryRunner.query(
      'CREATE TABLE "identity"."mfa_recovery_codes" ("user_id" character varying(64) NOT NULL, "code_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "mfa_recovery_codes_pkey" PRIMARY KEY ("user_id", "code_hash"), CONSTRAINT "mfa_recovery_codes_user_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users"("id") ON DELETE CASCADE)',
    );
    await queryRunner.query(
      `CREATE TABLE "identity"."mfa_policies" ("organization_id" character varying(64) NOT NULL, "requirement" character varying(16) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by_id" character varying(64), CONSTRAINT "mfa_policies_pkey" PRIMARY KEY ("organization_id"), CONSTRAINT "mfa_policies_requirement_check" CHECK ("requirement" IN ('none', 'admins', 'everyone')), CONSTRAINT "mfa_policies_organization_fkey" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      'CREATE TABLE "identity"."sign_in_lockouts" ("organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "locked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE NOT NULL, "failures" integer NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "ended_reason" character varying(16), "ended_by_id" character varying(64), CONSTRAINT "sign_in_lockouts_pkey" PRIMARY KEY ("organization_id", "user_id"), CONSTRAINT "sign_in_lockouts_organization_fkey" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE, CONSTRAINT "sign_in_lockouts_user_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users"("id") ON DELETE CASCADE)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "identity"."sign_in_lockouts"');
    await queryRunner.query('DROP TABLE "identity"."mfa_policies"');
    await queryRunner.query('DROP TABLE "identity"."mfa_recovery_codes"');
    await queryRunner.query('DROP TABLE "identity"."user_mfa"');
  }
}
