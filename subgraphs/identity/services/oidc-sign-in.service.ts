import type * as Oidc from 'openid-client' with { 'resolution-mode': 'import' };
import type { ClientInfo } from '../../../platform/client-info';
import { BadUserInputError, CodedError, ServiceUnavailableError, UnauthenticatedError } from '../../../platform/errors';
import { SsoProviderType } from '../entities/sso-config.entity';
import type { SsoConfig } from '../entities/sso-config.entity';
import type { SignInStateStore } from './sign-in-state.store';
import type { SsoConfigService } from './sso-config.service';
import { identityFrom } from './sso-sign-in.service';
import type { SsoSignInOutcome, SsoSignInService } from './sso-sign-in.service';

export const OIDC_LOGIN_PATH = '/api/v1/auth/sso/oidc/login';
export const OIDC_CALLBACK_PATH = '/api/v1/auth/sso/oidc/callback';

/** A started sign-in waits this long for its callback. */
export const OIDC_SIGN_IN_TTL_MS = 10 * 60 * 1000;
/** An identity provider's discovery document is fetched again after this long (or after its configuration changed). */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const SCOPE = 'openid email profile';

/** What a started sign-in keeps server-side until its callback. */
interface PendingOidcSignIn {
  configId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/** openid-client 6 is ESM-only: loaded once, on the first sign-in. */
let openIdClient: Promise<typeof Oidc> | undefined;
const loadOpenIdClient = () => (openIdClient ??= import('openid-client'));

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, OpenID Connect Core 1.0 §3.1,
 * RFC 7636) with openid-client: `begin` discovers the provider, keeps state, nonce and the
 * PKCE verifier server-side and answers the authorization URL; `complete` takes them back
 * (once), exchanges the code, validates the ID token (signature, issuer, audience, expiry,
 * nonce) and hands the person to the SSO sign-in service.
 */
export class OidcSignInService {
  private readonly discovered = new Map<string, { at: number; configuration: Promise<Oidc.Configuration> }>();

  constructor(
    private readonly ssoConfigs: SsoConfigService,
    private readonly signIns: SsoSignInService,
    private readonly states: SignInStateStore,
    /** The callback URL registered at identity providers: `AUTH_PUBLIC_URL` + OIDC_CALLBACK_PATH. */
    readonly redirectUri: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Where to send the browser: the provider's authorization endpoint with this sign-in's
   * state, nonce and code challenge. The state goes to the browser in a cookie too, so the
   * callback is accepted only from the browser that started it (RFC 6749 §10.12).
   */
  async begin(configId: string): Promise<{ authorizationUrl: URL; state: string }> {
    const config = await this.ssoConfigs.forSignIn(configId, SsoProviderType.OIDC);
    const oidc = await loadOpenIdClient();
    const configuration = await this.configurationOf(config);
    const pending: PendingOidcSignIn = {
      configId: config.id,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      redirectUri: this.redirectUri,
    };
    await this.states.put(`oidc:${pending.state}`, pending, OIDC_SIGN_IN_TTL_MS);
    const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: pending.redirectUri,
      scope: SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl, state: pending.state };
  }

  /**
   * The provider's redirect back (`code`, `state`, or `error`) with the state the browser's
   * cookie holds: a session (or the MFA challenge before it), or a refusal that is also an
   * audit fact. `client` is the browser's address and user agent, which the session records.
   */
  async complete(query: URLSearchParams, browserState: string | undefined, client?: ClientInfo): Promise<SsoSignInOutcome> {
    const state = query.get('state');
    if (!state) throw new BadUserInputError('state: is required (the identity provider sends it back with the code)', 'state');
    const pending = state.length <= 256 ? await this.states.take<PendingOidcSignIn>(`oidc:${state}`) : undefined;
    if (!pending) {
      throw new UnauthenticatedError('This sign-in is unknown, already used or expired (state): start it again', {
        reason: 'invalid_state',
      });
    }
    const config = await this.ssoConfigs.forSignIn(pending.configId, SsoProviderType.OIDC);
    // A callback link opened in another browser (one an attacker started and sent) signs nobody in there.
    if (browserState !== pending.state) {
      throw await this.signIns.refused(
        config,
        'invalid_state',
        'This sign-in was started in another browser (its state cookie is missing or different): start it again here',
      );
    }
    const providerError = query.get('error');
    if (providerError) {
      const description = query.get('error_description');
      throw await this.signIns.refused(
        config,
        'provider_error',
        `The identity provider did not sign you in: ${providerError.slice(0, 100)}${description ? ` (${description.slice(0, 300)})` : ''}`,
      );
    }
    const oidc = await loadOpenIdClient();
    const configuration = await this.configurationOf(config).catch(async (error: unknown) => {
      await this.signIns.refused(config, 'provider_error', "The identity provider's discovery document could not be read");
      throw error;
    });
    const currentUrl = new URL(pending.redirectUri);
    currentUrl.search = query.toString();
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = { ...tokens.claims()! };
      // Scope-requested claims may come only from the UserInfo endpoint (OpenID Connect Core 1.0 §5.4).
      if (claims[config.attributeMapping.email] === undefined && tokens.access_token) {
        const userInfo = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub as string);
        claims = { ...userInfo, ...claims };
      }
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError) {
        throw await this.signIns.refused(
          config,
          'code_refused',
          `The identity provider refused the authorization code (${error.error}${error.error_description ? `: ${error.error_description}` : ''}): start the sign-in again`,
        );
      }
      if (isUnreachable(error)) {
        await this.signIns.refused(config, 'provider_error', 'The identity provider did not answer the token request');
        throw new ServiceUnavailableError('identity provider', 'The identity provider did not answer: retry the sign-in shortly');
      }
      // openid-client words the check that failed generally; its cause names it (`unexpected ID Token "nonce" claim value`).
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error && cause.message !== (error as Error).message ? `: ${cause.message}` : '';
      throw await this.signIns.refused(
        config,
        'invalid_id_token',
        `The identity provider's ID token is not valid (${(error as Error).message}${detail})`.slice(0, 300),
      );
    }
    return this.signIns.complete(config, identityFrom(claims, config), client);
  }

  /** The provider's discovered configuration, cached per configuration version; a failed discovery is SERVICE_UNAVAILABLE. */
  private async configurationOf(config: SsoConfig): Promise<Oidc.Configuration> {
    const key = `${config.id}:${config.updatedAt.getTime()}`;
    const cached = this.discovered.get(key);
    if (cached && cached.at + DISCOVERY_TTL_MS > this.now()) return cached.configuration;
    const oidc = await loadOpenIdClient();
    const issuer = new URL(config.oidcIssuer!);
    const secret = this.ssoConfigs.clientSecretOf(config);
    const configuration = oidc.discovery(issuer, config.oidcClientId!, secret, secret ? undefined : oidc.None(), {
      // The ID token's signature is checked though it comes straight from the token endpoint
      // (OpenID Connect Core 1.0 §3.1.3.7 lets TLS stand in for it; openid-client skips it by
      // default): a token altered on the way, or by a proxy, is refused. Configurations accept
      // http only for this machine (a local identity provider).
      execute: [oidc.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [])],
      timeout: 10,
    });
    for (const [other] of this.discovered) if (other.startsWith(`${config.id}:`)) this.discovered.delete(other);
    this.discovered.set(key, { at: this.now(), configuration });
    try {
      return await configuration;
    } catch (error) {
      this.discovered.delete(key);
      if (error instanceof CodedError) throw error;
      throw new ServiceUnavailableError(
        'identity provider',
        `The identity provider's discovery document at ${issuer.origin} could not be read: retry shortly, or check the configuration's issuer`,
      );
    }
  }
}

function isUnreachable(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}
