import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on configurations per organization: a SAML 2.0 or OIDC identity provider. The
 * OIDC client secret is stored sealed (AES-256-GCM under SECRETS_KEY), never in clear.
 */
export class AddSsoConfigs1796304297710 implements MigrationInterface {
  name = 'AddSsoConfigs1796304297710';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TYPE "identity"."sso_provider_type" AS ENUM(\'saml\', \'oidc\')');
    await queryRunner.query(
      'CREATE TABLE "identity"."sso_configs" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "provider_type" "identity"."sso_provider_type" NOT NULL, "provider_name" character varying(100) NOT NULL, "enabled" boolean NOT NULL, "saml_entity_id" character varying(1024), "saml_sso_url" character varying(2048), "saml_certificates" jsonb NOT NULL, "oidc_issuer" character varying(2048), "oidc_client_id" character varying(512), "oidc_client_secret_sealed" text, "auto_provision_users" boolean NOT NULL, "default_role_id" character varying(64) NOT NULL, "attribute_mapping" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_13207db072d3e8fb33c7cf9ba80" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "sso_configs_organization_id_idx" ON "identity"."sso_configs"  ("organization_id") ');
    await queryRunner.query(
      'ALTER TABLE "identity"."sso_configs" ADD CONSTRAINT "FK_6a7f38a17677bca235457451559" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."sso_configs" DROP CONSTRAINT "FK_6a7f38a17677bca235457451559"');
    await queryRunner.query('DROP INDEX "identity"."sso_configs_organization_id_idx"');
    await queryRunner.query('DROP TABLE "identity"."sso_configs"');
    await queryRunner.query('DROP TYPE "identity"."sso_provider_type"');
  }
}
