import { In } from 'typeorm';
import type { DataSource, Repository } from 'typeorm';
import { newId } from '../../../platform/ids';
import { PlanCode } from '../entities/plan.entity';
import { Plan } from '../entities/plan.entity';
import { BillingInterval, Subscription, SubscriptionStatus } from '../entities/subscription.entity';

/** One month after `start`, clamped to the month's last day (31 Jan → 28/29 Feb). */
export function addMonth(start: Date): Date {
  const end = new Date(
    Date.UTC(
      start.getUTCFullYear(),
      start.getUTCMonth() + 1,
      1,
      start.getUTCHours(),
      start.getUTCMinutes(),
      start.getUTCSeconds(),
      start.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return end;
}

export class SubscriptionService {
  private readonly subscriptions: Repository<Subscription>;

  constructor(private readonly dataSource: DataSource) {
    this.subscriptions = dataSource.getRepository(Subscription);
  }

  /**
   * The current subscription of each organization. Every organization is on a plan: one
   * that has never subscribed is put on Free the first time billing is asked about it.
   */
  async currentFor(organizationIds: readonly string[]): Promise<Subscription[]> {
    if (organizationIds.length === 0) return [];
    const ids = [...new Set(organizationIds)];
    const found = await this.subscriptions.findBy({ organizationId: In(ids) });
    const missing = ids.filter((id) => !found.some((subscription) => subscription.organizationId === id));
    if (missing.length === 0) return found;
    await this.startFree(missing);
    return this.subscriptions.findBy({ organizationId: In(ids) });
  }

  /** Puts organizations on the Free plan; idempotent (an existing subscription is kept). */
  async startFree(organizationIds: readonly string[], now = new Date()): Promise<void> {
    const free = await this.dataSource.getRepository(Plan).findOneByOrFail({ code: PlanCode.FREE });
    await this.subscriptions
      .createQueryBuilder()
      .insert()
      .values(
        organizationIds.map((organizationId) => ({
          id: newId('subscription'),
          organizationId,
          planId: free.id,
          status: SubscriptionStatus.ACTIVE,
          interval: BillingInterval.MONTHLY,
          currentPeriodStart: now,
          currentPeriodEnd: addMonth(now),
        })),
      )
      .orIgnore()
      .execute();
  }
}
