import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, CodedError, ConflictError, NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { Logger } from '../../../platform/logger';
import { SignedLinks } from '../../../platform/signed-links';
import { Report } from '../entities/report.entity';
import { ReportRun } from '../entities/report-run.entity';
import { ReportGrouping, computeReport, validateDefinition } from './report-catalogue';
import type { ReportFilters, ReportMetric } from './report-catalogue';
import { ReportFormat, renderReport } from './report-output';
import { ReportPeriod, explicitPeriod, resolvePeriod } from './report-period';
import { nextTick } from './report-schedule';

/** How many saved reports an organization may have. */
export const MAX_REPORTS_PER_ORGANIZATION = 100;
/** The runs of a report kept (newest first); older finished ones are deleted as new ones finish. */
export const REPORT_RUNS_KEPT = 50;
/** The most rows a run's output holds (groupings by user or model can be long). */
export const REPORT_MAX_ROWS = 10_000;
/** Runs of one report that may wait at once: asking for more is a CONFLICT. */
export const MAX_WAITING_RUNS = 3;
/** Tries of a run before it is failed for good. */
export const REPORT_RUN_ATTEMPTS = 3;
/** A run still `running` after this long was lost with its worker and is taken up again. */
export const STALE_RUN_MINUTES = 15;
/** The path of the download route on analytics' HTTP server (routes.ts). */
export const REPORT_DOWNLOAD_PATH = '/api/v1/analytics/reports/download';

export enum ReportRunStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}

export enum ReportRunTrigger {
  MANUAL = 'manual',
  SCHEDULE = 'schedule',
}

export interface ReportDefinition {
  name: string;
  metrics: ReportMetric[];
  groupBy: ReportGrouping;
  period: ReportPeriod;
  format: ReportFormat;
  filters: ReportFilters;
  /** Cron, five fields, UTC; null: run only when asked. */
  schedule: string | null;
}

/** What a download link grants: one run's output, to the person who asked for the link. */
interface DownloadClaims {
  r: string;
  o: string;
  u: string;
}

/**
 * Custom reports: saved definitions (metrics from the catalogue, filters, grouping, period,
 * format, optional cron schedule), runs queued when asked or when due, and their outputs
 * behind signed, expiring download links. The job `analytics.run-reports` queues the due
 * scheduled runs and computes queued ones (`processQueued`); a run whose worker died is
 * taken up again after STALE_RUN_MINUTES, and each run is tried REPORT_RUN_ATTEMPTS times.
 */
export class ReportService {
  private readonly links: SignedLinks<DownloadClaims>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { key: Buffer; baseUrl: string; linkTtlSeconds: number; logger?: Logger },
  ) {
    this.links = new SignedLinks(options.key);
  }

  async list(principal: Principal, organizationId: string): Promise<Report[]> {
    assertOwnOrganization(principal, organizationId);
    return this.dataSource.getRepository(Report).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The report, if it is the caller's organization's; NOT_FOUND otherwise (another organization's ids are not told apart from unknown ones). */
  async get(principal: Principal, id: string): Promise<Report> {
    const report = await this.dataSource.getRepository(Report).findOneBy({ id, organizationId: principal.organizationId });
    if (!report) throw new NotFoundError('Report', id, 'id');
    return report;
  }

  async create(principal: Principal, organizationId: string, given: ReportDefinition, now = new Date()): Promise<Report> {
    assertOwnOrganization(principal, organizationId);
    const definition = checked(given);
    return this.dataSource.transaction(async (manager) => {
      // Serialises creations per organization, so the cap holds under concurrency.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`analytics.reports:${organizationId}`]);
      const count = await manager.getRepository(Report).countBy({ organizationId });
      if (count >= MAX_REPORTS_PER_ORGANIZATION)
        throw new ConflictError(`An organization keeps at most ${MAX_REPORTS_PER_ORGANIZATION} reports: delete one first`);
      return manager.getRepository(Report).save(
        manager.getRepository(Report).create({
          id: newId('report'),
          organizationId,
          ...definition,
          filters: { ...definition.filters },
          nextRunAt: definition.schedule ? nextTick(definition.schedule, now) : null,
          createdBy: principal.userId,
        }),
      );
    });
  }

  /** Changes what is given (a `schedule` of null stops the schedule); the next tick is worked out again. */
  async update(principal: Principal, id: string, patch: Partial<ReportDefinition>, now = new Date()): Promise<Report> {
    const report = await this.get(principal, id);
    const definition = checked({
      name: patch.name ?? report.name,
      metrics: patch.metrics ?? (report.metrics as ReportMetric[]),
      groupBy: patch.groupBy ?? (report.groupBy as ReportGrouping),
      period: patch.period ?? (report.period as ReportPeriod),
      format: patch.format ?? (report.format as ReportFormat),
      filters: patch.filters ?? (report.filters as ReportFilters),
      schedule: patch.schedule === undefined ? report.schedule : patch.schedule,
    });
    Object.assign(report, definition, {
      filters: { ...definition.filters },
      nextRunAt: definition.schedule ? nextTick(definition.schedule, now) : null,
    });
    return this.dataSource.getRepository(Report).save(report);
  }

  /** Deletes the report and its runs. */
  async delete(principal: Principal, id: string): Promise<string> {
    const report = await this.get(principal, id);
    await this.dataSource.getRepository(Report).delete({ id: report.id, organizationId: report.organizationId });
    return report.id;
  }

  /** Queues a run now, over the report's period or [from, to) when both are given. */
  async run(principal: Principal, id: string, range: { from?: Date | null; to?: Date | null } = {}, now = new Date()): Promise<ReportRun> {
    const report = await this.get(principal, id);
    if ((range.from == null) !== (range.to == null)) throw new BadUserInputError('from: give both from and to, or neither', 'from');
    const period = range.from && range.to ? explicitPeriod(range.from, range.to) : resolvePeriod(report.period as ReportPeriod, now);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM analytics.reports WHERE id = $1 FOR UPDATE', [report.id]);
      const waiting = await manager.getRepository(ReportRun).countBy([
        { reportId: report.id, status: ReportRunStatus.QUEUED },
        { reportId: report.id, status: ReportRunStatus.RUNNING },
      ]);
      if (waiting >= MAX_WAITING_RUNS) throw new ConflictError(`This report already has ${waiting} runs waiting: wait for one to finish`);
      return manager.getRepository(ReportRun).save(runOf(report, ReportRunTrigger.MANUAL, period, principal.userId));
    });
  }

  /** The report's runs, newest first (at most `first`, up to REPORT_RUNS_KEPT). */
  async runs(principal: Principal, reportId: string, first = 20): Promise<ReportRun[]> {
    if (!Number.isInteger(first) || first < 1 || first > REPORT_RUNS_KEPT)
      throw new BadUserInputError(`first: 1 to ${REPORT_RUNS_KEPT}`, 'first');
    const report = await this.get(principal, reportId);
    return this.dataSource
      .getRepository(ReportRun)
      .find({ where: { reportId: report.id }, order: { createdAt: 'DESC', id: 'DESC' }, take: first });
  }

  async getRun(principal: Principal, id: string): Promise<ReportRun> {
    const run = await this.dataSource.getRepository(ReportRun).findOneBy({ id, organizationId: principal.organizationId });
    if (!run) throw new NotFoundError('Report run', id, 'id');
    return run;
  }

  /** A signed link to a succeeded run's output, for the caller; null while there is none. */
  downloadLink(
    principal: Principal,
    run: Pick<ReportRun, 'id' | 'organizationId' | 'status'>,
    now = new Date(),
  ): { url: string; expiresAt: Date } | null {
    assertOwnOrganization(principal, run.organizationId);
    if (run.status !== ReportRunStatus.SUCCEEDED) return null;
    const expiresAt = new Date(now.getTime() + this.options.linkTtlSeconds * 1000);
    const token = this.links.sign({ r: run.id, o: run.organizationId, u: principal.userId }, expiresAt);
    return { url: `${this.options.baseUrl}${REPORT_DOWNLOAD_PATH}?token=${token}`, expiresAt };
  }

  /** Who a download token was given to, and the run with its output; FORBIDDEN for a bad or expired token, NOT_FOUND when the run is gone. */
  async openDownload(token: string, now = new Date()): Promise<{ userId: string; run: ReportRun; report: Report | null }> {
    const { claims } = this.links.open(token, now);
    const run = await this.dataSource
      .getRepository(ReportRun)
      .createQueryBuilder('run')
      .addSelect('run.output')
      .where('run.id = :id AND run.organization_id = :organizationId', { id: claims.r, organizationId: claims.o })
      .getOne();
    if (!run || run.status !== ReportRunStatus.SUCCEEDED || !run.output) throw new NotFoundError('Report run', claims.r, 'token');
    const report = await this.dataSource.getRepository(Report).findOneBy({ id: run.reportId });
    return { userId: claims.u, run, report };
  }

  /** Queues a run of every scheduled report whose tick has passed and moves it to its next tick; answers how many. */
  async queueDue(now = new Date()): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = (await manager
        .getRepository(Report)
        .createQueryBuilder('report')
        .where('report.nextRunAt <= :now', { now })
        .orderBy('report.nextRunAt')
        .limit(500)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany()) as Report[];
      for (const report of due) {
        const tick = report.nextRunAt!;
        await manager
          .getRepository(ReportRun)
          .save(runOf(report, ReportRunTrigger.SCHEDULE, resolvePeriod(report.period as ReportPeriod, tick), null));
        await manager.getRepository(Report).update({ id: report.id }, { nextRunAt: nextTick(report.schedule!, now) });
      }
      return due.length;
    });
  }

  /**
   * Computes queued runs (and stale ones) one at a time until none is left or `signal`
   * aborts; several workers share the queue (SKIP LOCKED). Answers how the runs ended.
   */
  async processQueued(
    options: { organizationId?: string; signal?: AbortSignal; progress?: (done: number, total: number) => Promise<void> } = {},
  ): Promise<{ succeeded: number; failed: number; retrying: number }> {
    const outcome = { succeeded: 0, failed: 0, retrying: 0 };
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM analytics.report_runs WHERE status IN ('queued', 'running') AND ($1::varchar IS NULL OR organization_id = $1)`,
      [options.organizationId ?? null],
    )) as { total: number }[];
    let done = 0;
    while (!options.signal?.aborted) {
      const id = await this.claim(options.organizationId);
      if (!id) break;
      const ended = await this.execute(id);
      outcome[ended]++;
      done++;
      await options.progress?.(done, Math.max(total, done));
    }
    return outcome;
  }

  private async claim(organizationId?: string): Promise<string | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE analytics.report_runs SET status = 'running', started_at = now(), attempts = attempts + 1
        WHERE id = (SELECT id FROM analytics.report_runs
                     WHERE (status = 'queued' OR (status = 'running' AND started_at < now() - make_interval(mins => $1)))
                       AND ($2::varchar IS NULL OR organization_id = $2)
                     ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING id`,
      [STALE_RUN_MINUTES, organizationId ?? null],
    )) as [{ id: string }[], number];
    return rows[0]?.id ?? null;
  }

  private async execute(id: string): Promise<'succeeded' | 'failed' | 'retrying'> {
    const runs = this.dataSource.getRepository(ReportRun);
    const run = await runs.findOneByOrFail({ id });
    const report = await this.dataSource.getRepository(Report).findOneBy({ id: run.reportId });
    try {
      if (!report) throw new NotFoundError('Report', run.reportId, 'reportId');
      const table = await computeReport(
        (sql, params) => this.dataSource.query(sql, params),
        run.organizationId,
        { metrics: report.metrics as ReportMetric[], groupBy: report.groupBy as ReportGrouping, filters: report.filters as ReportFilters },
        { start: run.periodStart, end: run.periodEnd },
        REPORT_MAX_ROWS,
      );
      const output = await renderReport(
        run.format as ReportFormat,
        {
          reportId: report.id,
          runId: run.id,
          name: report.name,
          organizationId: run.organizationId,
          periodStart: run.periodStart,
          periodEnd: run.periodEnd,
          generatedAt: new Date(),
        },
        table,
      );
      await this.dataSource.transaction(async (manager) => {
        await manager.getRepository(ReportRun).update(
          { id },
          {
            status: ReportRunStatus.SUCCEEDED,
            output,
            outputBytes: output.length,
            rowCount: table.rows.length,
            truncated: table.truncated,
            error: null,
            finishedAt: new Date(),
          },
        );
        await manager.query(
          `DELETE FROM analytics.report_runs WHERE report_id = $1 AND status IN ('succeeded', 'failed')
             AND id NOT IN (SELECT id FROM analytics.report_runs WHERE report_id = $1 ORDER BY created_at DESC LIMIT $2)`,
          [run.reportId, REPORT_RUNS_KEPT],
        );
      });
      return 'succeeded';
    } catch (error) {
      // A coded error says what is wrong with the report; anything else stays in the log.
      const message =
        error instanceof CodedError
          ? error.message
          : 'The report could not be computed' + (run.attempts < REPORT_RUN_ATTEMPTS ? '; it will be tried again' : '');
      if (!(error instanceof CodedError)) this.options.logger?.error({ err: error, runId: id }, 'report run failed');
      const final = run.attempts >= REPORT_RUN_ATTEMPTS || error instanceof CodedError;
      await runs.update(
        { id },
        final
          ? { status: ReportRunStatus.FAILED, error: message, finishedAt: new Date() }
          : { status: ReportRunStatus.QUEUED, error: message, startedAt: null },
      );
      return final ? 'failed' : 'retrying';
    }
  }
}

function checked(definition: ReportDefinition): ReportDefinition {
  const name = definition.name?.trim() ?? '';
  if (name.length < 1 || name.length > 200) throw new BadUserInputError('name: 1 to 200 characters', 'name');
  if (!Object.values(ReportPeriod).includes(definition.period)) throw new BadUserInputError('period: not a known period', 'period');
  if (!Object.values(ReportFormat).includes(definition.format)) throw new BadUserInputError('format: CSV, JSON or PDF', 'format');
  if (!Object.values(ReportGrouping).includes(definition.groupBy)) throw new BadUserInputError('groupBy: not a known grouping', 'groupBy');
  const filters = Object.fromEntries(Object.entries(definition.filters ?? {}).filter(([, value]) => value !== null && value !== undefined));
  validateDefinition(definition.metrics, definition.groupBy, filters);
  const schedule = definition.schedule?.trim() || null;
  if (schedule) nextTick(schedule, new Date());
  return { ...definition, name, filters, schedule };
}

function runOf(report: Report, trigger: ReportRunTrigger, period: { start: Date; end: Date }, requestedBy: string | null): ReportRun {
  return Object.assign(new ReportRun(), {
    id: newId('reportRun'),
    reportId: report.id,
    organizationId: report.organizationId,
    status: ReportRunStatus.QUEUED,
    trigger,
    requestedBy,
    periodStart: period.start,
    periodEnd: period.end,
    format: report.format,
    attempts: 0,
    truncated: false,
  });
}
