import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddInvitations1795345978932 implements MigrationInterface {
  name = 'AddInvitations1795345978932';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TYPE \"identity\".\"invitation_status\" AS ENUM('pending', 'accepted', 'declined', 'revoked', 'expired')",
    );
    await queryRunner.query(
      'CREATE TABLE "identity"."invitations" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "email" character varying(320) NOT NULL, "role_id" character varying(64) NOT NULL, "status" "identity"."invitation_status" NOT NULL DEFAULT \'pending\', "token_hash" character(64) NOT NULL, "invited_by_id" character varying(64), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5dec98cfdfd562e4ad3648bbb07" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "invitations_organization_id_idx" ON "identity"."invitations"  ("organization_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "invitations_token_hash_key" ON "identity"."invitations"  ("token_hash") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "invitations_pending_email_key" ON "identity"."invitations"  ("organization_id", "email") WHERE status = \'pending\'',
    );
    await queryRunner.query(
      'ALTER TABLE "identity"."invitations" ADD CONSTRAINT "FK_42d1dbb4d85dc3643fdc6560af0" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "identity"."invitations" ADD CONSTRAINT "FK_d4de0403dd012cf87b430af70ef" FOREIGN KEY ("invited_by_id") REFERENCES "identity"."users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."invitations" DROP CONSTRAINT "FK_d4de0403dd012cf87b430af70ef"');
    await queryRunner.query('ALTER TABLE "identity"."invitations" DROP CONSTRAINT "FK_42d1dbb4d85dc3643fdc6560af0"');
    await queryRunner.query('DROP INDEX "identity"."invitations_pending_email_key"');
    await queryRunner.query('DROP INDEX "identity"."invitations_token_hash_key"');
    await queryRunner.query('DROP INDEX "identity"."invitations_organization_id_idx"');
    await queryRunner.query('DROP TABLE "identity"."invitations"');
    await queryRunner.query('DROP TYPE "identity"."invitation_status"');
  }
}
