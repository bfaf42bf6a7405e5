import type { Express } from 'express';
import { CodedError, HTTP_STATUS_BY_CODE } from '../../platform/errors';
import { linkHolderMay } from '../../platform/link-access';
import { streamWriter } from '../../platform/stream-writer';
import type { SubgraphDependencies } from '../../platform/subgraph';
import type { ComplianceServices } from './services';
import { COMPLIANCE_REPORT_DOWNLOAD_PATH } from './services/compliance-report.service';
import { EXPORT_DOWNLOAD_PATH } from './services/data-subject-request.service';
import type { DownloadGrant } from './services/data-subject-request.service';
import { CONTENT_TYPES } from './services/export-file';

/**
 * `GET /api/v1/compliance/requests/download?token=…` on compliance's HTTP server: a completed
 * export's file, from the link `ComplianceRequest.downloadUrl` gave. The token is the grant
 * (HMAC-signed, expiring); the person it names must still be an active member when the download
 * starts. The file goes out once, streamed a chunk at a time: 403 for a bad, expired or no longer
 * permitted link, 404 `NOT_FOUND` once downloaded.
 *
 * `GET /api/v1/compliance/reports/download?token=…`: the link `complianceReportPdf` gave. The
 * token is the grant (HMAC-signed, expiring); the person it names must still be a member
 * holding `compliance:read`. The report is made now, as a PDF.
 */
export function complianceRoutes(app: Express, services: ComplianceServices, dependencies: SubgraphDependencies): void {
  app.get(EXPORT_DOWNLOAD_PATH, async (req, res, next) => {
    let grant: DownloadGrant;
    try {
      grant = services.requests.openDownload(String(req.query.token ?? ''));
      if (!(await linkHolderMay(dependencies, grant, 'profile', 'read'))) {
        res.status(403).json({ error: { code: 'FORBIDDEN', message: 'You may no longer download this export' } });
        return;
      }
    } catch (error) {
      if (error instanceof CodedError) {
        res.status(HTTP_STATUS_BY_CODE[error.code]).json({ error: { code: error.code, message: error.message } });
        return;
      }
      return next(error);
    }
    const write = streamWriter(res);
    try {
      const done = await services.requests.download(grant, write, (format) => {
        res.status(200);
        res.setHeader('Content-Type', CONTENT_TYPES[format]);
        res.setHeader('Content-Disposition', `attachment; filename="personal-data-${grant.requestId}.${format}"`);
        res.setHeader('Cache-Control', 'no-store');
      });
      if (!done) {
        res
          .status(404)
          .json({ error: { code: 'NOT_FOUND', message: 'This export was downloaded already, or is not ready: ask for a new one' } });
        return;
      }
      res.end();
    } catch (error) {
      dependencies.logger.warn({ err: error, requestId: grant.requestId }, 'data-subject export download: stopped');
      res.destroy();
    }
  });
  app.get(COMPLIANCE_REPORT_DOWNLOAD_PATH, async (req, res, next) => {
    try {
      const grant = services.reports.openLink(String(req.query.token ?? ''));
      if (!(await linkHolderMay(dependencies, grant, 'compliance', 'read'))) {
        res.status(403).json({ error: { code: 'FORBIDDEN', message: 'You may no longer read this organization’s compliance reports' } });
        return;
      }
      const { pdf } = await services.reports.pdf(grant.organizationId, grant.standard);
      res.status(200);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="compliance-${grant.standard}-${grant.organizationId}-${new Date().toISOString().slice(0, 10)}.pdf"`,
      );
      res.setHeader('Cache-Control', 'no-store');
      res.end(pdf);
    } catch (error) {
      if (error instanceof CodedError) {
        res.status(HTTP_STATUS_BY_CODE[error.code]).json({ error: { code: error.code, message: error.message } });
        return;
      }
      next(error);
    }
  });
}
