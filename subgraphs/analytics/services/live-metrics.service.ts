import type { DataSource, Repository } from 'typeorm';
import type { EventBus } from '../../../platform/events';
import { organizationTopic } from '../../../platform/events';
import { LiveMetrics } from '../entities/live-metrics.entity';
import type { MetricsSnapshot } from '../types/metrics.type';

export const METRICS_TOPIC = 'metrics';

/** A call started and never ended counts as active for this long (a media server that crashed never ends it). */
export const STALE_CALL_HOURS = 24;

/**
 * The figures the organization's call records and AI usage give now: calls in progress,
 * calls started and AI uses in the last minute, and the mean MOS of calls ended in the last
 * five minutes (a call's quality is known when it ends).
 */
const LIVE_FIGURES_SQL = `
  SELECT
    (SELECT count(*) FROM analytics.call_records
      WHERE organization_id = $1 AND ended_at IS NULL AND started_at > now() - make_interval(hours => ${STALE_CALL_HOURS}))::int AS active_calls,
    (SELECT count(*) FROM analytics.call_records
      WHERE organization_id = $1 AND started_at > now() - interval '1 minute')::int AS calls_per_minute,
    (SELECT avg(mos) FROM analytics.call_records
      WHERE organization_id = $1 AND ended_at > now() - interval '5 minutes' AND mos IS NOT NULL)::float8 AS recent_mos,
    (SELECT count(*) FROM analytics.ai_usage_events
      WHERE organization_id = $1 AND occurred_at > now() - interval '1 minute')::int AS ai_calls_per_minute`;

interface LiveFigures {
  active_calls: number;
  calls_per_minute: number;
  recent_mos: number | null;
  ai_calls_per_minute: number;
}

export interface LiveMetricsReport {
  activeCalls: number;
  aiCallsInProgress?: number;
  averageMos?: number | null;
}

/**
 * Live figures: stored (the latest per organization) and published on the event bus, to
 * the organization's own topic, on every report and on a timer while anyone listens.
 */
export class LiveMetricsService {
  private readonly metrics: Repository<LiveMetrics>;
  private readonly dataSource: DataSource;
  private readonly listening = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dataSource: DataSource,
    private readonly events: EventBus,
    private readonly intervalMs = 5_000,
  ) {
    this.dataSource = dataSource;
    this.metrics = dataSource.getRepository(LiveMetrics);
  }

  async current(organizationId: string): Promise<MetricsSnapshot> {
    const [row, [figures]] = await Promise.all([
      this.metrics.findOneBy({ organizationId }),
      this.dataSource.query(LIVE_FIGURES_SQL, [organizationId]) as Promise<LiveFigures[]>,
    ]);
    return snapshotOf(organizationId, row, figures);
  }

  /** After a change to the organization's calls or AI usage: listeners see the figures at once. */
  async changed(organizationId: string): Promise<void> {
    await this.publish(await this.current(organizationId));
  }

  async report(organizationId: string, report: LiveMetricsReport): Promise<MetricsSnapshot> {
    await this.metrics.upsert(
      {
        organizationId,
        activeCalls: report.activeCalls,
        aiCallsInProgress: report.aiCallsInProgress ?? 0,
        averageMos: report.activeCalls === 0 ? null : (report.averageMos ?? null),
      },
      ['organizationId'],
    );
    const snapshot = await this.current(organizationId);
    await this.publish(snapshot);
    return snapshot;
  }

  async publish(snapshot: MetricsSnapshot): Promise<void> {
    await this.events.publish(organizationTopic(METRICS_TOPIC, snapshot.organizationId), snapshot);
  }

  /** Snapshots of this organization as they come: the current one first, then each report and tick. */
  subscribe(organizationId: string): AsyncIterableIterator<MetricsSnapshot> {
    const rest = this.events.subscribe<MetricsSnapshot>(organizationTopic(METRICS_TOPIC, organizationId));
    this.retain(organizationId);
    let first = true;
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        this.release(organizationId);
      }
      return (await rest.return?.()) ?? { value: undefined, done: true as const };
    };
    return {
      next: async () => {
        if (closed) return { value: undefined, done: true };
        if (first) {
          first = false;
          return { value: await this.current(organizationId), done: false };
        }
        return rest.next();
      },
      return: close,
      throw: async (error: unknown) => {
        await close();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private retain(organizationId: string): void {
    this.listening.set(organizationId, (this.listening.get(organizationId) ?? 0) + 1);
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs).unref();
  }

  private release(organizationId: string): void {
    const count = (this.listening.get(organizationId) ?? 1) - 1;
    if (count > 0) this.listening.set(organizationId, count);
    else this.listening.delete(organizationId);
    if (this.listening.size === 0) this.close();
  }

  /** A heartbeat: listeners see current figures even when nothing was reported. */
  private async tick(): Promise<void> {
    for (const organizationId of this.listening.keys()) {
      await this.publish(await this.current(organizationId)).catch(() => undefined);
    }
  }
}

/**
 * Reported figures (`reportLiveMetrics`, for calls a media server does not send as records)
 * and recorded ones together: active calls add up; the MOS is the recorded calls' when any
 * ended in the last five minutes, else the reported one.
 */
function snapshotOf(organizationId: string, row: LiveMetrics | null, figures: LiveFigures): MetricsSnapshot {
  const reportedCalls = row?.activeCalls ?? 0;
  return {
    organizationId,
    organization: { id: organizationId },
    activeCalls: reportedCalls + figures.active_calls,
    callsPerMinute: figures.calls_per_minute,
    aiCallsInProgress: row?.aiCallsInProgress ?? 0,
    aiCallsPerMinute: figures.ai_calls_per_minute,
    averageMos: figures.recent_mos ?? row?.averageMos ?? null,
    at: new Date(),
  };
}
