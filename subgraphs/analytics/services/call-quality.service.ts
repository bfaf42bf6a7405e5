import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import type { QualityBand } from './call-quality-rules';
import { timeRange } from './time-range';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface CallQualityReport {
  organizationId: string;
  from: Date;
  to: Date;
  calls: number;
  degradedCalls: number;
  averageMos: number | null;
  mos: Percentiles;
  rttMs: Percentiles;
  jitterMs: Percentiles;
  packetLossPercent: Percentiles;
  bands: { band: QualityBand; calls: number }[];
}

/**
 * Quality of the organization's ended calls started in [from, to) (default the last 30 days):
 * p50/p95 of MOS, round trip, jitter and loss (PostgreSQL's percentile_cont, interpolated),
 * calls per G.109 band, and how many were degraded.
 */
export class CallQualityService {
  constructor(private readonly dataSource: DataSource) {}

  async report(principal: Principal, organizationId: string, range: { from?: Date | null; to?: Date | null }): Promise<CallQualityReport> {
    assertOwnOrganization(principal, organizationId);
    const { from, to } = timeRange(range.from, range.to, 30 * 86_400_000);
    const where = 'organization_id = $1 AND started_at >= $2 AND started_at < $3 AND mos IS NOT NULL';
    const [[stats], bands] = (await Promise.all([
      this.dataSource.query(
        `SELECT count(*)::int AS calls, (count(*) FILTER (WHERE degraded))::int AS degraded, avg(mos) AS average_mos,
                percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY mos) AS mos,
                percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY rtt_ms) AS rtt,
                percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY jitter_ms) AS jitter,
                percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY packet_loss_percent) AS loss
           FROM analytics.call_records WHERE ${where}`,
        [organizationId, from, to],
      ),
      this.dataSource.query(
        `SELECT quality AS band, count(*)::int AS calls FROM analytics.call_records WHERE ${where} GROUP BY quality ORDER BY min(r_factor) DESC`,
        [organizationId, from, to],
      ),
    ])) as [
      {
        calls: number;
        degraded: number;
        average_mos: number | null;
        mos: number[] | null;
        rtt: number[] | null;
        jitter: number[] | null;
        loss: number[] | null;
      }[],
      { band: QualityBand; calls: number }[],
    ];
    const pair = (values: number[] | null): Percentiles => ({ p50: values?.[0] ?? null, p95: values?.[1] ?? null });
    return {
      organizationId,
      from,
      to,
      calls: stats.calls,
      degradedCalls: stats.degraded,
      averageMos: stats.average_mos,
      mos: pair(stats.mos),
      rttMs: pair(stats.rtt),
      jitterMs: pair(stats.jitter),
      packetLossPercent: pair(stats.loss),
      bands,
    };
  }
}
