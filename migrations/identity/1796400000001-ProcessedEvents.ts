import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The events identity's consumers applied (compliance's retention requests), each once. */
export class ProcessedEvents1796400000001 implements MigrationInterface {
  name = 'ProcessedEvents1796400000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."processed_events" ("consumer" character varying(100) NOT NULL, "event_id" character varying(64) NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_270df9e0013dff41bb91d555db4" PRIMARY KEY ("consumer", "event_id"))',
    );
    await queryRunner.query('CREATE INDEX "processed_events_processed_at_idx" ON "identity"."processed_events"  ("processed_at") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "identity"."processed_events_processed_at_idx"');
    await queryRunner.query('DROP TABLE "identity"."processed_events"');
  }
}
