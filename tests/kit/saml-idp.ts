import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import type { TestKeyPair } from './certificates';

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** The AuthnRequest a login redirect carries (HTTP-Redirect binding: deflated, base64, in `SAMLRequest`). */
export interface ReadAuthnRequest {
  id: string;
  /** The service provider's entity id: the audience its assertions must name. */
  issuer: string;
  acsUrl: string;
  destination: string;
  relayState: string | null;
  xml: string;
}

/** Reads the AuthnRequest of a redirect to the identity provider, as the provider would. */
export function readAuthnRequest(redirect: URL): ReadAuthnRequest {
  const encoded = redirect.searchParams.get('SAMLRequest');
  if (!encoded) throw new Error(`no SAMLRequest in ${redirect.toString()}`);
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const attribute = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(xml)?.[1] ?? '';
  return {
    id: attribute('ID'),
    acsUrl: attribute('AssertionConsumerServiceURL'),
    destination: attribute('Destination'),
    issuer: /<saml:Issuer[^>]*>([^<]*)<\/saml:Issuer>/.exec(xml)?.[1] ?? '',
    relayState: redirect.searchParams.get('RelayState'),
    xml,
  };
}

export interface AssertionOptions {
  email: string;
  name?: string;
  groups?: string[];
  /** The service provider's entity id (AudienceRestriction). */
  audience: string;
  /** The ACS (the bearer SubjectConfirmationData's Recipient). */
  recipient: string;
  /** The request answered, in SubjectConfirmationData; null leaves it out. */
  inResponseTo: string | null;
  /** Default: the provider's entity id. */
  issuer?: string;
  /** Default: a fresh one. */
  id?: string;
  /** Milliseconds from now: when it was issued (default 0), from when (default -60 s) and until when (default +5 min) it holds. */
  issuedInMs?: number;
  notBeforeInMs?: number;
  notOnOrAfterInMs?: number;
}

export interface ResponseOptions {
  destination: string;
  /** The request answered; null leaves it out. */
  inResponseTo: string | null;
  /** Default: success. */
  statusCode?: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const instant = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
export const samlId = () => `_${randomBytes(16).toString('hex')}`;

/**
 * A SAML 2.0 identity provider played by the test: it builds assertions and responses as
 * XML and signs them with xml-crypto (RSA-SHA256, exclusive c14n, enveloped signature after
 * the Issuer, SAML 2.0 Core §5) with a key and certificate the test made (certificates.ts).
 */
export class TestSamlIdp {
  constructor(
    readonly entityId: string,
    readonly keys: TestKeyPair,
  ) {}

  /** An unsigned assertion, with its own namespace declaration so it can be signed alone and then placed in a response. */
  assertion(options: AssertionOptions): string {
    const attributes: [string, string[]][] = [
      ['email', [options.email]],
      ...(options.name ? ([['name', [options.name]]] as [string, string[]][]) : []),
      ...(options.groups?.length ? ([['groups', options.groups]] as [string, string[]][]) : []),
    ];
    const confirmationData = [
      `NotOnOrAfter="${instant(options.notOnOrAfterInMs ?? 5 * 60_000)}"`,
      `Recipient="${escape(options.recipient)}"`,
      ...(options.inResponseTo ? [`InResponseTo="${escape(options.inResponseTo)}"`] : []),
    ].join(' ');
    return (
      `<saml:Assertion xmlns:saml="${ASSERTION_NS}" ID="${options.id ?? samlId()}" Version="2.0" IssueInstant="${instant(options.issuedInMs ?? 0)}">` +
      `<saml:Issuer>${escape(options.issuer ?? this.entityId)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escape(options.email)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData ${confirmationData}/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${instant(options.notBeforeInMs ?? -60_000)}" NotOnOrAfter="${instant(options.notOnOrAfterInMs ?? 5 * 60_000)}">` +
      `<saml:AudienceRestriction><saml:Audience>${escape(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${instant(options.issuedInMs ?? 0)}" SessionIndex="${samlId()}"><saml:AuthnContext>` +
      `<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attributes
        .map(
          ([name, values]) =>
            `<saml:Attribute Name="${name}">${values.map((value) => `<saml:AttributeValue>${escape(value)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
        )
        .join('')}</saml:AttributeStatement>` +
      `</saml:Assertion>`
    );
  }

  /** A response around `content` (assertions, or anything an attacker puts there), unsigned. */
  response(content: string, options: ResponseOptions): string {
    const inResponseTo = options.inResponseTo ? ` InResponseTo="${escape(options.inResponseTo)}"` : '';
    return (
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}" xmlns:saml="${ASSERTION_NS}" ID="${samlId()}" Version="2.0" IssueInstant="${instant(0)}" Destination="${escape(options.destination)}"${inResponseTo}>` +
      `<saml:Issuer>${escape(this.entityId)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${options.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
      content +
      `</samlp:Response>`
    );
  }

  /** Signs the document's root element (an Assertion or a Response) with `keys` (default: the provider's). */
  sign(xml: string, keys: TestKeyPair = this.keys): string {
    const signer = new SignedXml({
      privateKey: keys.privateKey,
      publicCert: keys.certificate,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: EXC_C14N,
    });
    signer.addReference({
      xpath: '/*',
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
    });
    signer.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
    return signer.getSignedXml();
  }

  /** What most providers post: a signed assertion in an unsigned response. */
  signedResponse(assertion: AssertionOptions, response: Omit<ResponseOptions, 'inResponseTo'> & { inResponseTo?: string | null }): string {
    return this.response(this.sign(this.assertion(assertion)), { inResponseTo: assertion.inResponseTo, ...response });
  }
}

/** The HTTP-POST binding's form field: the response as base64. */
export const encodeResponse = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

/** The `<ds:Signature>` element of a signed document, and the document without it. */
export function splitSignature(signed: string): { signature: string; unsigned: string } {
  const match = /<ds:Signature[\s\S]*?<\/ds:Signature>/.exec(signed);
  if (!match) throw new Error('no ds:Signature in the document');
  return { signature: match[0], unsigned: signed.replace(match[0], '') };
}

const withId = (assertion: string, id: string) => assertion.replace(/ ID="[^"]*"/, ` ID="${id}"`);
const idOf = (xml: string) => / ID="([^"]*)"/.exec(xml)![1]!;
/** Inserts `content` as the last child of the document's root element. */
const appendToRoot = (xml: string, content: string) => xml.replace(/(<\/[^>]+>)$/, `${content}$1`);
/** Inserts `content` right after the root element's Issuer. */
const afterIssuer = (xml: string, content: string) => xml.replace('</saml:Issuer>', `</saml:Issuer>${content}`);

export type WrappingVariant = 'XSW1' | 'XSW2' | 'XSW3' | 'XSW4' | 'XSW5' | 'XSW6' | 'XSW7' | 'XSW8';

/**
 * The signature wrapping attacks of Somorovsky et al., "On Breaking SAML: Be Whoever You Want
 * to Be" (USENIX Security 2012), as SAML Raider names them: a genuine signed response or
 * assertion for someone the attacker could sign in as, rearranged so that a careless verifier
 * checks the signature on the genuine part and reads the attacker's `evil` assertion (another
 * person, unsigned). XSW1–2 move a signed response; XSW3–8 a signed assertion.
 */
export function wrapSignature(
  idp: TestSamlIdp,
  variant: WrappingVariant,
  genuine: AssertionOptions,
  evil: AssertionOptions,
  response: ResponseOptions,
): string {
  const signedAssertion = idp.sign(idp.assertion(genuine));
  const { signature: assertionSignature, unsigned: genuineUnsigned } = splitSignature(signedAssertion);
  const genuineId = idOf(signedAssertion);
  const evilAssertion = idp.assertion(evil);
  switch (variant) {
    case 'XSW1':
    case 'XSW2': {
      // The provider signed the whole response; the attacker's response takes its signature, and the genuine response is hidden.
      const signedResponse = idp.sign(idp.response(signedAssertion, response));
      const { signature, unsigned } = splitSignature(signedResponse);
      const hidden = variant === 'XSW1' ? signature.replace('</ds:Signature>', `${unsigned}</ds:Signature>`) : `${unsigned}${signature}`;
      return afterIssuer(idp.response(evilAssertion, response), hidden);
    }
    case 'XSW3':
      // An unsigned copy before the signed assertion.
      return idp.response(`${evilAssertion}${signedAssertion}`, response);
    case 'XSW4':
      // An unsigned assertion wrapped around the signed one.
      return idp.response(appendToRoot(evilAssertion, signedAssertion), response);
    case 'XSW5':
      // The signed assertion's values changed (it keeps ID and signature), an unsigned copy of the genuine one at the end.
      return idp.response(`${afterIssuer(withId(evilAssertion, genuineId), assertionSignature)}${genuineUnsigned}`, response);
    case 'XSW6':
      // As XSW5, with the genuine copy inside the signature.
      return idp.response(
        afterIssuer(withId(evilAssertion, genuineId), assertionSignature.replace('</ds:Signature>', `${genuineUnsigned}</ds:Signature>`)),
        response,
      );
    case 'XSW7':
      // The signed assertion hidden in an Extensions element; the attacker's in its place, with the genuine ID.
      return afterIssuer(
        idp.response(withId(evilAssertion, genuineId), response),
        `<samlp:Extensions>${signedAssertion}</samlp:Extensions>`,
      );
    case 'XSW8':
      // The changed assertion keeps the signature, whose Object holds the genuine one.
      return idp.response(
        afterIssuer(
          withId(evilAssertion, genuineId),
          assertionSignature.replace('</ds:Signature>', `<ds:Object>${genuineUnsigned}</ds:Object></ds:Signature>`),
        ),
        response,
      );
  }
}
