import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

export type SecurityHeaders = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Security headers on every response of every process (helmet): `nosniff`, no framing
 * (`frame-ancestors 'none'` and `X-Frame-Options: DENY`), no referrer, and a content
 * security policy that allows nothing, which suits JSON. HSTS only when `hstsMaxAgeSeconds`
 * is set: browsers remember it, so it belongs behind TLS.
 *
 * `explorer`: the gateway's development explorer (Apollo Sandbox, an HTML page that loads its
 * scripts from Apollo's CDN) is served with the same headers but no content security
 * policy, and may be framed by its own origin.
 */
export function securityHeaders(options: { hstsMaxAgeSeconds: number; explorer?: boolean }): SecurityHeaders {
  const strictTransportSecurity = options.hstsMaxAgeSeconds > 0 ? { maxAge: options.hstsMaxAgeSeconds, includeSubDomains: true } : false;
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity,
    xFrameOptions: { action: 'deny' },
  });
  if (!options.explorer) return api;
  const explorer = helmet({ contentSecurityPolicy: false, strictTransportSecurity, xFrameOptions: { action: 'sameorigin' } });
  return (req, res, next) => (wantsExplorer(req) ? explorer(req, res, next) : api(req, res, next));
}

/** What Apollo Server answers with its landing page: a GET from a browser asking for HTML. */
function wantsExplorer(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}
