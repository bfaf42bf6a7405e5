import type { DataSource, Repository } from 'typeorm';
import type { EventBus } from '../../../platform/events';
import { organizationTopic } from '../../../platform/events';
import { LiveMetrics } from '../entities/live-metrics.entity';
import type { MetricsSnapshot } from '../types/metrics.type';

export const METRICS_TOPIC = 'metrics';

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
  private readonly listening = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dataSource: DataSource,
    private readonly events: EventBus,
    private readonly intervalMs = 5_000,
  ) {
    this.metrics = dataSource.getRepository(LiveMetrics);
  }

  async current(organizationId: string): Promise<MetricsSnapshot> {
    const row = await this.metrics.findOneBy({ organizationId });
    return snapshotOf(organizationId, row);
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

function snapshotOf(organizationId: string, row: LiveMetrics | null): MetricsSnapshot {
  return {
    organizationId,
    organization: { id: organizationId },
    activeCalls: row?.activeCalls ?? 0,
    aiCallsInProgress: row?.aiCallsInProgress ?? 0,
    averageMos: row?.averageMos ?? null,
    at: row?.updatedAt ?? new Date(),
  };
}
