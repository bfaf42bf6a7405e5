import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795318450072 implements MigrationInterface {
  name = 'Initial1795318450072';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"authz\".\"casbin_rule\" (\"id\" BIGSERIAL NOT NULL, \"ptype\" character varying(8) NOT NULL, \"v0\" character varying(255), \"v1\" character varying(255), \"v2\" character varying(255), \"v3\" character varying(255), \"v4\" character varying(255), \"v5\" character varying(255), CONSTRAINT \"PK_e147354d31e2748a3a5da5e3060\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"casbin_rule_permission_key\" ON \"authz\".\"casbin_rule\"  (\"v0\", \"v1\", \"v2\", \"v3\") WHERE ptype = 'p'");
    await queryRunner.query("CREATE UNIQUE INDEX \"casbin_rule_assignment_key\" ON \"authz\".\"casbin_rule\"  (\"v0\", \"v1\", \"v2\") WHERE ptype = 'g'");
    await queryRunner.query("CREATE INDEX \"casbin_rule_ptype_v2_idx\" ON \"authz\".\"casbin_rule\"  (\"ptype\", \"v2\") ");
    await queryRunner.query("CREATE INDEX \"casbin_rule_ptype_v1_idx\" ON \"authz\".\"casbin_rule\"  (\"ptype\", \"v1\") ");
    await queryRunner.query("CREATE TABLE \"authz\".\"roles\" (\"id\" character varying(64) NOT NULL, \"organization_id\" character varying(64) NOT NULL, \"name\" character varying(100) NOT NULL, \"description\" text, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_c1433d71a4838793a49dcad46ab\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"roles_organization_name_key\" ON \"authz\".\"roles\"  (\"organization_id\", \"name\") ");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"authz\".\"roles_organization_name_key\"");
    await queryRunner.query("DROP TABLE \"authz\".\"roles\"");
    await queryRunner.query("DROP INDEX \"authz\".\"casbin_rule_ptype_v1_idx\"");
    await queryRunner.query("DROP INDEX \"authz\".\"casbin_rule_ptype_v2_idx\"");
    await queryRunner.query("DROP INDEX \"authz\".\"casbin_rule_assignment_key\"");
    await queryRunner.query("DROP INDEX \"authz\".\"casbin_rule_permission_key\"");
    await queryRunner.query("DROP TABLE \"authz\".\"casbin_rule\"");
  }
}
