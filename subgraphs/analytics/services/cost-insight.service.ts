import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import { CostInsight } from '../entities/cost-insight.entity';
import { AI_PRICE_LIST, listCostMicros } from './ai-price-list';
import { microsToUsd } from './money';
import { PUBLISHED_PLANS, monthlyCostMicros, publishedPlan } from './plan-catalogue';

export enum InsightKind {
  PLAN_RIGHT_SIZING = 'plan_right_sizing',
  CHEAPER_MODEL = 'cheaper_model',
  SILENT_CALLS = 'silent_calls',
  IDLE_SEATS = 'idle_seats',
}

export enum InsightStatus {
  OPEN = 'open',
  APPLIED = 'applied',
  DISMISSED = 'dismissed',
}

interface Finding {
  kind: InsightKind;
  subject: string;
  title: string;
  detail: string;
  savingsMicros: bigint;
}

/** The window the rules look at: the last 30 days stand for a month. */
export const INSIGHT_WINDOW_DAYS = 30;
/** A cheaper model is worth proposing from this much a month (1 USD). */
const MIN_MODEL_SAVINGS_MICROS = 1_000_000n;
const MICROS_PER_CENT = 10_000n;

/**
 * Cost insights: rules over the last 30 days of an organization's calls and AI usage.
 * - plan right-sizing: the cheapest published plan that holds the usage, against the plan
 *   billing's facts say the organization is on;
 * - a cheaper model of the price list for a feature, priced on the same tokens or seconds;
 * - calls where nobody spoke (speaking time measured as 0) that still billed minutes;
 * - idle seats: people seen before who took part in nothing for 30 days (plans are not priced
 *   per seat, so no saving is claimed for them).
 * Each finding is one row per (organization, kind, subject); an open one is updated or, once
 * the rule no longer fires, removed; an applied or dismissed one is left as the user set it.
 */
export class CostInsightService {
  constructor(private readonly dataSource: DataSource) {}

  async list(principal: Principal, organizationId: string, status?: InsightStatus | null): Promise<CostInsight[]> {
    assertOwnOrganization(principal, organizationId);
    return this.dataSource.getRepository(CostInsight).find({
      where: status ? { organizationId, status } : { organizationId },
      order: { estimatedMonthlySavingsMicros: 'DESC', id: 'ASC' },
      take: 100,
    });
  }

  async setStatus(principal: Principal, id: string, status: InsightStatus): Promise<CostInsight> {
    if (!Object.values(InsightStatus).includes(status)) throw new BadUserInputError('status: OPEN, APPLIED or DISMISSED', 'status');
    const repository = this.dataSource.getRepository(CostInsight);
    const insight = await repository.findOneBy({ id, organizationId: principal.organizationId });
    if (!insight) throw new NotFoundError('Cost insight', id, 'id');
    insight.status = status;
    insight.statusChangedBy = principal.userId;
    return repository.save(insight);
  }

  /** Runs the rules for one organization, or every organization with usage in the window; answers how many findings are open. */
  async generate(
    options: { organizationId?: string; now?: Date; signal?: AbortSignal } = {},
  ): Promise<{ organizations: number; findings: number }> {
    const now = options.now ?? new Date();
    const since = new Date(now.getTime() - INSIGHT_WINDOW_DAYS * 86_400_000);
    const organizations = options.organizationId
      ? [options.organizationId]
      : (
          (await this.dataSource.query(
            `SELECT organization_id FROM analytics.call_records WHERE started_at >= $1
           UNION SELECT organization_id FROM analytics.ai_usage_events WHERE occurred_at >= $1
           UNION SELECT organization_id FROM analytics.organization_users ORDER BY 1`,
            [since],
          )) as { organization_id: string }[]
        ).map((row) => row.organization_id);
    let findings = 0;
    for (const organizationId of organizations) {
      if (options.signal?.aborted) break;
      findings += await this.dataSource.transaction(async (manager) => {
        const found = await findingsFor(manager, organizationId, since);
        await store(manager, organizationId, found);
        return found.length;
      });
    }
    return { organizations: organizations.length, findings };
  }
}

async function findingsFor(manager: EntityManager, organizationId: string, since: Date): Promise<Finding[]> {
  // One after another: these share the transaction's one connection.
  const queries = [
    () =>
      manager.query(
        `SELECT (SELECT coalesce(sum(billed_minutes), 0) FROM analytics.call_records WHERE organization_id = $1 AND started_at >= $2)::int AS minutes,
              (SELECT count(*) FROM analytics.ai_usage_events WHERE organization_id = $1 AND occurred_at >= $2)::int AS ai_calls`,
        [organizationId, since],
      ),
    () => manager.query('SELECT plan_code FROM analytics.organization_plans WHERE organization_id = $1', [organizationId]),
    () =>
      manager.query(
        `SELECT count(*)::int AS calls, coalesce(sum(billed_minutes), 0)::int AS minutes, coalesce(sum(cost_micros), 0)::bigint AS cost
         FROM analytics.call_records WHERE organization_id = $1 AND started_at >= $2 AND speaking_seconds = 0 AND billed_minutes > 0`,
        [organizationId, since],
      ),
    () =>
      manager.query(
        `SELECT feature, model, count(*)::int AS events, coalesce(sum(tokens), 0)::bigint AS tokens, coalesce(sum(seconds), 0)::float8 AS seconds,
              coalesce(sum(cost_micros), 0)::bigint AS cost
         FROM analytics.ai_usage_events WHERE organization_id = $1 AND occurred_at >= $2 AND cost_micros IS NOT NULL
        GROUP BY feature, model`,
        [organizationId, since],
      ),
    () =>
      manager.query('SELECT count(*)::int AS users FROM analytics.organization_users WHERE organization_id = $1 AND last_seen_at < $2', [
        organizationId,
        since,
      ]),
  ];
  const answers: unknown[] = [];
  for (const query of queries) answers.push(await query());
  const [[usage], [plan], silent, models, [idle]] = answers as [
    { minutes: number; ai_calls: number }[],
    { plan_code: string | null }[],
    { calls: number; minutes: number; cost: string }[],
    { feature: string; model: string; events: number; tokens: string; seconds: number; cost: string }[],
    { users: number }[],
  ];
  const findings: Finding[] = [];
  const current = publishedPlan(plan?.plan_code);

  if (current) {
    const currentCost = monthlyCostMicros(current, { minutes: usage.minutes, aiCalls: usage.ai_calls });
    const options = PUBLISHED_PLANS.map((candidate) => ({
      candidate,
      cost: monthlyCostMicros(candidate, { minutes: usage.minutes, aiCalls: usage.ai_calls }),
    }))
      .filter((option): option is { candidate: typeof option.candidate; cost: bigint } => option.cost !== null)
      .sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0));
    const best = options[0];
    if (best && currentCost !== null && best.candidate.code !== current.code && best.cost < currentCost) {
      findings.push({
        kind: InsightKind.PLAN_RIGHT_SIZING,
        subject: `${current.code}->${best.candidate.code}`,
        title: `Move from ${current.code} to ${best.candidate.code}`,
        detail: `The last ${INSIGHT_WINDOW_DAYS} days used ${usage.minutes} minutes and ${usage.ai_calls} AI calls: $${microsToUsd(currentCost)} a month on ${current.code}, $${microsToUsd(best.cost)} on ${best.candidate.code}.`,
        savingsMicros: currentCost - best.cost,
      });
    }
  }

  for (const row of models) {
    const usageOf = { tokens: Number(row.tokens), seconds: row.seconds };
    const alternatives = AI_PRICE_LIST.filter((price) => price.feature === row.feature && price.model !== row.model)
      .map((price) => ({ price, cost: listCostMicros(price, usageOf) }))
      .filter((option): option is { price: (typeof AI_PRICE_LIST)[number]; cost: number } => option.cost !== undefined)
      .sort((a, b) => a.cost - b.cost);
    const cheapest = alternatives[0];
    const spent = BigInt(row.cost);
    if (!cheapest) continue;
    const savings = spent - BigInt(cheapest.cost);
    if (savings < MIN_MODEL_SAVINGS_MICROS) continue;
    findings.push({
      kind: InsightKind.CHEAPER_MODEL,
      subject: `${row.feature}/${row.model}`,
      title: `Use ${cheapest.price.model} for ${row.feature}`,
      detail: `${row.events} ${row.feature} uses of ${row.model} cost $${microsToUsd(spent)} in the last ${INSIGHT_WINDOW_DAYS} days; ${cheapest.price.model} would have cost $${microsToUsd(cheapest.cost)}.`,
      savingsMicros: savings,
    });
  }

  const quiet = silent[0];
  if (quiet && quiet.calls > 0) {
    const overage =
      current?.overageMinuteCents && usage.minutes > current.includedMinutes ? BigInt(current.overageMinuteCents) * MICROS_PER_CENT : 0n;
    findings.push({
      kind: InsightKind.SILENT_CALLS,
      subject: 'silent-calls',
      title: `${quiet.calls} calls with nobody speaking`,
      detail: `${quiet.calls} calls billed ${quiet.minutes} minutes in the last ${INSIGHT_WINDOW_DAYS} days without anyone speaking: end idle calls automatically.`,
      savingsMicros: BigInt(quiet.cost) + BigInt(quiet.minutes) * overage,
    });
  }

  if (idle && idle.users > 0) {
    findings.push({
      kind: InsightKind.IDLE_SEATS,
      subject: 'idle-seats',
      title: `${idle.users} people idle for ${INSIGHT_WINDOW_DAYS} days`,
      detail: `${idle.users} people took part in no call or AI use for ${INSIGHT_WINDOW_DAYS} days: review their membership. Plans are not priced per seat, so no saving is estimated.`,
      savingsMicros: 0n,
    });
  }
  return findings;
}

async function store(manager: EntityManager, organizationId: string, findings: readonly Finding[]): Promise<void> {
  for (const finding of findings) {
    await manager.query(
      `INSERT INTO analytics.cost_insights AS insight (id, organization_id, kind, subject, title, detail, estimated_monthly_savings_micros)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (organization_id, kind, subject) DO UPDATE
         SET title = EXCLUDED.title, detail = EXCLUDED.detail,
             estimated_monthly_savings_micros = EXCLUDED.estimated_monthly_savings_micros, updated_at = now()
         WHERE insight.status = 'open'`,
      [
        newId('costInsight'),
        organizationId,
        finding.kind,
        finding.subject,
        finding.title,
        finding.detail,
        finding.savingsMicros.toString(),
      ],
    );
  }
  await manager.query(
    `DELETE FROM analytics.cost_insights
      WHERE organization_id = $1 AND status = 'open'
        AND NOT ((kind, subject) IN (SELECT * FROM unnest($2::varchar[], $3::varchar[])))`,
    [organizationId, findings.map((finding) => finding.kind), findings.map((finding) => finding.subject)],
  );
}
