import { In, Not } from 'typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { assertOwnOrganization } from '../../../platform/context';
import type { Principal } from '../../../platform/auth/principal';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import { Charge } from '../entities/charge.entity';
import { Plan, PlanCode } from '../entities/plan.entity';
import { BillingInterval, Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { periodPrice, prorate } from './pricing';

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

/** The end of a period that starts at `start`. */
export function periodEnd(start: Date, interval: BillingInterval): Date {
  if (interval === BillingInterval.MONTHLY) return addMonth(start);
  let end = start;
  for (let month = 0; month < 12; month++) end = addMonth(end);
  // Twelve clamped steps can drift (31 Jan → 28 Feb → 28 Mar…): a year is the same day next year, clamped.
  const next = new Date(start);
  next.setUTCFullYear(start.getUTCFullYear() + 1);
  return next.getUTCMonth() === start.getUTCMonth() ? next : end;
}

export const MAX_TRIAL_DAYS = 90;
const DAY_MS = 86_400_000;
const UNIQUE_VIOLATION = '23505';

export interface CreateSubscriptionInput {
  organizationId: string;
  planCode: PlanCode;
  interval?: BillingInterval;
  trialDays?: number;
}

/** What a change did: the subscription afterwards and what was charged now (minor units). */
export interface PlanChange {
  subscription: Subscription;
  prorationCents: number;
  effective: 'now' | 'period_end';
}

/**
 * Subscriptions: one live (not canceled) per organization, kept by a partial unique index.
 * Every change writes its fact to billing's outbox in its transaction, and then refreshes
 * the organization's entitlement counters (`afterChange`).
 */
export class SubscriptionService {
  private readonly subscriptions: Repository<Subscription>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly afterChange: (organizationId: string) => Promise<void> = async () => {},
  ) {
    this.subscriptions = dataSource.getRepository(Subscription);
  }

  /**
   * The current subscription of each organization: its live one, else its latest canceled
   * one. An organization that has never subscribed is put on Free the first time billing is
   * asked about it.
   */
  async currentFor(organizationIds: readonly string[]): Promise<Subscription[]> {
    if (organizationIds.length === 0) return [];
    const ids = [...new Set(organizationIds)];
    let found = await this.latestOf(ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      await this.startFree(missing);
      found = await this.latestOf(ids);
    }
    return [...found.values()];
  }

  private async latestOf(organizationIds: string[]): Promise<Map<string, Subscription>> {
    const all = await this.subscriptions.find({ where: { organizationId: In(organizationIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const byOrganization = new Map<string, Subscription>();
    for (const subscription of all) {
      const kept = byOrganization.get(subscription.organizationId);
      if (!kept || kept.status === SubscriptionStatus.CANCELED) byOrganization.set(subscription.organizationId, subscription);
    }
    return byOrganization;
  }

  /** Puts organizations on the Free plan; idempotent (a live subscription is kept). */
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

  async get(principal: Principal, id: string): Promise<Subscription> {
    const subscription = await this.subscriptions.findOneBy({ id });
    if (!subscription || subscription.organizationId !== principal.organizationId) throw new NotFoundError('Subscription', id, 'id');
    return subscription;
  }

  /** The organization's current subscription (see `currentFor`). */
  async forOrganization(principal: Principal, organizationId: string): Promise<Subscription> {
    assertOwnOrganization(principal, organizationId);
    const [subscription] = await this.currentFor([organizationId]);
    return subscription;
  }

  /** A new subscription for an organization with none live (its first paid one after a cancellation, or with a trial). */
  async create(principal: Principal, input: CreateSubscriptionInput, now = new Date()): Promise<Subscription> {
    assertOwnOrganization(principal, input.organizationId, 'input.organizationId');
    const trialDays = input.trialDays ?? 0;
    if (!Number.isInteger(trialDays) || trialDays < 0 || trialDays > MAX_TRIAL_DAYS) {
      throw new BadUserInputError(`input.trialDays: a whole number from 0 to ${MAX_TRIAL_DAYS}`, 'input.trialDays');
    }
    const plan = await this.planByCode(input.planCode, 'input.planCode');
    const interval = input.interval ?? BillingInterval.MONTHLY;
    const trialEnd = trialDays > 0 ? new Date(now.getTime() + trialDays * DAY_MS) : null;
    const subscription = this.subscriptions.create({
      id: newId('subscription'),
      organizationId: input.organizationId,
      planId: plan.id,
      plan,
      status: trialEnd ? SubscriptionStatus.TRIALING : SubscriptionStatus.ACTIVE,
      interval,
      currentPeriodStart: now,
      currentPeriodEnd: trialEnd ?? periodEnd(now, interval),
      trialEnd,
      cancelAtPeriodEnd: false,
      canceledAt: null,
      pendingPlanId: null,
      pendingPlan: null,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(Subscription, { ...subscription, plan: undefined, pendingPlan: undefined });
        await this.outbox.add(manager, {
          type: 'billing.subscription.created',
          payload: {
            organizationId: subscription.organizationId,
            subscriptionId: subscription.id,
            planCode: plan.code,
            status: subscription.status,
            trialEnd: trialEnd?.toISOString() ?? null,
          },
        });
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictError('The organization already has a live subscription: change its plan instead', 'input.organizationId');
      }
      throw error;
    }
    await this.afterChange(subscription.organizationId);
    return this.subscriptions.findOneByOrFail({ id: subscription.id });
  }

  /**
   * Moves a live subscription to another plan. Dearer (for its interval): now, with the
   * prorated difference for the rest of the period charged on the next invoice (nothing
   * during a trial). Cheaper: at the end of the period. The current plan again: undoes a
   * downgrade that was waiting. An upgrade after a downgrade in the same period is undoing
   * it, and is never charged again.
   */
  async changePlan(principal: Principal, subscriptionId: string, planCode: PlanCode, now = new Date()): Promise<PlanChange> {
    const target = await this.planByCode(planCode, 'planCode');
    const change = await this.dataSource.transaction(async (manager) => {
      const subscription = await this.lockOwn(manager, principal, subscriptionId);
      const from = subscription.plan;
      let prorationCents = 0;
      let effective: 'now' | 'period_end' = 'now';
      if (target.id === from.id) {
        subscription.pendingPlanId = null;
      } else if (periodPrice(target, subscription.interval) > periodPrice(from, subscription.interval)) {
        if (subscription.status !== SubscriptionStatus.TRIALING) {
          const difference = periodPrice(target, subscription.interval) - periodPrice(from, subscription.interval);
          prorationCents = prorate(difference, subscription.currentPeriodStart, subscription.currentPeriodEnd, now);
        }
        subscription.planId = target.id;
        subscription.pendingPlanId = null;
      } else {
        subscription.pendingPlanId = target.id;
        effective = 'period_end';
      }
      await manager.update(
        Subscription,
        { id: subscription.id },
        { planId: subscription.planId, pendingPlanId: subscription.pendingPlanId },
      );
      if (prorationCents > 0) {
        await manager.insert(Charge, {
          id: newId('charge'),
          organizationId: subscription.organizationId,
          subscriptionId: subscription.id,
          description: `${from.name} → ${target.name}, prorated for the rest of the period`,
          amountCents: prorationCents,
          currency: target.currency,
          invoiceId: null,
        });
      }
      if (target.id !== from.id || effective === 'now') {
        await this.outbox.add(manager, {
          type: 'billing.subscription.plan_changed',
          payload: {
            organizationId: subscription.organizationId,
            subscriptionId: subscription.id,
            planCode: target.code,
            fromPlanCode: from.code,
            effective,
            prorationCents,
            currency: target.currency,
          },
        });
      }
      return { organizationId: subscription.organizationId, prorationCents, effective };
    });
    await this.afterChange(change.organizationId);
    return {
      subscription: await this.subscriptions.findOneByOrFail({ id: subscriptionId }),
      prorationCents: change.prorationCents,
      effective: change.effective,
    };
  }

  /** Ends a live subscription at the end of its period (it stays live until then), or now. */
  async cancel(principal: Principal, subscriptionId: string, atPeriodEnd: boolean, now = new Date()): Promise<Subscription> {
    const organizationId = await this.dataSource.transaction(async (manager) => {
      const subscription = await this.lockOwn(manager, principal, subscriptionId);
      await manager.update(
        Subscription,
        { id: subscription.id },
        atPeriodEnd
          ? { cancelAtPeriodEnd: true }
          : { status: SubscriptionStatus.CANCELED, canceledAt: now, cancelAtPeriodEnd: false, pendingPlanId: null },
      );
      await this.outbox.add(manager, {
        type: 'billing.subscription.canceled',
        payload: {
          organizationId: subscription.organizationId,
          subscriptionId: subscription.id,
          planCode: subscription.plan.code,
          atPeriodEnd,
        },
      });
      return subscription.organizationId;
    });
    await this.afterChange(organizationId);
    return this.subscriptions.findOneByOrFail({ id: subscriptionId });
  }

  /** The live subscriptions of organizations, for usage and entitlements (none for an organization without one). */
  async liveOf(organizationIds: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<Subscription[]> {
    if (organizationIds.length === 0) return [];
    return manager.find(Subscription, {
      where: { organizationId: In([...organizationIds]), status: Not(SubscriptionStatus.CANCELED) },
    });
  }

  private async lockOwn(manager: EntityManager, principal: Principal, subscriptionId: string): Promise<Subscription> {
    const locked = await manager
      .createQueryBuilder(Subscription, 'subscription')
      .setLock('pessimistic_write')
      .where('subscription.id = :id', { id: subscriptionId })
      .getOne();
    if (!locked || locked.organizationId !== principal.organizationId) throw new NotFoundError('Subscription', subscriptionId, 'id');
    if (locked.status === SubscriptionStatus.CANCELED) throw new ConflictError('The subscription is canceled: create a new one', 'id');
    // The lock query does not join the eager plans; read them in the same transaction.
    return manager.findOneByOrFail(Subscription, { id: subscriptionId });
  }

  private async planByCode(code: PlanCode, field: string): Promise<Plan> {
    const plan = await this.dataSource.getRepository(Plan).findOneBy({ code });
    if (!plan) throw new NotFoundError('Plan', code, field);
    return plan;
  }
}
