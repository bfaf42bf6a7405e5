// The gateway forwards /api/v1/auth/* here with the path unchanged (gateway/forwarded-routes.ts).
import express from 'express';
import type { CookieOptions, Express, NextFunction, Request, Response } from 'express';
import { ADMIN_ALLOWLIST_PATH } from '../../platform/auth/admin-networks';
import { API_KEY_VERIFY_PATH, principalToJson } from '../../platform/auth/api-keys';
import { directClient, forwardedClient } from '../../platform/client-info';
import type { ClientInfo } from '../../platform/client-info';
import { BadUserInputError, CodedError, HTTP_STATUS_BY_CODE, NotFoundError, RateLimitedError } from '../../platform/errors';
import { carriesSubgraphSecret, subgraphSecretFor } from '../../platform/subgraph-credential';
import type { SubgraphDependencies } from '../../platform/subgraph';
import type { IdentityServices } from './services';
import { MFA_ENROLL_PATH, MFA_VERIFY_PATH } from './services/mfa-sign-in.service';
import type { MfaSignedIn } from './services/mfa-sign-in.service';
import type { MfaProof } from './services/mfa.service';
import { OIDC_CALLBACK_PATH, OIDC_LOGIN_PATH, OIDC_SIGN_IN_TTL_MS } from './services/oidc-sign-in.service';
import { MAX_SAML_RESPONSE_BYTES, SAML_CALLBACK_PATH, SAML_LOGIN_PATH, SAML_METADATA_PATH } from './services/saml-sign-in.service';
import type { SamlPostedForm } from './services/saml-sign-in.service';
import type { SsoSignInOutcome } from './services/sso-sign-in.service';
import { isRefreshToken } from './services/session.service';
import { sendSignedInPage } from './signed-in-page';
import type { SignedIn } from './services/session.service';

export const TOKEN_REFRESH_PATH = '/api/v1/auth/token/refresh';
export const LOGOUT_PATH = '/api/v1/auth/logout';

/** A body holds one token: a few hundred bytes is plenty. */
const AUTH_BODY_LIMIT = '4kb';

/** The coded JSON error every route answers with, in the shape of a GraphQL error (`errors[].extensions.code`). */
export function sendError(res: Response, error: CodedError): void {
  if (error instanceof RateLimitedError) res.set('Retry-After', String(error.retryAfterSeconds));
  res
    .status(HTTP_STATUS_BY_CODE[error.code])
    .set('Cache-Control', 'no-store')
    .json({ errors: [{ message: error.message, extensions: error.extensions }] });
}

/** The refresh token of a JSON body `{ "refresh_token": "rt_…" }`, or BAD_USER_INPUT naming the field. */
function refreshTokenOf(req: Request): string {
  const body = req.body as unknown;
  if (!req.is('application/json') || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadUserInputError('Send a JSON object: {"refresh_token": "rt_…"} with Content-Type: application/json');
  }
  const token = (body as { refresh_token?: unknown }).refresh_token;
  if (typeof token !== 'string' || token === '') {
    throw new BadUserInputError('refresh_token: is required (the refresh token sign-in or the last refresh answered)', 'refresh_token');
  }
  if (!isRefreshToken(token)) throw new BadUserInputError('refresh_token: is not a refresh token (rt_ and 43 characters)', 'refresh_token');
  return token;
}

/** The token answer of a refresh and of a sign-in (the fields of an OAuth 2.0 token response, RFC 6749 §5.1, and the session id). */
function tokenAnswer(signedIn: SignedIn) {
  return {
    access_token: signedIn.accessToken.token,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.round((signedIn.accessToken.expiresAt.getTime() - Date.now()) / 1000)),
    expires_at: signedIn.accessToken.expiresAt.toISOString(),
    refresh_token: signedIn.refreshToken,
    session_id: signedIn.sessionId,
  };
}

/**
 * The answer of a completed SSO callback: the session's tokens, or (200 as well, no tokens) the
 * MFA challenge to answer at `POST /api/v1/auth/mfa/verify`.
 */
function signInAnswer(outcome: SsoSignInOutcome | MfaSignedIn) {
  if (outcome.kind === 'mfa_required') {
    return {
      mfa_required: true,
      mfa_token: outcome.mfaToken,
      mfa_enrollment_required: outcome.enrollmentRequired,
      expires_in: Math.max(0, Math.round((outcome.expiresAt.getTime() - Date.now()) / 1000)),
      user_id: outcome.userId,
      organization_id: outcome.organizationId,
    };
  }
  return {
    ...tokenAnswer(outcome),
    user_id: outcome.userId,
    organization_id: outcome.organizationId,
    provisioned: outcome.provisioned,
    ...('recoveryCodes' in outcome && outcome.recoveryCodes ? { recovery_codes: outcome.recoveryCodes } : {}),
  };
}

/**
 * How both SSO callbacks answer: a browser the provider sent back gets a page saying who signed
 * in; an application asking for JSON, the tokens, or the MFA challenge to answer first.
 */
async function answerSignIn(req: Request, res: Response, services: IdentityServices, outcome: SsoSignInOutcome): Promise<void> {
  if (outcome.kind !== 'mfa_required' && req.accepts(['json', 'html']) === 'html') return sendSignedInPage(res, services, outcome);
  res.set('Cache-Control', 'no-store').json(signInAnswer(outcome));
}

/** The client a request speaks for: the one the gateway names (with its credential), else the socket's peer. */
function clientOf(req: Request, secret: string): ClientInfo {
  return carriesSubgraphSecret(req.headers, secret) ? forwardedClient(req.headers) : directClient(req.socket.remoteAddress, req.headers);
}

/** `{ mfa_token, code }` or `{ mfa_token, recovery_code }`, or BAD_USER_INPUT naming the field. */
function mfaBodyOf(req: Request, needsProof: boolean): { mfaToken: string; proof: MfaProof } {
  const body = req.body as unknown;
  if (!req.is('application/json') || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadUserInputError('Send a JSON object: {"mfa_token": "mfa_…", "code": "123456"} with Content-Type: application/json');
  }
  const { mfa_token: mfaToken, code, recovery_code: recoveryCode } = body as Record<string, unknown>;
  if (typeof mfaToken !== 'string' || mfaToken === '') {
    throw new BadUserInputError('mfa_token: is required (the one the sign-in answered)', 'mfa_token');
  }
  if (!needsProof) return { mfaToken, proof: { code: '' } };
  if (typeof code === 'string' && recoveryCode === undefined) return { mfaToken, proof: { code } };
  if (typeof recoveryCode === 'string' && code === undefined) return { mfaToken, proof: { recoveryCode } };
  throw new BadUserInputError('code: send either code (six digits of your authenticator app) or recovery_code', 'code');
}

/** The cookie that binds a sign-in's state to the browser that started it (RFC 6749 §10.12). */
const SSO_STATE_COOKIE = 'auralink_sso_state';

/**
 * Only for the SSO routes, never readable by scripts; `SameSite=Lax` so the provider's
 * top-level redirect back carries it; `Secure` when the public origin is https.
 */
function stateCookieOptions(secure: boolean, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/api/v1/auth/sso/', secure, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

/** One cookie of the request (express parses no cookies by itself). */
function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

/** Runs a route; a coded error becomes its JSON answer, anything else goes to the JSON error handler (500, no detail). */
function route(handler: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof CodedError) return sendError(res, error);
      next(error);
    }
  };
}

/**
 * Identity's HTTP routes beside /graphql:
 * - `GET /.well-known/jwks.json`: the public keys every service verifies session tokens with (RFC 7517);
 * - `POST /api/v1/auth/token/refresh` `{ refresh_token }`: a new access token and the next
 *   refresh token (the one sent is used up); 401 for an unknown, used, idle or expired one;
 * - `POST /api/v1/auth/logout` `{ refresh_token }`: ends the session.
 * - `GET /api/v1/auth/sso/oidc/login?config_id=sso_…`: 302 to the configuration's OpenID
 *   provider; 404 for an unknown or disabled configuration.
 * - `GET /api/v1/auth/sso/oidc/callback?code=…&state=…`: where the provider sends the browser
 *   back; answers the tokens of the new session as JSON (a browser asking for HTML: a page
 *   saying who signed in, with the access token), the MFA challenge to answer first, or a coded
 *   JSON error.
 * - `GET /api/v1/auth/sso/saml/login?config_id=sso_…`: 302 to the configuration's SAML identity
 *   provider with an AuthnRequest; 404 for an unknown or disabled configuration.
 * - `POST /api/v1/auth/sso/saml/callback` (form: `SAMLResponse`, `RelayState`): the ACS the
 *   provider's page posts to; answers as the OIDC callback does.
 * - `GET /api/v1/auth/sso/saml/metadata/:configId`: the service provider's metadata XML.
 * - `POST /api/v1/auth/mfa/enroll` `{ mfa_token }`: the secret and otpauth:// URI of the
 *   enrolment a challenge requires.
 * - `POST /api/v1/auth/mfa/verify` `{ mfa_token, code | recovery_code }`: completes the sign-in
 *   (the session's tokens, and the recovery codes of an enrolment it completed).
 * The sign-in routes count failures per address and member (429 with Retry-After when spent).
 * - `POST /internal/v1/api-keys/verify` `{ key }`: who an API key stands for, for the other
 *   processes' token checks; only with the subgraph credential (the gateway does not forward it).
 * - `GET /internal/v1/admin-ip-allowlist?organization_id=`: an organization's admin IP
 *   allowlist, for the other processes' mutation checks; only with the subgraph credential.
 * The gateway forwards `/api/v1/auth/*` here with the path unchanged, within its rate limit.
 */
export function identityRoutes(app: Express, services: IdentityServices, dependencies: SubgraphDependencies): void {
  const secureCookies = dependencies.config.auth.publicUrl.startsWith('https:');
  app.get('/.well-known/jwks.json', async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(await services.signingKeys.publicKeySet());
  });

  const parse = express.json({ limit: AUTH_BODY_LIMIT });
  const json = (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const { status, type } = error as { status?: number; type?: string };
      if (status === 413) return sendError(res, new BadUserInputError(`Request body is too large (at most ${AUTH_BODY_LIMIT})`));
      if (type === 'entity.parse.failed') return sendError(res, new BadUserInputError('Request body is not valid JSON'));
      next(error);
    });
  app.post(
    TOKEN_REFRESH_PATH,
    json,
    route(async (req, res) => {
      const signedIn = await services.sessions.refresh(refreshTokenOf(req));
      res.set('Cache-Control', 'no-store').json(tokenAnswer(signedIn));
    }),
  );
  const secret = subgraphSecretFor(dependencies.config);
  app.post(
    API_KEY_VERIFY_PATH,
    json,
    route(async (req, res) => {
      if (!carriesSubgraphSecret(req.headers, secret)) {
        throw new NotFoundError('Route', `${req.method} ${req.path}`);
      }
      const key = (req.body as { key?: unknown } | undefined)?.key;
      if (typeof key !== 'string') throw new BadUserInputError('key: is required', 'key');
      res.set('Cache-Control', 'no-store').json({ principal: principalToJson(await services.apiKeys.verify(key)) });
    }),
  );
  app.get(
    ADMIN_ALLOWLIST_PATH,
    route(async (req, res) => {
      if (!carriesSubgraphSecret(req.headers, secret)) {
        throw new NotFoundError('Route', `${req.method} ${req.path}`);
      }
      const organizationId = req.query.organization_id;
      if (typeof organizationId !== 'string') throw new BadUserInputError('organization_id: is required', 'organization_id');
      res.set('Cache-Control', 'no-store').json({ cidrs: await services.adminIpAllowlists.get(organizationId) });
    }),
  );
  app.get(
    OIDC_LOGIN_PATH,
    route(async (req, res) => {
      const configId = req.query.config_id;
      if (typeof configId !== 'string' || configId === '') {
        throw new BadUserInputError('config_id: is required (the id of an SSO configuration, sso_…)', 'config_id');
      }
      const { authorizationUrl, state } = await services.oidcSignIn.begin(configId);
      res
        .status(302)
        .set('Cache-Control', 'no-store')
        .cookie(SSO_STATE_COOKIE, state, stateCookieOptions(secureCookies, OIDC_SIGN_IN_TTL_MS))
        .location(authorizationUrl.toString())
        .end();
    }),
  );
  app.get(
    OIDC_CALLBACK_PATH,
    route(async (req, res) => {
      const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
      // Used up either way: the cookie goes with the answer.
      res.clearCookie(SSO_STATE_COOKIE, stateCookieOptions(secureCookies));
      const client = clientOf(req, secret);
      const outcome = await services.signInProtection.attempt(client.ip, () =>
        services.oidcSignIn.complete(query, cookieOf(req, SSO_STATE_COOKIE), client),
      );
      await answerSignIn(req, res, services, outcome);
    }),
  );
  app.get(
    SAML_LOGIN_PATH,
    route(async (req, res) => {
      const configId = req.query.config_id;
      if (typeof configId !== 'string' || configId === '') {
        throw new BadUserInputError('config_id: is required (the id of an SSO configuration, sso_…)', 'config_id');
      }
      const redirect = await services.samlSignIn.begin(configId);
      res.status(302).set('Cache-Control', 'no-store').location(redirect.toString()).end();
    }),
  );
  app.get(
    `${SAML_METADATA_PATH}/:configId`,
    route(async (req, res) => {
      const metadata = await services.samlSignIn.metadata(String(req.params.configId));
      res.set('Cache-Control', 'no-store').type('application/samlmetadata+xml').send(metadata);
    }),
  );
  // Base64, then the form's percent-encoding, grow the response; the service checks its decoded size.
  const parseForm = express.urlencoded({ extended: false, limit: 2 * MAX_SAML_RESPONSE_BYTES, parameterLimit: 10 });
  app.post(
    SAML_CALLBACK_PATH,
    (req: Request, res: Response, next: NextFunction) =>
      parseForm(req, res, (error?: unknown) => {
        if (!error) return next();
        const { status, type } = error as { status?: number; type?: string };
        if (type === 'entity.too.large') return sendError(res, new BadUserInputError('SAMLResponse: is too large', 'SAMLResponse'));
        if (status && status < 500)
          return sendError(res, new BadUserInputError('Send the form the identity provider posts (SAMLResponse, RelayState)'));
        next(error);
      }),
    route(async (req, res) => {
      const form = (req.is('application/x-www-form-urlencoded') ? req.body : {}) as SamlPostedForm;
      const client = clientOf(req, secret);
      const outcome = await services.signInProtection.attempt(client.ip, () => services.samlSignIn.complete(form, client));
      await answerSignIn(req, res, services, outcome);
    }),
  );
  app.post(
    MFA_ENROLL_PATH,
    json,
    route(async (req, res) => {
      const { mfaToken } = mfaBodyOf(req, false);
      const client = clientOf(req, secret);
      const enrollment = await services.signInProtection.attempt(client.ip, () => services.mfaSignIn.enroll(mfaToken));
      res.set('Cache-Control', 'no-store').json({
        secret: enrollment.secret,
        otpauth_uri: enrollment.otpauthUri,
        expires_in: Math.max(0, Math.round((enrollment.expiresAt.getTime() - Date.now()) / 1000)),
      });
    }),
  );
  app.post(
    MFA_VERIFY_PATH,
    json,
    route(async (req, res) => {
      const { mfaToken, proof } = mfaBodyOf(req, true);
      const client = clientOf(req, secret);
      const signedIn = await services.signInProtection.attempt(client.ip, () => services.mfaSignIn.verify(mfaToken, proof, client));
      res.set('Cache-Control', 'no-store').json(signInAnswer(signedIn));
    }),
  );
  app.post(
    LOGOUT_PATH,
    json,
    route(async (req, res) => {
      const ended = await services.sessions.logout(refreshTokenOf(req));
      res.set('Cache-Control', 'no-store').json({ session_ended: ended });
    }),
  );
}
