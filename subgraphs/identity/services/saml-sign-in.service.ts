import { SAML, SamlStatusError, ValidateInResponseTo } from '@node-saml/node-saml';
import type { CacheProvider, Profile } from '@node-saml/node-saml';
import type { ClientInfo } from '../../../platform/client-info';
import { BadUserInputError, UnauthenticatedError } from '../../../platform/errors';
import { isId } from '../../../platform/ids';
import type { SsoLoginFailureReason } from '../../../platform/outbox/event-catalogue';
import { SsoProviderType } from '../entities/sso-config.entity';
import type { SsoConfig } from '../entities/sso-config.entity';
import { elements, parseSamlXml } from './saml-metadata';
import type { XmlElement } from './saml-metadata';
import type { SignInStateStore } from './sign-in-state.store';
import type { SsoConfigService } from './sso-config.service';
import { identityFrom } from './sso-sign-in.service';
import type { SsoSignInOutcome, SsoSignInService } from './sso-sign-in.service';

export const SAML_LOGIN_PATH = '/api/v1/auth/sso/saml/login';
export const SAML_CALLBACK_PATH = '/api/v1/auth/sso/saml/callback';
/** Followed by `/<config id>`: the service provider's metadata, and its entity id. */
export const SAML_METADATA_PATH = '/api/v1/auth/sso/saml/metadata';

/** A started sign-in waits this long for the identity provider's response. */
export const SAML_REQUEST_TTL_MS = 10 * 60 * 1000;
/** Clocks of the identity provider and ours may differ by this much. */
export const SAML_CLOCK_SKEW_MS = 60 * 1000;
/** An assertion is accepted at most this long after it was issued, whatever its NotOnOrAfter says. */
export const SAML_MAX_ASSERTION_AGE_MS = 5 * 60 * 1000;
/** A response is a few kilobytes; the ACS reads at most this much. */
export const MAX_SAML_RESPONSE_BYTES = 256 * 1024;

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** What a started sign-in keeps server-side until the response: the AuthnRequest's id, for InResponseTo. */
interface PendingSamlSignIn {
  configId: string;
  requestId: string;
  /** The AuthnRequest's IssueInstant. */
  issuedAt: string;
}

/** The form the identity provider's page posts to the ACS (HTTP-POST binding, SAML 2.0 Bindings §3.5). */
export interface SamlPostedForm {
  SAMLResponse?: unknown;
  RelayState?: unknown;
}

/** A refusal found while reading the response: its reason and what to tell the person. */
class Refusal extends Error {
  constructor(
    readonly reason: SsoLoginFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * SAML 2.0 sign-in as a service provider (Web Browser SSO profile, SAML 2.0 Profiles §4.1),
 * with @node-saml/node-saml: `begin` answers the identity provider's address with an
 * AuthnRequest (HTTP-Redirect binding) whose id is kept server-side; `complete` reads the
 * response the provider's page posts to the ACS. node-saml checks the assertion's signature
 * against each of the configuration's certificates (any one validates, so a provider can
 * rotate its key), InResponseTo, the time window and the audience; this service then checks
 * what node-saml leaves to its caller (issuer, Destination, bearer Recipient) and that the
 * assertion was never used before, and hands the person to the SSO sign-in service. Every
 * refusal through a known configuration is a fact on the outbox.
 */
export class SamlSignInService {
  /** The assertion consumer service: where every configuration's identity provider posts. */
  readonly acsUrl: string;

  constructor(
    private readonly ssoConfigs: SsoConfigService,
    private readonly signIns: SsoSignInService,
    private readonly states: SignInStateStore,
    /** `AUTH_PUBLIC_URL`: the origin the browser sees. */
    private readonly publicUrl: string,
    private readonly now: () => number = Date.now,
  ) {
    this.acsUrl = `${publicUrl}${SAML_CALLBACK_PATH}`;
  }

  /** Our entity id for one configuration (also the address of its metadata), the audience its assertions must name. */
  entityIdOf(configId: string): string {
    return `${this.publicUrl}${SAML_METADATA_PATH}/${configId}`;
  }

  /** Where to send the browser: the provider's single sign-on URL with a deflated AuthnRequest and the configuration as RelayState. */
  async begin(configId: string): Promise<URL> {
    const config = await this.ssoConfigs.forSignIn(configId, SsoProviderType.SAML);
    const keeper: CacheProvider = {
      // node-saml hands over the id and instant of the request it builds.
      saveAsync: async (requestId, issuedAt) => {
        const pending: PendingSamlSignIn = { configId: config.id, requestId, issuedAt };
        await this.states.put(`saml:${requestId}`, pending, SAML_REQUEST_TTL_MS);
        return { value: issuedAt, createdAt: this.now() };
      },
      getAsync: async () => null,
      removeAsync: async () => null,
    };
    return new URL(await this.samlFor(config, keeper).getAuthorizeUrlAsync(config.id, undefined, {}));
  }

  /** The service provider's metadata (SAML 2.0 Metadata §2.4.4) for the identity provider's administrator. */
  async metadata(configId: string): Promise<string> {
    const config = await this.ssoConfigs.forSignIn(configId, SsoProviderType.SAML);
    return this.samlFor(config, inertCache).generateServiceProviderMetadata(null, null);
  }

  /** The form posted to the ACS: a session, or a refusal (stated as a fact when a configuration is known). */
  async complete(form: SamlPostedForm, client?: ClientInfo): Promise<SsoSignInOutcome> {
    const encoded = form.SAMLResponse;
    if (typeof encoded !== 'string' || encoded.trim() === '') {
      throw new BadUserInputError('SAMLResponse: is required (the identity provider posts it to this address)', 'SAMLResponse');
    }
    const relayState = typeof form.RelayState === 'string' ? form.RelayState : undefined;
    // RelayState names the configuration the sign-in began with (`begin`): it is read while the
    // request is taken, and used only when it is the one the request itself was made for.
    const named = this.configNamedBy(relayState);
    let response: { inResponseTo: string | null; destination: string | null };
    try {
      response = readResponse(encoded);
    } catch (error) {
      throw await this.refusedBeforeRequest(named, 'invalid_saml_response', `The SAML response ${(error as Error).message}`);
    }
    // Taken once: the same response posted again, or two at once, finds nothing the second time.
    const pending =
      response.inResponseTo && response.inResponseTo.length <= 256
        ? await this.states.take<PendingSamlSignIn>(`saml:${response.inResponseTo}`)
        : undefined;
    if (!pending) {
      throw await this.refusedBeforeRequest(
        named,
        'invalid_in_response_to',
        response.inResponseTo
          ? 'This SAML response answers no sign-in under way here (its InResponseTo is unknown, already used or expired): start the sign-in again'
          : 'This SAML response answers no sign-in started here (no InResponseTo): start the sign-in from this application',
      );
    }
    const hinted = await named;
    const config = hinted?.id === pending.configId ? hinted : await this.ssoConfigs.forSignIn(pending.configId, SsoProviderType.SAML);
    try {
      return await this.signIns.complete(config, await this.validate(config, pending, encoded, response.destination), client);
    } catch (error) {
      if (error instanceof Refusal) throw await this.signIns.refused(config, error.reason, error.message);
      throw error;
    }
  }

  /** The person a valid response vouches for, or a Refusal. */
  private async validate(config: SsoConfig, pending: PendingSamlSignIn, encoded: string, destination: string | null) {
    const answering: CacheProvider = {
      saveAsync: async () => null,
      getAsync: async (requestId) => (requestId === pending.requestId ? pending.issuedAt : null),
      removeAsync: async () => null,
    };
    let profile: Profile;
    try {
      const { profile: found } = await this.samlFor(config, answering).validatePostResponseAsync({ SAMLResponse: encoded });
      if (!found) throw new Error('Missing SAML assertion');
      profile = found;
    } catch (error) {
      throw refusalOf(error);
    }
    // Read from the signed bytes only (node-saml hands back what the signature covers).
    let assertion: ReturnType<typeof readAssertion>;
    try {
      assertion = readAssertion(profile.getAssertionXml!());
    } catch (error) {
      throw new Refusal('invalid_saml_response', `The SAML assertion ${(error as Error).message}`);
    }
    if (profile.issuer !== config.samlEntityId) {
      throw new Refusal(
        'wrong_issuer',
        `The SAML assertion was issued by "${String(profile.issuer).slice(0, 200)}", not by ${config.samlEntityId}`,
      );
    }
    // SAML 2.0 Core §3.2.2: a response names where it was sent; one meant for another service provider is not ours.
    if (destination !== this.acsUrl) {
      throw new Refusal(
        'wrong_destination',
        `The SAML response was sent to ${destination ? `"${destination.slice(0, 200)}"` : 'no Destination'}, not to ${this.acsUrl}`,
      );
    }
    // SAML 2.0 Profiles §4.1.4.3: a bearer confirmation whose Recipient is this ACS.
    if (!assertion.bearerRecipients.includes(this.acsUrl)) {
      throw new Refusal(
        'wrong_recipient',
        `The SAML assertion's bearer confirmation names ${assertion.bearerRecipients.length ? `"${assertion.bearerRecipients.join('", "').slice(0, 200)}"` : 'no Recipient'}, not ${this.acsUrl}`,
      );
    }
    const issuedAt = Date.parse(assertion.issueInstant ?? '');
    if (Number.isNaN(issuedAt) || issuedAt > this.now() + SAML_CLOCK_SKEW_MS) {
      throw new Refusal('expired_assertion', 'The SAML assertion has no IssueInstant, or one in the future');
    }
    if (!assertion.id || assertion.id.length > 256) throw new Refusal('invalid_saml_response', 'The SAML assertion has no usable ID');
    // An assertion is accepted at most SAML_MAX_ASSERTION_AGE_MS after it was issued (node-saml's
    // maxAssertionAgeMs), issued at most the skew ahead: remembering its id that long covers its life.
    const remembered = await this.states.claim(
      `saml-assertion:${config.id}:${assertion.id}`,
      SAML_MAX_ASSERTION_AGE_MS + 2 * SAML_CLOCK_SKEW_MS,
    );
    if (!remembered) throw new Refusal('replayed_assertion', 'This SAML assertion was already used to sign in: start the sign-in again');

    const claims: Record<string, unknown> = { ...((profile.attributes as Record<string, unknown> | undefined) ?? {}) };
    const emailAttribute = config.attributeMapping.email;
    if (claims[emailAttribute] === undefined && profile.nameIDFormat === EMAIL_NAME_ID) claims[emailAttribute] = profile.nameID;
    return identityFrom(claims, config);
  }

  /** The enabled SAML configuration RelayState names, if it names one. */
  private async configNamedBy(relayState: string | undefined): Promise<SsoConfig | undefined> {
    return relayState && isId('ssoConfig', relayState)
      ? this.ssoConfigs.forSignIn(relayState, SsoProviderType.SAML).catch(() => undefined)
      : undefined;
  }

  /** A refusal before the request is known: a fact only when RelayState names an enabled SAML configuration. */
  private async refusedBeforeRequest(named: Promise<SsoConfig | undefined>, reason: SsoLoginFailureReason, detail: string) {
    const config = await named;
    return config ? this.signIns.refused(config, reason, detail) : new UnauthenticatedError(detail, { reason });
  }

  private samlFor(config: SsoConfig, cacheProvider: CacheProvider): SAML {
    return new SAML({
      entryPoint: config.samlSsoUrl!,
      issuer: this.entityIdOf(config.id),
      audience: this.entityIdOf(config.id),
      callbackUrl: this.acsUrl,
      idpCert: config.samlCertificates,
      // The assertion itself must be signed; a signature on the response alone is not enough.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: SAML_CLOCK_SKEW_MS,
      maxAssertionAgeMs: SAML_MAX_ASSERTION_AGE_MS,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
      cacheProvider,
      // The provider chooses the NameID format and how the person authenticates (MFA included).
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }
}

const inertCache: CacheProvider = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null };

/** The response's envelope, read before any signature check only to find the request it answers and where it was sent. */
function readResponse(encoded: string): { inResponseTo: string | null; destination: string | null } {
  const compact = encoded.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('is not base64');
  if ((compact.length * 3) / 4 > MAX_SAML_RESPONSE_BYTES) throw new Error(`is larger than ${MAX_SAML_RESPONSE_BYTES / 1024} KB`);
  const document = parseSamlXml(Buffer.from(compact, 'base64').toString('utf8'), 'a SAML response');
  const root = document.documentElement;
  if (root.localName !== 'Response' || root.namespaceURI !== PROTOCOL_NS) throw new Error('is not a SAML 2.0 Response');
  return { inResponseTo: root.getAttribute('InResponseTo') || null, destination: root.getAttribute('Destination') || null };
}

/** The signed assertion's id, instant and the Recipients of its bearer confirmations. */
function readAssertion(xml: string): { id: string | null; issueInstant: string | null; bearerRecipients: string[] } {
  const root = parseSamlXml(xml, 'an assertion').documentElement;
  const subject = elements(root, ASSERTION_NS, 'Subject').find((element) => element.parentNode === root);
  const confirmations = subject
    ? elements(subject, ASSERTION_NS, 'SubjectConfirmation').filter(
        (element) => element.parentNode === subject && element.getAttribute('Method') === BEARER,
      )
    : [];
  const recipients = confirmations.flatMap((confirmation: XmlElement) =>
    elements(confirmation, ASSERTION_NS, 'SubjectConfirmationData')
      .map((data) => data.getAttribute('Recipient'))
      .filter((recipient): recipient is string => !!recipient),
  );
  return { id: root.getAttribute('ID'), issueInstant: root.getAttribute('IssueInstant'), bearerRecipients: recipients };
}

/** node-saml's refusal as a reason code and a sentence for the person (its words say which check failed). */
function refusalOf(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  if (error instanceof SamlStatusError) {
    return new Refusal('provider_error', `The identity provider did not sign you in (${error.message.slice(0, 300)})`);
  }
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
  if (/InResponseTo/i.test(message)) {
    return new Refusal('invalid_in_response_to', `The SAML response does not answer this sign-in's request (${message})`);
  }
  if (/signature|signed|Referenced node|ID cannot refer|multiple assertions|ref URI/i.test(message)) {
    return new Refusal(
      'invalid_signature',
      `The SAML assertion is not signed by a certificate of this configuration, or is not the part that is signed (${message})`,
    );
  }
  if (/expired|not yet valid|subject confirmation/i.test(message)) {
    return new Refusal('expired_assertion', `The SAML assertion is outside its validity window (${message})`);
  }
  if (/audience/i.test(message)) return new Refusal('wrong_audience', `The SAML assertion is meant for another service (${message})`);
  return new Refusal('invalid_saml_response', `The SAML response could not be used (${message})`);
}
