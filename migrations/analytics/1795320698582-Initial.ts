import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795320698582 implements MigrationInterface {
  name = 'Initial1795320698582';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"analytics\".\"live_metrics\" (\"organization_id\" character varying(64) NOT NULL, \"active_calls\" integer NOT NULL DEFAULT '0', \"ai_calls_in_progress\" integer NOT NULL DEFAULT '0', \"average_mos\" real, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_d4ebc239c733543f1a983f5fcb9\" PRIMARY KEY (\"organization_id\"))");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE \"analytics\".\"live_metrics\"");
  }
}
