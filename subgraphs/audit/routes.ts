import type { Express } from 'express';
import { CodedError, HTTP_STATUS_BY_CODE } from '../../platform/errors';
import { AUDIT_CHAIN_VERIFICATION_PATH } from '../../platform/audit-chain';
import type { AuditChainStatus } from '../../platform/audit-chain';
import { linkHolderMay } from '../../platform/link-access';
import { carriesSubgraphSecret, subgraphSecretFor } from '../../platform/subgraph-credential';
import { streamWriter } from '../../platform/stream-writer';
import type { SubgraphDependencies } from '../../platform/subgraph';
import type { AuditServices } from './services';
import { EXPORT_DOWNLOAD_PATH } from './services/export.service';

/**
 * `GET /api/v1/audit/exports/download?token=…` on audit's HTTP server: the link
 * `exportAuditLogs` returned. The token is the grant (HMAC-signed, expiring); the person it
 * names must still be a member holding `audit:export` in the organization when the download starts.
 * 403 for a bad, expired or no longer permitted link; otherwise 200, streamed.
 */
export function auditRoutes(app: Express, services: AuditServices, dependencies: SubgraphDependencies): void {
  app.get(EXPORT_DOWNLOAD_PATH, async (req, res, next) => {
    const refuse = (error: CodedError) => {
      res.status(HTTP_STATUS_BY_CODE[error.code]).json({ error: { code: error.code, message: error.message } });
    };
    let grant;
    try {
      grant = services.exports.open(String(req.query.token ?? ''));
      const allowed = await linkHolderMay(dependencies, grant, 'audit', 'export');
      if (!allowed) {
        res.status(403).json({ error: { code: 'FORBIDDEN', message: 'You may no longer export this organization’s audit log' } });
        return;
      }
    } catch (error) {
      if (error instanceof CodedError) return refuse(error);
      return next(error);
    }
    const extension = grant.format === 'csv' ? 'csv' : 'jsonl';
    res.status(200);
    res.setHeader('Content-Type', grant.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${grant.organizationId}.${extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    try {
      await services.exports.stream(grant, streamWriter(res), aborted.signal);
      res.end();
    } catch (error) {
      dependencies.logger.warn({ err: error, organizationId: grant.organizationId }, 'audit export: stopped');
      // Headers are gone: cutting the connection tells the client the file is incomplete.
      res.destroy();
    }
  });

  // For compliance's report: the organization's whole chain, verified here, asked with the subgraph credential.
  const secret = subgraphSecretFor(dependencies.config);
  app.get(AUDIT_CHAIN_VERIFICATION_PATH, async (req, res, next) => {
    try {
      if (!carriesSubgraphSecret(req.headers, secret)) {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.path}` } });
        return;
      }
      const organizationId = req.query.organization_id;
      if (typeof organizationId !== 'string' || organizationId === '') {
        res.status(400).json({ error: { code: 'BAD_USER_INPUT', message: 'organization_id: is required' } });
        return;
      }
      const result = await services.verification.verify(organizationId, null, null);
      const status: AuditChainStatus = {
        valid: result.valid,
        checkedEvents: result.checkedEvents,
        lastSequence: result.lastSequence,
        problem: result.problem ? { kind: result.problem.kind, sequence: result.problem.sequence, message: result.problem.message } : null,
      };
      res.set('Cache-Control', 'no-store').json(status);
    } catch (error) {
      next(error);
    }
  });
}
