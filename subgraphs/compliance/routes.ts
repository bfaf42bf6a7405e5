import type { Express } from 'express';
import { CodedError, HTTP_STATUS_BY_CODE } from '../../platform/errors';
import { linkHolderMay } from '../../platform/link-access';
import type { SubgraphDependencies } from '../../platform/subgraph';
import type { ComplianceServices } from './services';
import { COMPLIANCE_REPORT_DOWNLOAD_PATH } from './services/compliance-report.service';

/**
 * `GET /api/v1/compliance/reports/download?token=…` on compliance's HTTP server: the link
 * `complianceReportPdf` gave. The token is the grant (HMAC-signed, expiring); the person it
 * names must still be a member holding `compliance:read`. The report is made now, as a PDF.
 */
export function complianceRoutes(app: Express, services: ComplianceServices, dependencies: SubgraphDependencies): void {
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
