/** The part of the DOM identity's SAML code reads. */
export interface XmlElement {
  localName: string;
  namespaceURI: string | null;
  parentNode: unknown;
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlElement>;
  textContent: string | null;
}
export interface XmlDocument {
  documentElement: XmlElement | null;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlElement>;
}
type ParserMessage = (message: string) => void;
interface XmlParser {
  parseFromString(xml: string, mimeType: string): XmlDocument | undefined;
}

/**
 * @xmldom/xmldom's own declarations reference the DOM library, which would then apply to the
 * whole program and clash with Node's fetch, Blob and FormData types: it is loaded untyped and
 * given the small interface above.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DOMParser } = require('@xmldom/xmldom') as {
  DOMParser: new (options: { errorHandler: { warning: ParserMessage; error: ParserMessage; fatalError: ParserMessage } }) => XmlParser;
};

const METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** Identity provider metadata is a few kilobytes; a federation's aggregate is not one provider. */
export const MAX_METADATA_BYTES = 256 * 1024;

export interface SamlIdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** The signing certificates, base64 DER as the metadata holds them. */
  certificates: string[];
}

/**
 * Reads a SAML 2.0 identity provider's metadata (an `EntityDescriptor` with an
 * `IDPSSODescriptor`, SAML 2.0 Metadata §2.4.3): its entity id, its single sign-on URL
 * (HTTP-Redirect preferred, else HTTP-POST) and its signing certificates (a document type
 * declaration is refused: parseSamlXml). Throws an Error saying what is wrong.
 */
export function parseSamlIdpMetadata(xml: string): SamlIdpMetadata {
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) throw new Error(`is larger than ${MAX_METADATA_BYTES / 1024} KB`);
  const document = parseSamlXml(xml, 'metadata');

  const providers = elements(document, METADATA_NS, 'EntityDescriptor').filter(
    (entity) => elements(entity, METADATA_NS, 'IDPSSODescriptor').length > 0,
  );
  if (providers.length === 0)
    throw new Error('has no EntityDescriptor with an IDPSSODescriptor: is it an identity provider’s SAML metadata?');
  if (providers.length > 1) throw new Error(`describes ${providers.length} identity providers: give the metadata of one`);
  const entity = providers[0]!;
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw new Error('has an EntityDescriptor without an entityID');
  const descriptor = elements(entity, METADATA_NS, 'IDPSSODescriptor')[0]!;

  const services = elements(descriptor, METADATA_NS, 'SingleSignOnService');
  const service =
    services.find((candidate) => candidate.getAttribute('Binding') === REDIRECT_BINDING) ??
    services.find((candidate) => candidate.getAttribute('Binding') === POST_BINDING);
  const ssoUrl = service?.getAttribute('Location')?.trim();
  if (!ssoUrl) throw new Error('has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding');

  const certificates = elements(descriptor, METADATA_NS, 'KeyDescriptor')
    .filter((key) => ['', 'signing'].includes(key.getAttribute('use') ?? ''))
    .flatMap((key) => elements(key, DSIG_NS, 'X509Certificate'))
    .map((certificate) => (certificate.textContent ?? '').replace(/\s+/g, ''))
    .filter((certificate) => certificate !== '');
  if (certificates.length === 0) throw new Error('has no signing certificate (KeyDescriptor with an X509Certificate)');
  return { entityId, ssoUrl, certificates: [...new Set(certificates)] };
}

/**
 * Parses a SAML document (metadata, a response): a document type declaration is refused
 * outright, as no SAML message needs one and it is how entity expansion ("billion laughs")
 * and external entities get in. Throws an Error saying what is wrong.
 */
export function parseSamlXml(xml: string, what: string): XmlDocument & { documentElement: XmlElement } {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error(`has a document type declaration, which ${what} never needs`);
  const problems: string[] = [];
  const document = new DOMParser({
    errorHandler: { warning: () => undefined, error: (message) => problems.push(message), fatalError: (message) => problems.push(message) },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !document?.documentElement) throw new Error('is not well-formed XML');
  return document as XmlDocument & { documentElement: XmlElement };
}

export function elements(parent: XmlDocument | XmlElement, namespace: string, name: string): XmlElement[] {
  return Array.from(parent.getElementsByTagNameNS(namespace, name));
}
