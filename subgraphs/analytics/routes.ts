import type { Express } from 'express';
import { CodedError, HTTP_STATUS_BY_CODE } from '../../platform/errors';
import { linkHolderMay } from '../../platform/link-access';
import type { SubgraphDependencies } from '../../platform/subgraph';
import type { AnalyticsServices } from './services';
import { CONTENT_TYPES } from './services/report-output';
import type { ReportFormat } from './services/report-output';
import { REPORT_DOWNLOAD_PATH } from './services/report.service';

/**
 * `GET /api/v1/analytics/reports/download?token=…` on analytics' HTTP server: the link a
 * succeeded `ReportRun.download` gave. The token is the grant (HMAC-signed, expiring); the
 * person it names must still be a member holding `analytics:read` in the organization. 403 for a bad,
 * expired or no longer permitted link, 404 when the run is gone; otherwise the file.
 */
export function analyticsRoutes(app: Express, services: AnalyticsServices, dependencies: SubgraphDependencies): void {
  app.get(REPORT_DOWNLOAD_PATH, async (req, res, next) => {
    try {
      const { userId, run, report } = await services.reports.openDownload(String(req.query.token ?? ''));
      if (!(await linkHolderMay(dependencies, { userId, organizationId: run.organizationId }, 'analytics', 'read'))) {
        res.status(403).json({ error: { code: 'FORBIDDEN', message: 'You may no longer read this organization’s reports' } });
        return;
      }
      const format = run.format as ReportFormat;
      const base = (report?.name ?? run.reportId).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'report';
      res.status(200);
      res.setHeader('Content-Type', CONTENT_TYPES[format]);
      res.setHeader('Content-Disposition', `attachment; filename="${base}-${run.periodStart.toISOString().slice(0, 10)}.${format}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.end(run.output);
    } catch (error) {
      if (error instanceof CodedError) {
        res.status(HTTP_STATUS_BY_CODE[error.code]).json({ error: { code: error.code, message: error.message } });
        return;
      }
      next(error);
    }
  });
}
