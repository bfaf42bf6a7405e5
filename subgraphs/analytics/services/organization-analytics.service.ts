import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';

export enum AnalyticsPeriod {
  DAILY = 'daily',
  MONTHLY = 'monthly',
}

export interface OrganizationAnalytics {
  organizationId: string;
  period: AnalyticsPeriod;
  periodStart: Date;
  periodEnd: Date;
  /** When the views were last refreshed: figures are as of then. */
  refreshedAt: Date;
  overview: {
    totalUsers: number;
    activeUsers: number;
    totalCalls: number;
    degradedCalls: number;
    totalMinutes: number;
    averageMos: number | null;
    callCostMicros: bigint;
    totalCostMicros: bigint;
  };
  aiUsage: {
    totalCostMicros: bigint;
    byFeature: { stt: number; tts: number; agents: number };
    costByFeature: { stt: bigint; tts: bigint; agents: bigint };
  };
}

export interface CostReportDay {
  day: string;
  calls: number;
  minutes: number;
  callCostMicros: bigint;
  aiCalls: number;
  aiCostMicros: bigint;
  totalCostMicros: bigint;
}

interface SummaryRow {
  total_calls: string;
  degraded_calls: string;
  total_minutes: string;
  call_cost_micros: string;
  average_mos: number | null;
  active_users: string;
  stt_calls: string;
  tts_calls: string;
  agents_calls: string;
  stt_cost_micros: string;
  tts_cost_micros: string;
  agents_cost_micros: string;
  ai_cost_micros: string;
}

/**
 * The organization's analytics in the seed's shape, read from the materialized views
 * `organization_analytics_summary` (per month) and `daily_usage_summary` (per day), which
 * `refresh_analytics_views()` refreshes (the job `analytics.refresh-views`): one index
 * lookup, however many calls there are. Total users are the people analytics has seen in the
 * organization's calls and AI usage (its own record: it never reads identity's tables).
 */
export class OrganizationAnalyticsService {
  constructor(private readonly dataSource: DataSource) {}

  async forOrganization(
    principal: Principal,
    organizationId: string,
    period: AnalyticsPeriod,
    at?: Date | null,
  ): Promise<OrganizationAnalytics> {
    assertOwnOrganization(principal, organizationId);
    const when = at ?? new Date();
    if (Number.isNaN(when.getTime())) throw new BadUserInputError('at: not a date', 'at');
    const { start, end } = bucketOf(period, when);
    const view = period === AnalyticsPeriod.MONTHLY ? 'organization_analytics_summary' : 'daily_usage_summary';
    const column = period === AnalyticsPeriod.MONTHLY ? 'month' : 'day';
    const [[row], [users], [refresh]] = (await Promise.all([
      this.dataSource.query(`SELECT * FROM analytics.${view} WHERE organization_id = $1 AND ${column} = $2::date`, [
        organizationId,
        start.toISOString().slice(0, 10),
      ]),
      this.dataSource.query(
        'SELECT count(*)::int AS total FROM analytics.organization_users WHERE organization_id = $1 AND first_seen_at < $2',
        [organizationId, end],
      ),
      this.dataSource.query('SELECT refreshed_at FROM analytics.view_refreshes'),
    ])) as [SummaryRow[], { total: number }[], { refreshed_at: Date }[]];
    const big = (value: string | undefined) => BigInt(value ?? 0);
    const num = (value: string | undefined) => Number(value ?? 0);
    const aiCost = big(row?.ai_cost_micros);
    const callCost = big(row?.call_cost_micros);
    return {
      organizationId,
      period,
      periodStart: start,
      periodEnd: end,
      refreshedAt: refresh?.refreshed_at ?? new Date(0),
      overview: {
        totalUsers: users?.total ?? 0,
        activeUsers: num(row?.active_users),
        totalCalls: num(row?.total_calls),
        degradedCalls: num(row?.degraded_calls),
        totalMinutes: num(row?.total_minutes),
        averageMos: row?.average_mos ?? null,
        callCostMicros: callCost,
        totalCostMicros: callCost + aiCost,
      },
      aiUsage: {
        totalCostMicros: aiCost,
        byFeature: { stt: num(row?.stt_calls), tts: num(row?.tts_calls), agents: num(row?.agents_calls) },
        costByFeature: { stt: big(row?.stt_cost_micros), tts: big(row?.tts_cost_micros), agents: big(row?.agents_cost_micros) },
      },
    };
  }

  /** Cost per UTC day over [from, to) (at most 366 days), from `daily_usage_summary`. */
  async costReport(principal: Principal, organizationId: string, from: Date, to: Date): Promise<CostReportDay[]> {
    assertOwnOrganization(principal, organizationId);
    const rows = (await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, total_calls, total_minutes, call_cost_micros, stt_calls + tts_calls + agents_calls AS ai_calls, ai_cost_micros
         FROM analytics.daily_usage_summary
        WHERE organization_id = $1 AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND day < ($3::timestamptz AT TIME ZONE 'UTC')::date
        ORDER BY day`,
      [organizationId, from, to],
    )) as { day: string; total_calls: string; total_minutes: string; call_cost_micros: string; ai_calls: string; ai_cost_micros: string }[];
    return rows.map((row) => ({
      day: row.day,
      calls: Number(row.total_calls),
      minutes: Number(row.total_minutes),
      callCostMicros: BigInt(row.call_cost_micros),
      aiCalls: Number(row.ai_calls),
      aiCostMicros: BigInt(row.ai_cost_micros),
      totalCostMicros: BigInt(row.call_cost_micros) + BigInt(row.ai_cost_micros),
    }));
  }

  /** `refresh_analytics_views()`: both views, CONCURRENTLY; answers when. */
  async refreshViews(): Promise<Date> {
    const [row] = (await this.dataSource.query('SELECT analytics.refresh_analytics_views() AS refreshed_at')) as { refreshed_at: Date }[];
    return row.refreshed_at;
  }
}

/** The UTC day or calendar month that holds `at`. */
export function bucketOf(period: AnalyticsPeriod, at: Date): { start: Date; end: Date } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  if (period === AnalyticsPeriod.MONTHLY) return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  const d = at.getUTCDate();
  return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
}
