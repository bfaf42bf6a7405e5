import { BadUserInputError } from '../../../platform/errors';

/** Where a metric comes from: finished and ongoing calls (by start), or AI uses (by time). */
type Source = 'calls' | 'ai';

export enum ReportMetric {
  CALLS = 'calls',
  MINUTES = 'minutes',
  DEGRADED_CALLS = 'degraded_calls',
  AVERAGE_MOS = 'average_mos',
  P95_RTT_MS = 'p95_rtt_ms',
  P95_JITTER_MS = 'p95_jitter_ms',
  AVERAGE_PACKET_LOSS_PERCENT = 'average_packet_loss_percent',
  CALL_COST_USD = 'call_cost_usd',
  AI_REQUESTS = 'ai_requests',
  AI_TOKENS = 'ai_tokens',
  AI_SECONDS = 'ai_seconds',
  AI_COST_USD = 'ai_cost_usd',
}

export enum ReportGrouping {
  NONE = 'none',
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
  CODEC = 'codec',
  QUALITY = 'quality',
  FEATURE = 'feature',
  MODEL = 'model',
  USER = 'user',
}

export interface ReportFilters {
  codec?: string | null;
  degradedOnly?: boolean | null;
  feature?: string | null;
  model?: string | null;
  userId?: string | null;
}

interface MetricDefinition {
  source: Source;
  /** An aggregate over the source's rows; money as integer micro-dollars. */
  sql: string;
  /** What an empty group shows: a count is 0, an average or percentile has no value. */
  empty: 0 | null;
  /** Micro-dollars in SQL, dollars in the output. */
  money?: boolean;
}

const METRICS: Record<ReportMetric, MetricDefinition> = {
  [ReportMetric.CALLS]: { source: 'calls', sql: 'count(*)', empty: 0 },
  [ReportMetric.MINUTES]: { source: 'calls', sql: 'coalesce(sum(billed_minutes), 0)', empty: 0 },
  [ReportMetric.DEGRADED_CALLS]: { source: 'calls', sql: 'count(*) FILTER (WHERE degraded)', empty: 0 },
  [ReportMetric.AVERAGE_MOS]: { source: 'calls', sql: 'round(avg(mos)::numeric, 2)', empty: null },
  [ReportMetric.P95_RTT_MS]: { source: 'calls', sql: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY rtt_ms)', empty: null },
  [ReportMetric.P95_JITTER_MS]: { source: 'calls', sql: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY jitter_ms)', empty: null },
  [ReportMetric.AVERAGE_PACKET_LOSS_PERCENT]: { source: 'calls', sql: 'round(avg(packet_loss_percent)::numeric, 3)', empty: null },
  [ReportMetric.CALL_COST_USD]: { source: 'calls', sql: 'coalesce(sum(cost_micros), 0)', empty: 0, money: true },
  [ReportMetric.AI_REQUESTS]: { source: 'ai', sql: 'count(*)', empty: 0 },
  [ReportMetric.AI_TOKENS]: { source: 'ai', sql: 'coalesce(sum(tokens), 0)', empty: 0 },
  [ReportMetric.AI_SECONDS]: { source: 'ai', sql: 'round(coalesce(sum(seconds), 0)::numeric, 1)', empty: 0 },
  [ReportMetric.AI_COST_USD]: { source: 'ai', sql: 'coalesce(sum(cost_micros), 0)', empty: 0, money: true },
};

const TABLES: Record<Source, { table: string; time: string }> = {
  calls: { table: 'analytics.call_records', time: 'started_at' },
  ai: { table: 'analytics.ai_usage_events', time: 'occurred_at' },
};

const TIME_GROUPINGS = [ReportGrouping.NONE, ReportGrouping.DAY, ReportGrouping.WEEK, ReportGrouping.MONTH];

/** What each grouping groups by, per source that has it (`t` is the source's time column). */
const GROUPINGS: Record<ReportGrouping, Partial<Record<Source, string>>> = {
  [ReportGrouping.NONE]: { calls: "'all'", ai: "'all'" },
  [ReportGrouping.DAY]: { calls: dayOf('started_at'), ai: dayOf('occurred_at') },
  [ReportGrouping.WEEK]: { calls: weekOf('started_at'), ai: weekOf('occurred_at') },
  [ReportGrouping.MONTH]: { calls: monthOf('started_at'), ai: monthOf('occurred_at') },
  [ReportGrouping.CODEC]: { calls: 'codec' },
  [ReportGrouping.QUALITY]: { calls: "coalesce(quality, 'unrated')" },
  [ReportGrouping.FEATURE]: { ai: 'feature' },
  [ReportGrouping.MODEL]: { ai: 'model' },
  [ReportGrouping.USER]: { ai: "coalesce(user_id, 'unknown')" },
};

function dayOf(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
}
function weekOf(column: string): string {
  return `to_char(date_trunc('week', ${column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
}
function monthOf(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM')`;
}

/** Which source each filter narrows, and how. */
const FILTERS: Record<keyof ReportFilters, { source: Source; sql: (param: string) => string }> = {
  codec: { source: 'calls', sql: (param) => `codec = ${param}` },
  degradedOnly: { source: 'calls', sql: () => 'degraded' },
  feature: { source: 'ai', sql: (param) => `feature = ${param}` },
  model: { source: 'ai', sql: (param) => `model = ${param}` },
  userId: { source: 'ai', sql: (param) => `user_id = ${param}` },
};

/** A definition the catalogue can compute; BAD_USER_INPUT naming the field otherwise. */
export function validateDefinition(metrics: ReportMetric[], groupBy: ReportGrouping, filters: ReportFilters): void {
  if (metrics.length === 0) throw new BadUserInputError('metrics: name at least one', 'metrics');
  if (new Set(metrics).size !== metrics.length) throw new BadUserInputError('metrics: each at most once', 'metrics');
  for (const metric of metrics) if (!METRICS[metric]) throw new BadUserInputError(`metrics: unknown metric "${metric}"`, 'metrics');
  const sources = sourcesOf(metrics);
  for (const source of sources) {
    if (!GROUPINGS[groupBy]?.[source]) {
      const can = Object.values(ReportGrouping).filter((grouping) => sources.every((s) => GROUPINGS[grouping][s]));
      throw new BadUserInputError(
        `groupBy: ${groupBy} does not apply to ${describe(source)}; these metrics group by ${can.join(', ')}`,
        'groupBy',
      );
    }
  }
  for (const [name, value] of Object.entries(filters) as [keyof ReportFilters, unknown][]) {
    if (value === null || value === undefined || value === false) continue;
    const filter = FILTERS[name];
    if (!filter) throw new BadUserInputError(`filters.${name}: unknown filter`, `filters.${name}`);
    if (sources.length > 1 || sources[0] !== filter.source)
      throw new BadUserInputError(
        `filters.${name}: narrows ${describe(filter.source)} only, and this report has other metrics`,
        `filters.${name}`,
      );
    if (typeof value === 'string' && (value.trim() === '' || value.length > 128))
      throw new BadUserInputError(`filters.${name}: 1 to 128 characters`, `filters.${name}`);
  }
}

function describe(source: Source): string {
  return source === 'calls' ? 'call metrics' : 'AI metrics';
}

function sourcesOf(metrics: ReportMetric[]): Source[] {
  return [...new Set(metrics.map((metric) => METRICS[metric].source))];
}

export interface ReportTable {
  /** The grouping's column (absent for NONE), then the metrics, as asked. */
  columns: string[];
  rows: (string | number | null)[][];
  truncated: boolean;
}

type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * The report's figures for one organization over [start, end): one query per source (calls,
 * AI uses) on their (organization, time) indexes, merged by group. Time groupings list every
 * day, week or month of the period, empty ones too; other groupings list what occurred, in
 * order, at most `maxRows`.
 */
export async function computeReport(
  query: Query,
  organizationId: string,
  definition: { metrics: ReportMetric[]; groupBy: ReportGrouping; filters: ReportFilters },
  period: { start: Date; end: Date },
  maxRows: number,
): Promise<ReportTable> {
  const { metrics, groupBy, filters } = definition;
  validateDefinition(metrics, groupBy, filters);
  const byKey = new Map<string, Record<string, unknown>>();
  let truncated = false;
  for (const source of sourcesOf(metrics)) {
    const { table, time } = TABLES[source];
    const params: unknown[] = [organizationId, period.start, period.end];
    const where = [`organization_id = $1`, `${time} >= $2`, `${time} < $3`];
    for (const [name, value] of Object.entries(filters) as [keyof ReportFilters, unknown][]) {
      if (value === null || value === undefined || value === false) continue;
      params.push(value);
      where.push(FILTERS[name].sql(`$${params.length}`));
    }
    const mine = metrics.filter((metric) => METRICS[metric].source === source);
    const rows = await query(
      `SELECT ${GROUPINGS[groupBy][source]} AS key, ${mine.map((metric) => `${METRICS[metric].sql} AS "${metric}"`).join(', ')}
         FROM ${table} WHERE ${where.join(' AND ')}
        ${groupBy === ReportGrouping.NONE ? '' : 'GROUP BY 1 ORDER BY 1'} LIMIT ${maxRows + 1}`,
      params,
    );
    if (rows.length > maxRows) truncated = true;
    for (const row of rows.slice(0, maxRows)) {
      const key = String(row.key);
      byKey.set(key, { ...byKey.get(key), ...row });
    }
  }
  const keys = TIME_GROUPINGS.includes(groupBy) ? timeKeys(groupBy, period) : [...byKey.keys()].sort().slice(0, maxRows);
  const grouped = groupBy !== ReportGrouping.NONE;
  return {
    columns: [...(grouped ? [groupBy] : []), ...metrics],
    rows: keys.map((key) => {
      const row = byKey.get(key);
      const values = metrics.map((metric) => valueOf(METRICS[metric], row?.[metric]));
      return grouped ? [key, ...values] : values;
    }),
    truncated,
  };
}

function valueOf(metric: MetricDefinition, raw: unknown): number | null {
  if (raw === null || raw === undefined) return metric.empty;
  const value = Number(raw);
  return metric.money ? value / 1_000_000 : value;
}

/** Every UTC day (YYYY-MM-DD), ISO week (its Monday) or month (YYYY-MM) that [start, end) touches; one row for NONE. */
export function timeKeys(groupBy: ReportGrouping, period: { start: Date; end: Date }): string[] {
  if (groupBy === ReportGrouping.NONE) return ['all'];
  const keys: string[] = [];
  const at = new Date(Date.UTC(period.start.getUTCFullYear(), period.start.getUTCMonth(), period.start.getUTCDate()));
  if (groupBy === ReportGrouping.WEEK) at.setUTCDate(at.getUTCDate() - ((at.getUTCDay() + 6) % 7));
  if (groupBy === ReportGrouping.MONTH) at.setUTCDate(1);
  while (at < period.end) {
    keys.push(groupBy === ReportGrouping.MONTH ? at.toISOString().slice(0, 7) : at.toISOString().slice(0, 10));
    if (groupBy === ReportGrouping.DAY) at.setUTCDate(at.getUTCDate() + 1);
    else if (groupBy === ReportGrouping.WEEK) at.setUTCDate(at.getUTCDate() + 7);
    else at.setUTCMonth(at.getUTCMonth() + 1);
  }
  return keys;
}
