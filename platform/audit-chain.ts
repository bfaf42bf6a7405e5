import { SUBGRAPH_SECRET_HEADER } from './subgraph-credential';

/** Audit's internal route that verifies an organization's chain for another subgraph (with the subgraph credential). */
export const AUDIT_CHAIN_VERIFICATION_PATH = '/internal/v1/audit/chain-verification';

/** What audit answers: whether the organization's chain verifies, how much was checked, and the first problem. */
export interface AuditChainStatus {
  valid: boolean;
  checkedEvents: number;
  lastSequence: number | null;
  /** `ALTERED`, `BROKEN_LINK`, `MISSING`, `TRUNCATED` or `BAD_CHECKPOINT`, with audit's explanation. */
  problem: { kind: string; sequence: number; message: string } | null;
}

/**
 * Asks audit (`auditOrigin`, with the subgraph credential) to verify an organization's whole
 * chain. A call between services, never made inside a transaction; null when audit does not
 * answer. The credential is read at the first call, so a process that never asks needs none.
 */
export function remoteAuditChainVerifier(
  auditOrigin: string,
  subgraphSecret: () => string,
  timeoutMs = 30_000,
): (organizationId: string) => Promise<AuditChainStatus | null> {
  return async (organizationId) => {
    const url = new URL(AUDIT_CHAIN_VERIFICATION_PATH, auditOrigin);
    url.searchParams.set('organization_id', organizationId);
    try {
      const response = await fetch(url, {
        headers: { [SUBGRAPH_SECRET_HEADER]: subgraphSecret() },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) return null;
      const body = (await response.json()) as Partial<AuditChainStatus>;
      if (typeof body.valid !== 'boolean' || typeof body.checkedEvents !== 'number') return null;
      return {
        valid: body.valid,
        checkedEvents: body.checkedEvents,
        lastSequence: body.lastSequence ?? null,
        problem: body.problem ? { kind: body.problem.kind, sequence: body.problem.sequence, message: body.problem.message } : null,
      };
    } catch {
      return null;
    }
  };
}
