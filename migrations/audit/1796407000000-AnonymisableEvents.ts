import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events whose hash covers the personal part (actor, address, user agent, request,
 * response, changes) through a salted digest, so a person's events can be anonymised with the
 * chain still verifying. Events recorded before keep both columns null and are hashed whole.
 */
export class AnonymisableEvents1796407000000 implements MigrationInterface {
  name = 'AnonymisableEvents1796407000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['events', 'archived_events']) {
      await queryRunner.query(`ALTER TABLE "audit"."${table}" ADD "personal_salt" character varying(32)`);
      await queryRunner.query(`ALTER TABLE "audit"."${table}" ADD "personal_digest" character(64)`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['archived_events', 'events']) {
      await queryRunner.query(`ALTER TABLE "audit"."${table}" DROP COLUMN "personal_digest"`);
      await queryRunner.query(`ALTER TABLE "audit"."${table}" DROP COLUMN "personal_salt"`);
    }
  }
}
