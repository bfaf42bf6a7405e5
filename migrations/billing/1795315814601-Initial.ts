import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795315814601 implements MigrationInterface {
  name = 'Initial1795315814601';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TYPE \"billing\".\"plan_code\" AS ENUM('free', 'pro', 'enterprise')");
    await queryRunner.query("CREATE TABLE \"billing\".\"plans\" (\"id\" character varying(64) NOT NULL, \"code\" \"billing\".\"plan_code\" NOT NULL, \"name\" character varying(100) NOT NULL, \"monthly_price_cents\" integer NOT NULL, \"currency\" character(3) NOT NULL DEFAULT 'usd', \"included_minutes\" integer NOT NULL, \"included_ai_calls\" integer NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_95f7ef3fc4c31a3545b4d825dd4\" UNIQUE (\"code\"), CONSTRAINT \"PK_3720521a81c7c24fe9b7202ba61\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TYPE \"billing\".\"subscription_status\" AS ENUM('active', 'past_due', 'canceled')");
    await queryRunner.query("CREATE TYPE \"billing\".\"billing_interval\" AS ENUM('monthly', 'yearly')");
    await queryRunner.query("CREATE TABLE \"billing\".\"subscriptions\" (\"id\" character varying(64) NOT NULL, \"organization_id\" character varying(64) NOT NULL, \"plan_id\" character varying(64) NOT NULL, \"status\" \"billing\".\"subscription_status\" NOT NULL DEFAULT 'active', \"interval\" \"billing\".\"billing_interval\" NOT NULL DEFAULT 'monthly', \"current_period_start\" TIMESTAMP WITH TIME ZONE NOT NULL, \"current_period_end\" TIMESTAMP WITH TIME ZONE NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_9ea1509175fa294fc64d43a9fe6\" UNIQUE (\"organization_id\"), CONSTRAINT \"PK_a87248d73155605cf782be9ee5e\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("ALTER TABLE \"billing\".\"subscriptions\" ADD CONSTRAINT \"FK_e45fca5d912c3a2fab512ac25dc\" FOREIGN KEY (\"plan_id\") REFERENCES \"billing\".\"plans\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"billing\".\"subscriptions\" DROP CONSTRAINT \"FK_e45fca5d912c3a2fab512ac25dc\"");
    await queryRunner.query("DROP TABLE \"billing\".\"subscriptions\"");
    await queryRunner.query("DROP TYPE \"billing\".\"billing_interval\"");
    await queryRunner.query("DROP TYPE \"billing\".\"subscription_status\"");
    await queryRunner.query("DROP TABLE \"billing\".\"plans\"");
    await queryRunner.query("DROP TYPE \"billing\".\"plan_code\"");
  }
}
