import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795315811366 implements MigrationInterface {
  name = 'Initial1795315811366';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"identity\".\"organizations\" (\"id\" character varying(64) NOT NULL, \"name\" character varying(200) NOT NULL, \"slug\" character varying(63) NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_963693341bd612aa01ddf3a4b68\" UNIQUE (\"slug\"), CONSTRAINT \"PK_6b031fcd0863e3f6b44230163f9\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TABLE \"identity\".\"users\" (\"id\" character varying(64) NOT NULL, \"email\" character varying(320) NOT NULL, \"name\" character varying(200), \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_97672ac88f789774dd47f7c8be3\" UNIQUE (\"email\"), CONSTRAINT \"PK_a3ffb1c0c8416b9fc6f907b7433\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TYPE \"identity\".\"member_status\" AS ENUM('active', 'suspended')");
    await queryRunner.query("CREATE TABLE \"identity\".\"organization_members\" (\"id\" character varying(64) NOT NULL, \"organization_id\" character varying(64) NOT NULL, \"user_id\" character varying(64) NOT NULL, \"status\" \"identity\".\"member_status\" NOT NULL DEFAULT 'active', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"organization_members_organization_user_key\" UNIQUE (\"organization_id\", \"user_id\"), CONSTRAINT \"PK_c2b39d5d072886a4d9c8105eb9a\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"organization_members_user_id_idx\" ON \"identity\".\"organization_members\"  (\"user_id\") ");
    await queryRunner.query("CREATE TABLE \"identity\".\"signing_keys\" (\"id\" character varying(64) NOT NULL, \"algorithm\" character varying(16) NOT NULL, \"public_jwk\" jsonb NOT NULL, \"private_key_sealed\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"retired_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_ab7d78cf6e61dc3904133b4cd55\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("ALTER TABLE \"identity\".\"organization_members\" ADD CONSTRAINT \"FK_7062a4fbd9bab22ffd918e5d3d9\" FOREIGN KEY (\"organization_id\") REFERENCES \"identity\".\"organizations\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"identity\".\"organization_members\" ADD CONSTRAINT \"FK_89bde91f78d36ca41e9515d91c6\" FOREIGN KEY (\"user_id\") REFERENCES \"identity\".\"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"identity\".\"organization_members\" DROP CONSTRAINT \"FK_89bde91f78d36ca41e9515d91c6\"");
    await queryRunner.query("ALTER TABLE \"identity\".\"organization_members\" DROP CONSTRAINT \"FK_7062a4fbd9bab22ffd918e5d3d9\"");
    await queryRunner.query("DROP TABLE \"identity\".\"signing_keys\"");
    await queryRunner.query("DROP INDEX \"identity\".\"organization_members_user_id_idx\"");
    await queryRunner.query("DROP TABLE \"identity\".\"organization_members\"");
    await queryRunner.query("DROP TYPE \"identity\".\"member_status\"");
    await queryRunner.query("DROP TABLE \"identity\".\"users\"");
    await queryRunner.query("DROP TABLE \"identity\".\"organizations\"");
  }
}
