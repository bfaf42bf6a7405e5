import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The plan tiers of the product: Free, Pro ($49/month), Enterprise ($499/month). */
export class SeedPlans1795315814602 implements MigrationInterface {
  name = 'SeedPlans1795315814602';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "billing"."plans" ("id", "code", "name", "monthly_price_cents", "currency", "included_minutes", "included_ai_calls") VALUES
        ('plan_free', 'free', 'Free', 0, 'usd', 1000, 100),
        ('plan_pro', 'pro', 'Pro', 4900, 'usd', 10000, 1000),
        ('plan_enterprise', 'enterprise', 'Enterprise', 49900, 'usd', 100000, 10000)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "billing"."plans" WHERE "id" IN ('plan_free', 'plan_pro', 'plan_enterprise')`);
  }
}
