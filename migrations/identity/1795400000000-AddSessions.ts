import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sign-in sessions and their rotating refresh tokens (stored as SHA-256 hashes). */
export class AddSessions1795400000000 implements MigrationInterface {
  name = 'AddSessions1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."sessions" ("id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(32), CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"), CONSTRAINT "sessions_user_fkey" FOREIGN KEY ("user_id") REFERENCES "identity"."users"("id") ON DELETE CASCADE, CONSTRAINT "sessions_organization_fkey" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE)',
    );
    await queryRunner.query('CREATE INDEX "sessions_member_idx" ON "identity"."sessions" ("organization_id", "user_id")');
    await queryRunner.query(
      'CREATE TABLE "identity"."refresh_tokens" ("token_hash" character(64) NOT NULL, "session_id" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rotated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("token_hash"), CONSTRAINT "refresh_tokens_session_fkey" FOREIGN KEY ("session_id") REFERENCES "identity"."sessions"("id") ON DELETE CASCADE)',
    );
    await queryRunner.query('CREATE INDEX "refresh_tokens_session_idx" ON "identity"."refresh_tokens" ("session_id")');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "identity"."refresh_tokens"');
    await queryRunner.query('DROP TABLE "identity"."sessions"');
  }
}
