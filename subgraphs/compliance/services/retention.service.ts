import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import { newId, parseId } from '../../../platform/ids';
import type { EventPayload } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { RETENTION_CATEGORIES, RETENTION_CATEGORY_NAMES } from '../../../platform/retention/retention-categories';
import type { RetentionAction, RetentionCategory } from '../../../platform/retention/retention-categories';
import { RetentionPolicy } from '../entities/retention-policy.entity';
import { RetentionRun, RetentionRunCategory, RetentionRunStatus } from '../entities/retention-run.entity';
import type { Caller } from './caller';
import type { LegalHoldService } from './legal-hold.service';

export interface SetRetentionPolicy {
  organizationId: string;
  category: RetentionCategory;
  keepDays: number;
  /** The category's only (or first) action when absent. */
  action?: RetentionAction | null;
}

/** A run with what it did per category; its status is PENDING while an owner has not reported. */
export interface RetentionRunView {
  run: RetentionRun;
  status: RetentionRunStatus;
  categories: RetentionRunCategory[];
}

/** Runs listed at most (newest first). */
export const MAX_RUNS_LISTED = 100;
/** How long `retentionDryRun` waits for the owners' counts before it answers what it has. */
const DRY_RUN_WAIT_MS = 5_000;
const DAY_MS = 86_400_000;

/**
 * Retention policies per organization and data category, and their runs. Compliance never
 * touches another subgraph's tables: a run is the fact `compliance.retention.requested`
 * (written with the run, one cutoff per category and the people held at that moment), which
 * each owner applies to its own data and answers with `retention.applied`
 * (platform/retention/retention-consumer.ts explains the choice).
 */
export class RetentionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly legalHolds: LegalHoldService,
  ) {}

  async policies(caller: Caller, organizationId: string): Promise<RetentionPolicy[]> {
    assertOwnOrganization(caller.principal, organizationId);
    return this.policiesOf(organizationId);
  }

  /** Sets (or replaces) the organization's policy for one category, within the category's bounds. */
  async setPolicy(caller: Caller, input: SetRetentionPolicy): Promise<RetentionPolicy> {
    assertOwnOrganization(caller.principal, input.organizationId, 'input.organizationId');
    const rule = RETENTION_CATEGORIES[input.category];
    if (!rule) throw new BadUserInputError(`input.category: one of ${RETENTION_CATEGORY_NAMES.join(', ')}`, 'input.category');
    if (!Number.isInteger(input.keepDays) || input.keepDays < rule.minDays || input.keepDays > rule.maxDays) {
      throw new BadUserInputError(
        `input.keepDays: ${rule.label} are kept a whole number of days from ${rule.minDays} to ${rule.maxDays}`,
        'input.keepDays',
      );
    }
    const action = input.action ?? rule.actions[0];
    if (!rule.actions.includes(action)) {
      throw new BadUserInputError(
        `input.action: ${rule.label} can only be ${rule.actions.join(' or ')}d past their retention`,
        'input.action',
      );
    }
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(RetentionPolicy)
      .values({
        organizationId: input.organizationId,
        category: input.category,
        keepDays: input.keepDays,
        action,
        updatedById: caller.principal.userId,
      })
      .orUpdate(['keep_days', 'action', 'updated_by_id', 'updated_at'], ['organization_id', 'category'])
      .execute();
    return this.dataSource
      .getRepository(RetentionPolicy)
      .findOneByOrFail({ organizationId: input.organizationId, category: input.category });
  }

  /** Removes the organization's policy for a category (its data is then kept until a policy says otherwise); false if there was none. */
  async removePolicy(caller: Caller, organizationId: string, category: RetentionCategory): Promise<boolean> {
    assertOwnOrganization(caller.principal, organizationId);
    const result = await this.dataSource.getRepository(RetentionPolicy).delete({ organizationId, category });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Asks the owners what the policies would remove now, without removing anything, and waits
   * (a few seconds at most) for their counts: a category not yet reported is PENDING, and
   * `retentionRun(id)` answers it later.
   */
  async dryRun(caller: Caller, organizationId: string, waitMs = DRY_RUN_WAIT_MS): Promise<RetentionRunView> {
    assertOwnOrganization(caller.principal, organizationId);
    const started = await this.start(organizationId, { dryRun: true, requestedById: caller.principal.userId });
    const deadline = Date.now() + waitMs;
    for (;;) {
      const view = await this.viewOf(started.run);
      if (view.status !== RetentionRunStatus.PENDING || Date.now() >= deadline) return view;
      await sleep(100);
    }
  }

  /**
   * Starts one run for the organization: each policy becomes a category with its cutoff, and
   * the owners are asked in one fact written with the run. With a hold on the whole
   * organization nothing is asked: every category is HELD.
   */
  async start(organizationId: string, options: { dryRun: boolean; requestedById?: string | null; now?: Date }): Promise<RetentionRunView> {
    const now = options.now ?? new Date();
    const policies = await this.policiesOf(organizationId);
    const held = await this.legalHolds.heldIn(organizationId);
    return this.dataSource.transaction(async (manager) => {
      const run = await manager.save(
        manager.create(RetentionRun, {
          id: newId('retentionRun'),
          organizationId,
          dryRun: options.dryRun,
          requestedById: options.requestedById ?? null,
          organizationHeld: held.organization,
          heldUsers: held.userIds.length,
        }),
      );
      const categories = policies.map((policy) =>
        manager.create(RetentionRunCategory, {
          runId: run.id,
          category: policy.category,
          action: policy.action,
          keepDays: policy.keepDays,
          cutoff: new Date(now.getTime() - policy.keepDays * DAY_MS),
          status: held.organization ? RetentionRunStatus.HELD : RetentionRunStatus.PENDING,
          affected: held.organization ? 0 : null,
          held: null,
          reportedAt: null,
        }),
      );
      if (categories.length > 0) await manager.insert(RetentionRunCategory, categories);
      if (!held.organization && categories.length > 0) {
        await this.outbox.add(manager, {
          type: 'compliance.retention.requested',
          payload: {
            organizationId,
            runId: run.id,
            dryRun: options.dryRun,
            categories: categories.map((c) => ({ category: c.category, action: c.action, cutoff: c.cutoff.toISOString() })),
            heldUserIds: held.userIds,
          },
        });
      }
      return { run, status: statusOf(run, categories), categories: sortCategories(categories) };
    });
  }

  /** An owner's report (`retention.applied`), in the transaction of compliance's consumer: the category of its run is done. */
  async applyReport(report: EventPayload<'retention.applied'>, manager: EntityManager): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(RetentionRunCategory)
      .set({ status: RetentionRunStatus.COMPLETED, affected: report.affected, held: report.held, reportedAt: new Date() })
      .where('run_id = :runId AND category = :category AND status = :pending', {
        runId: report.runId,
        category: report.category,
        pending: RetentionRunStatus.PENDING,
      })
      // A report names its organization: one for another organization's run changes nothing.
      .andWhere('run_id IN (SELECT id FROM compliance.retention_runs WHERE organization_id = :organizationId)', {
        organizationId: report.organizationId,
      })
      .execute();
  }

  /** The organization's runs, newest first. */
  async runs(caller: Caller, organizationId: string, first = 20): Promise<RetentionRunView[]> {
    assertOwnOrganization(caller.principal, organizationId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_RUNS_LISTED) {
      throw new BadUserInputError(`first: from 1 to ${MAX_RUNS_LISTED}`, 'first');
    }
    const runs = await this.dataSource
      .getRepository(RetentionRun)
      .find({ where: { organizationId }, order: { requestedAt: 'DESC', id: 'DESC' }, take: first });
    const categories = runs.length
      ? await this.dataSource.getRepository(RetentionRunCategory).findBy({ runId: In(runs.map((run) => run.id)) })
      : [];
    return runs.map((run) => {
      const own = categories.filter((category) => category.runId === run.id);
      return { run, status: statusOf(run, own), categories: sortCategories(own) };
    });
  }

  /** One run of the caller's organization; another organization's is NOT_FOUND. */
  async run(caller: Caller, id: string): Promise<RetentionRunView> {
    const runId = parseId('retentionRun', id, 'id');
    const run = await this.dataSource.getRepository(RetentionRun).findOneBy({ id: runId, organizationId: caller.principal.organizationId });
    if (!run) throw new NotFoundError('RetentionRun', runId, 'id');
    return this.viewOf(run);
  }

  /** Organizations with at least one policy (all, or just the one named): what the daily job runs over. */
  async organizationsWithPolicies(organizationId?: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      'SELECT DISTINCT organization_id FROM compliance.retention_policies WHERE $1::text IS NULL OR organization_id = $1 ORDER BY organization_id',
      [organizationId ?? null],
    )) as { organization_id: string }[];
    return rows.map((row) => row.organization_id);
  }

  /** The organization's policies, by category (for the compliance report). */
  async policiesOf(organizationId: string): Promise<RetentionPolicy[]> {
    const rows = await this.dataSource.getRepository(RetentionPolicy).findBy({ organizationId });
    return rows.sort((a, b) => RETENTION_CATEGORY_NAMES.indexOf(a.category) - RETENTION_CATEGORY_NAMES.indexOf(b.category));
  }

  private async viewOf(run: RetentionRun): Promise<RetentionRunView> {
    const categories = await this.dataSource.getRepository(RetentionRunCategory).findBy({ runId: run.id });
    return { run, status: statusOf(run, categories), categories: sortCategories(categories) };
  }
}

function statusOf(run: RetentionRun, categories: RetentionRunCategory[]): RetentionRunStatus {
  if (run.organizationHeld) return RetentionRunStatus.HELD;
  return categories.some((category) => category.status === RetentionRunStatus.PENDING)
    ? RetentionRunStatus.PENDING
    : RetentionRunStatus.COMPLETED;
}

function sortCategories(categories: RetentionRunCategory[]): RetentionRunCategory[] {
  return [...categories].sort((a, b) => RETENTION_CATEGORY_NAMES.indexOf(a.category) - RETENTION_CATEGORY_NAMES.indexOf(b.category));
}
